"""Service invoices (NFS-e Nacional): the SEFIN port, the city-code lookup, the DANFSe renderer, and
the use cases that open, issue, cancel and show NFS-e (docs/service-invoices.md)."""
from functools import cached_property

# The work item a payment or a refund sends so its NFS-e is handled at once (jobs/service_invoices.py).
WORK_KIND = "issue-service-invoice"


class ServiceInvoicesWiring:
    @cached_property
    def service_invoice_repository(self):
        from chalicelib.store.service_invoices import ServiceInvoiceRepository

        return ServiceInvoiceRepository()

    @cached_property
    def service_invoice_authority(self):
        """The SEFIN Nacional adapter for this stage (local: the fake SEFIN; elsewhere the national
        API with the certificate from Secrets Manager), built on its first call."""
        return LazyAuthority(self._build_authority)

    def _build_authority(self):
        from chalicelib.adapters.service_invoices.factory import build_authority

        secrets = None if self.settings.is_local else self.boto3_client("secretsmanager")
        return build_authority(self.settings, secrets_client=secrets, clock=self.clock.now)

    @cached_property
    def city_codes(self):
        """city, UF -> 7-digit IBGE code or None, from the IBGE table the SEFIN adapter reads offline
        (adapters/service_invoices/municipalities.py)."""
        def code_of(city: str, state: str) -> str | None:
            from chalicelib.adapters.service_invoices.municipalities import UnknownMunicipality, ibge_code

            try:
                return ibge_code(city, state)
            except UnknownMunicipality:
                return None

        return code_of

    @cached_property
    def render_danfse(self):
        def render(nfse_xml: bytes) -> bytes:
            from chalicelib.adapters.pdf.danfse_pdf import render_danfse

            return render_danfse(nfse_xml)

        return render

    @cached_property
    def service_invoice_opening(self):
        from chalicelib.services.service_invoices.opening import ServiceInvoiceOpening

        return ServiceInvoiceOpening(self.catalog, self.settings.nfse_dps_series)

    @cached_property
    def service_invoice_notices(self):
        from chalicelib.services.service_invoices.notices import ServiceInvoiceNotices

        return ServiceInvoiceNotices(self.events, self.mailer, self.account_repository, self.requests,
                                     self.settings.portal_url)

    @cached_property
    def service_invoice_issuer(self):
        from chalicelib.services.service_invoices.dps import DpsBuilder
        from chalicelib.services.service_invoices.issuer import ServiceInvoiceIssuer

        builder = DpsBuilder(self.settings, self.catalog, self.city_codes)
        return ServiceInvoiceIssuer(self.service_invoice_repository, self.invoice_reads, self.account_repository,
                                    self.service_invoice_authority, self.files, self.render_danfse, builder,
                                    self.service_invoice_notices, self.clock)

    @cached_property
    def service_invoice_views(self):
        from chalicelib.services.service_invoices.views import ServiceInvoiceViews

        return ServiceInvoiceViews(self.service_invoice_repository, self.files, self.clock)

    @cached_property
    def dev_service_invoices(self):
        from chalicelib.services.service_invoices.views import DevServiceInvoices

        return DevServiceInvoices(self.settings, self.service_invoice_authority, self.service_invoice_repository)

    @cached_property
    def service_invoice_due(self):
        """What settlement and refunds call after their commit so the NFS-e is handled at once: in AWS a
        work item for the worker Lambda (the webhook does not wait on the SEFIN). The local stage leaves
        it to the issue-service-invoices job (`POST /v1/_dev/jobs/issue-service-invoices`), as it runs
        the other jobs' work items only when the job is run."""
        if self.settings.is_local:
            return leave_to_the_job

        def send(account_id: str, invoice_id: str) -> None:
            self.work_queue.send([{"kind": WORK_KIND, "account_id": account_id, "invoice_id": invoice_id}])

        return send


def leave_to_the_job(account_id: str, invoice_id: str) -> None:
    """The local stage's after-payment step: nothing now; the NFS-e waits on the job's work list."""


class LazyAuthority:
    """The SEFIN port, built by `provide` on the first call made through it (certificates are read
    only by what issues NFS-e, not by every request that builds settlement)."""

    def __init__(self, provide):
        self._provide = provide
        self._built = None

    def __getattr__(self, name: str):
        if self._built is None:
            self._built = self._provide()
        return getattr(self._built, name)
