"""The payments context: settlement (where every way money arrives ends), refunds and chargebacks,
gateway webhooks, card charges, bank returns and remittances."""
from functools import cached_property


class PaymentsWiring:
    @cached_property
    def payment_notices(self):
        from chalicelib.services.payments.notices import PaymentNotices

        return PaymentNotices(self.mailer, self.settings.finance_team_email)

    @cached_property
    def settlement(self):
        """`settle(IncomingPayment)`: every way money arrives ends here (docs/payments.md)."""
        from chalicelib.services.payments.settlement import SettlementService

        # Refunds and chargebacks a gateway sent before their payment are applied by the refunds service
        # right after the payment settles; refunds does not need settlement, so it is simply built first.
        return SettlementService(self.payment_repository, self.billing_repository, self.catalog, self.clock,
                                 self.events, self.payment_notices, held_events=self.refunds.apply_held,
                                 retention=self.retention, standing_notices=self.standing_notices,
                                 service_invoices=self.service_invoice_opening,
                                 service_invoice_due=self.service_invoice_due)

    @cached_property
    def refunds(self):
        """`refund_payment(account_id, payment_id, reason, actor)` for cancellations and the finance team."""
        from chalicelib.services.payments.refunds import RefundService

        return RefundService(self.payment_repository, self.billing_repository, self.card_gateway, self.catalog,
                             self.clock, self.standing_notices, self.service_invoice_repository,
                             self.service_invoice_due)

    @cached_property
    def webhooks(self):
        from chalicelib.services.payments.webhooks import WebhookService

        return WebhookService(self.settings, self.settlement, self.refunds, self.payment_repository, self.clock,
                              self.dead_letters)

    @cached_property
    def dev_gateway(self):
        from chalicelib.services.payments.dev_gateway import DevGateway

        return DevGateway(self.settings, self.payment_repository, self.webhooks, self.dev_pix_automatico)

    @cached_property
    def card_charges(self):
        from chalicelib.services.payments.card_charges import CardChargeService

        return CardChargeService(self.payment_repository, self.billing_repository, self.invoice_reads,
                                 self.card_gateway, self.card_gateway_name, self.settlement, self.payment_notices,
                                 self.checkpoints, self.clock, self.settings.card_retry_schedule)

    @cached_property
    def bank_returns(self):
        from chalicelib.services.payments.bank_returns import BankReturnService

        return BankReturnService(self.payment_repository, self.settlement, self.payment_notices, self.files,
                                 self.clock, self.bank_return_imports)

    @cached_property
    def remittances(self):
        from chalicelib.services.payments.remittance import RemittanceService
        from chalicelib.store.remittance_counter import RemittanceSequence

        s = self.settings
        sequence = RemittanceSequence(self.boto3_client("dynamodb"), s.billing_table, s.boleto_bank,
                                      s.boleto_agreement or s.boleto_account)
        return RemittanceService(s, self.payment_repository, self.account_repository, self.files, self.checkpoints,
                                 sequence, self.clock)
