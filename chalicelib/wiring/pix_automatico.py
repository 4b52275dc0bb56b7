"""Pix Automático: the PSP adapter, the recurrence use cases, the webhook and the local stage's
payer's bank."""
from functools import cached_property


class PixAutomaticoWiring:
    @cached_property
    def pix_psp(self):
        """HttpPsp at PIX_PSP_BASE_URL; in the local stage without one, this process's own fake PSP."""
        from chalicelib.adapters.pix_automatico.http_psp import HttpPsp, PspCredentials

        s = self.settings
        if s.pix_psp_base_url:
            return HttpPsp(self.pix_psp_credentials(s.pix_psp_base_url))
        if s.is_local:
            from chalicelib.adapters.pix_automatico.fake_psp import embedded_url

            return HttpPsp(PspCredentials(embedded_url(), "local-client", "local-secret"))
        return UnconfiguredPsp()

    def pix_psp_credentials(self, base_url: str):
        """From the variables, or the Secrets Manager secret PIX_PSP_SECRET (JSON: client_id,
        client_secret, certificate_pem, private_key_pem, optional ca_pem), whose PEMs are written once
        to private files under /tmp (requests reads certificates from files)."""
        from chalicelib.adapters.pix_automatico.http_psp import PspCredentials

        s = self.settings
        fields = {"client_id": s.pix_psp_client_id, "client_secret": s.pix_psp_client_secret,
                  "cert_file": s.pix_psp_cert_file or None, "key_file": s.pix_psp_key_file or None,
                  "ca_file": s.pix_psp_ca_file or None}
        if s.pix_psp_secret:
            from chalicelib.adapters.pix_automatico.secrets import credentials_from_secret

            fields |= credentials_from_secret(self.boto3_client("secretsmanager"), s.pix_psp_secret)
        return PspCredentials(base_url=base_url, token_url=s.pix_psp_token_url, **fields)

    @cached_property
    def pix_recurrences(self):
        from chalicelib.store.pix_automatico import PixRecurrenceRepository

        return PixRecurrenceRepository()

    @cached_property
    def pix_automatico(self):
        from chalicelib.services.payments.pix_automatico import PixAutomaticoService

        # The PSP is built on its first call: cancelling a subscription asks this service, PSP or not.
        return PixAutomaticoService(self.billing_repository, self.pix_recurrences, LazyPsp(lambda: self.pix_psp),
                                    self.catalog, self.account_repository, self.mailer, self.clock,
                                    self.invoice_reads, self.settings.pix_key, self.settings.portal_url)

    @cached_property
    def pix_enrolment(self):
        """Pix Automático chosen at subscribe or as a payment-method change."""
        from chalicelib.services.payments.pix_enrolment import PixEnrolment

        return PixEnrolment(self.subscriptions, self.pix_automatico)

    @cached_property
    def pix_cycle_charges(self):
        from chalicelib.services.invoicing.pix_cycle_charges import PixCycleCharges

        s = self.settings
        return PixCycleCharges(self.billing_repository, self.invoice_reads, self.pix_recurrences, lambda: self.pix_psp,
                               self.boleto_documents, self.account_repository, self.mailer, self.clock,
                               s.pix_receiver, s.boleto_bank, s.portal_url)

    @cached_property
    def pix_webhooks(self):
        from chalicelib.services.payments.pix_webhooks import PixWebhookService

        from chalicelib.services.payments.pix_first_payments import PixImmediatePayments

        return PixWebhookService(self.settings, self.pix_automatico, self.pix_charge_notifications,
                                 PixImmediatePayments(self.payment_repository, self.settlement, self.clock))

    @cached_property
    def pix_charge_notifications(self):
        from chalicelib.services.payments.pix_charge_payments import PixChargeNotifications

        return PixChargeNotifications(self.payment_repository, self.invoice_reads, self.billing_repository,
                                      self.settlement, self.pix_cycle_charges, lambda: self.pix_psp, self.clock)

    @cached_property
    def dev_pix_automatico(self):
        from chalicelib.services.payments.pix_webhooks import DevPixAutomatico

        return DevPixAutomatico(self.settings, self.pix_psp, self.pix_webhooks)


class UnconfiguredPsp:
    """The PSP of a stage without PIX_PSP_BASE_URL: every call fails as an unreachable PSP (503)."""

    def _refuse(self, *args, **kwargs):
        from chalicelib.adapters.pix_automatico import PspError

        raise PspError("set PIX_PSP_BASE_URL to use Pix Automático")

    create_location = create_recurrence = get_recurrence = cancel_recurrence = _refuse
    create_cycle_charge = get_cycle_charge = create_immediate_charge = _refuse
    fake_control = _refuse


class LazyPsp:
    """The PSP port, built by `provide` on the first call made through it."""

    def __init__(self, provide):
        self._provide = provide

    def __getattr__(self, name: str):
        return getattr(self._provide(), name)
