"""The store: repositories and tables shared by several contexts (one instance each per process)."""
from functools import cached_property


class RepositoriesWiring:
    @cached_property
    def system(self):
        from chalicelib.store.system import SystemRepository

        return SystemRepository()

    @cached_property
    def account_repository(self):
        from chalicelib.store.accounts import AccountRepository

        return AccountRepository()

    @cached_property
    def idempotency_repository(self):
        from chalicelib.store.idempotency import IdempotencyRepository

        return IdempotencyRepository()

    @cached_property
    def audit_repository(self):
        from chalicelib.store.audit import AuditRepository

        return AuditRepository()

    @cached_property
    def billing_repository(self):
        from chalicelib.store.billing import BillingRepository

        return BillingRepository()

    @cached_property
    def raw_table(self):
        from chalicelib.store.raw import RawTable

        return RawTable(self.boto3_client("dynamodb"), self.settings.billing_table)

    @cached_property
    def review_repository(self):
        """The check-overdue job's review list."""
        from chalicelib.store.reviews import ReviewRepository

        return ReviewRepository()

    @cached_property
    def checkpoints(self):
        from chalicelib.store.checkpoints import CheckpointRepository

        return CheckpointRepository()

    @cached_property
    def retention_repository(self):
        from chalicelib.store.retention import RetentionRepository

        return RetentionRepository()

    @cached_property
    def invoice_reads(self):
        """Invoices by id, by nosso número (`by_nosso_numero(key)`), an account's list by status."""
        from chalicelib.store.invoice_reads import InvoiceReads

        return InvoiceReads()

    @cached_property
    def invoice_writes(self):
        """A 2ª via's boleto recorded, the send-reminders job's claim on an invoice."""
        from chalicelib.store.invoice_writes import InvoiceWrites

        return InvoiceWrites()

    @cached_property
    def batch_repository(self):
        from chalicelib.store.batches import BatchRepository

        return BatchRepository()

    @cached_property
    def payment_repository(self):
        from chalicelib.store.payments import PaymentRepository

        return PaymentRepository()

    @cached_property
    def dead_letters(self):
        from chalicelib.store.dead_letters import DeadLetterRepository

        return DeadLetterRepository()

    @cached_property
    def credit_repository(self):
        from chalicelib.store.credits import CreditRepository

        return CreditRepository()

    @cached_property
    def bank_return_imports(self):
        from chalicelib.store.bank_returns import BankReturnImportRepository

        return BankReturnImportRepository()
