"""build_authority(settings): the local stage talks to a fake SEFIN with the dev certificates; any
other stage to the environment's SEFIN with the certificate kept in Secrets Manager."""
import base64
import json
from types import SimpleNamespace

import pytest

from chalicelib.adapters.service_invoices.factory import build_authority, start_local_sefin
from chalicelib.adapters.service_invoices.sefin import BASE_URLS, SefinNacional
from chalicelib.settings import MissingSetting, Settings
from tests.unit.service_invoices.conftest import PROVIDER_CNPJ, dps_data


def test_the_local_stage_without_a_url_gets_its_own_fake(certificates_dir):
    settings = Settings.from_environment({"NFSE_CERTIFICATES_DIR": str(certificates_dir)})

    authority = build_authority(settings)

    assert isinstance(authority, SefinNacional) and authority.base_url.startswith("https://127.0.0.1:")
    assert authority.certificate.cnpj == PROVIDER_CNPJ
    issued = authority.issue(authority.sign(dps_data(number=900)))
    assert authority.find_by_dps(issued.dps_id) == issued


def test_the_local_stack_fake_and_the_api_share_the_certificates(tmp_path):
    settings = Settings.from_environment({"NFSE_CERTIFICATES_DIR": str(tmp_path)})
    server = start_local_sefin(settings)
    try:
        api_settings = Settings.from_environment({"NFSE_CERTIFICATES_DIR": str(server.certificates.directory.parent),
                                                  "SEFIN_BASE_URL": server.url})
        authority = build_authority(api_settings)

        assert authority.base_url == server.url
        assert authority.issue(authority.sign(dps_data(number=901))).number == "1"
        assert server.sefin.received()[0]["invoice_id"] == "inv_2026_000123"
    finally:
        server.stop()


class _Secrets:
    def __init__(self, secret):
        self.secret = secret

    def get_secret_value(self, SecretId):  # noqa: N803 - boto3's name
        assert SecretId == "renova-prod-nfse-certificate"
        return {"SecretString": json.dumps(self.secret)}


def _stage(certificates, **overrides):
    values = dict(is_local=False, nfse_environment="restricted", sefin_base_url="",
                  nfse_certificate_secret="renova-prod-nfse-certificate", nfse_ca_file="", nfse_certificates_dir="",
                  nfse_provider_cnpj=PROVIDER_CNPJ, nfse_provider_name="Renova", aws_region="sa-east-1",
                  aws_endpoint_url=None)
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.mark.parametrize("environment", ["restricted", "production"])
def test_other_stages_use_the_secret_and_the_environment_url(certificates, a1, environment):
    secret = {"pkcs12_base64": base64.b64encode(certificates.client_p12.read_bytes()).decode(),
              "password": certificates.client_password}

    authority = build_authority(_stage(certificates, nfse_environment=environment), secrets_client=_Secrets(secret))

    assert authority.base_url == BASE_URLS[environment] and authority.environment == environment
    assert authority.certificate.certificate == a1.certificate
    assert BASE_URLS["restricted"] == "https://sefin.producaorestrita.nfse.gov.br/SefinNacional"
    assert BASE_URLS["production"] == "https://sefin.nfse.gov.br/SefinNacional"


def test_sefin_base_url_overrides_the_default(certificates):
    secret = {"pkcs12_base64": base64.b64encode(certificates.client_p12.read_bytes()).decode(),
              "password": certificates.client_password}

    authority = build_authority(_stage(certificates, sefin_base_url="https://sefin.example/SefinNacional/"),
                                secrets_client=_Secrets(secret))

    assert authority.base_url == "https://sefin.example/SefinNacional"


def test_settings_defaults_and_the_environment_check():
    settings = Settings.from_environment({})

    assert settings.nfse_environment == "restricted" and settings.sefin_base_url == ""
    assert settings.nfse_certificate_secret == "renova-local-nfse-certificate"
    with pytest.raises(MissingSetting, match="NFSE_ENVIRONMENT"):
        Settings.from_environment({"NFSE_ENVIRONMENT": "homologacao"})
