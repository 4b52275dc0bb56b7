"""build_authority(settings): the ServiceInvoiceAuthority a stage uses, for the wiring to call.

- local stage: SefinNacional at SEFIN_BASE_URL (the fake SEFIN `make run` starts) or, without it, at
  this process's own fake SEFIN (tests, a bare local process); the dev certificates of
  NFSE_CERTIFICATES_DIR (default: the repository's .local/nfse-certificates), made for the provider's
  CNPJ (NFSE_PROVIDER_CNPJ) when missing, and the dev CA to trust the fake's server certificate;
- any other stage: SefinNacional at SEFIN_BASE_URL or the documented URL of NFSE_ENVIRONMENT
  (sefin.BASE_URLS), the A1 certificate from the Secrets Manager secret NFSE_CERTIFICATE_SECRET,
  NFSE_CA_FILE (if set) to check the SEFIN's server certificate."""
from pathlib import Path

from chalicelib.adapters.service_invoices import dev_certificates, layout


def _provider_identity(settings) -> tuple[str, str]:
    cnpj = layout.digits(getattr(settings, "nfse_provider_cnpj", "") or "") or dev_certificates.DEFAULT_CNPJ
    name = (getattr(settings, "nfse_provider_name", "") or dev_certificates.DEFAULT_LEGAL_NAME).upper()
    return cnpj, name


def local_certificates(settings) -> "dev_certificates.DevCertificates":
    """The local stage's dev certificates, for the provider's CNPJ (the fake SEFIN checks that the
    signer is the DPS's provider, as the real one does)."""
    from chalicelib.adapters.service_invoices.fake_sefin import default_certificates_dir

    directory = Path(settings.nfse_certificates_dir) if settings.nfse_certificates_dir else default_certificates_dir()
    cnpj, name = _provider_identity(settings)
    return dev_certificates.ensure_dev_certificates(directory, cnpj, name)


def build_authority(settings, *, secrets_client=None, clock=None):
    """The SefinNacional this stage talks to. `secrets_client`: a boto3 Secrets Manager client (built
    from the settings when omitted, outside the local stage only); `clock`: a callable returning the
    current instant (dhEvento of cancellations), e.g. the container clock's `now`."""
    from chalicelib.adapters.service_invoices.sefin import BASE_URLS, SefinNacional

    environment = settings.nfse_environment
    if settings.is_local:
        certificates = local_certificates(settings)
        base_url = settings.sefin_base_url
        if not base_url:
            from chalicelib.adapters.service_invoices.fake_sefin import embedded

            cnpj, name = _provider_identity(settings)
            base_url = embedded(certificates.directory.parent, cnpj, name, environment).url
        return SefinNacional(base_url, certificates.client_certificate(), environment,
                             ca_file=str(certificates.ca_cert), clock=clock)
    from chalicelib.adapters.service_invoices.certificates import from_secret

    if secrets_client is None:
        import boto3

        secrets_client = boto3.client("secretsmanager", region_name=settings.aws_region,
                                      endpoint_url=settings.aws_endpoint_url)
    certificate = from_secret(secrets_client, settings.nfse_certificate_secret)
    return SefinNacional(settings.sefin_base_url or BASE_URLS[environment], certificate, environment,
                         ca_file=settings.nfse_ca_file or None, clock=clock)


def start_local_sefin(settings, host: str = "127.0.0.1", port: int = 0):
    """The fake SEFIN for `make run` (scripts/local_stack.py), with the same dev certificates
    build_authority will present to it; the caller passes its `.url` as SEFIN_BASE_URL and
    `.certificates.directory.parent` as NFSE_CERTIFICATES_DIR to the API process."""
    from chalicelib.adapters.service_invoices.fake_sefin import FakeSefinServer

    certificates = local_certificates(settings)
    return FakeSefinServer(host, port, certificates.directory.parent, environment=settings.nfse_environment,
                           cnpj=certificates.cnpj, legal_name=certificates.legal_name).start()
