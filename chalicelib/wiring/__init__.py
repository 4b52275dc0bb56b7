"""Composition root: builds the services with their repositories, clock and adapters, lazily, once
per process. Tests replace the container (`set_container`) to run the same services on fakes."""
from functools import cached_property, lru_cache

from chalicelib.settings import Settings, get_settings


@lru_cache(maxsize=32)
def _client(service: str, region: str, endpoint_url: str | None):
    # Building a botocore client costs tens of milliseconds; one per service and endpoint is enough.
    import boto3
    from botocore.config import Config

    # SigV4 everywhere: presigned S3 links carry X-Amz-Expires and work in every region.
    config = Config(signature_version="s3v4") if service == "s3" else None
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, config=config)


class Container:
    def __init__(self, settings: Settings | None = None, clock=None):
        self._settings = settings
        if clock is not None:
            self.clock = clock

    @cached_property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    # --- adapters -------------------------------------------------------------------------
    def boto3_client(self, service: str):
        return _client(service, self.settings.aws_region, self.settings.aws_endpoint_url)

    @cached_property
    def clock(self):
        from chalicelib.adapters.clock import OffsetClock, SystemClock

        return OffsetClock(self.system) if self.settings.is_local else SystemClock()

    @cached_property
    def mailer(self):
        from chalicelib.adapters.email import SesMailer

        if not self.settings.is_local:
            return SesMailer(self.boto3_client("ses"), self.settings.email_sender)
        return SesMailer(self.boto3_client("ses"), self.settings.email_sender, outbox=self.system, clock=self.clock)

    # --- repositories ---------------------------------------------------------------------
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

    # --- services -------------------------------------------------------------------------
    @cached_property
    def memberships(self):
        from chalicelib.services.accounts.memberships import MembershipService

        return MembershipService(self.account_repository)

    @cached_property
    def accounts(self):
        from chalicelib.services.accounts.accounts import AccountService

        return AccountService(self.account_repository, self.clock, self.mailer)

    @cached_property
    def subscriptions(self):
        from chalicelib.services.subscriptions.subscribing import SubscriptionService

        return SubscriptionService(self.billing_repository, self.catalog, self.clock)

    @cached_property
    def subscription_views(self):
        from chalicelib.services.subscriptions.views import SubscriptionViews

        return SubscriptionViews(self.billing_repository, self.catalog)

    @cached_property
    def plan_changes(self):
        from chalicelib.services.subscriptions.plan_changes import PlanChangeService

        return PlanChangeService(self.billing_repository, self.catalog, self.clock, lambda: self.invoice_notices)

    @cached_property
    def cards(self):
        from chalicelib.services.subscriptions.cards import CardService

        return CardService(self.billing_repository, self.clock, self.card_gateway, self.card_gateway_name)

    @cached_property
    def storage(self):
        from chalicelib.services.subscriptions.storage import StorageService

        return StorageService(self.billing_repository, self.clock)

    # --- data lifecycle, finance channel, domain events (issue 9) ----------------------------
    @cached_property
    def events(self):
        """Domain events publisher: `container().events.publish(type, account_id, data, event_id=...)`."""
        from chalicelib.adapters.events import EventBridgePublisher

        return EventBridgePublisher(self.boto3_client("events"), self.settings.event_bus, self.clock)

    @cached_property
    def files(self):
        from chalicelib.adapters.files import FileStore

        return FileStore(self.boto3_client("s3"), self.settings.files_bucket)

    @cached_property
    def raw_table(self):
        from chalicelib.store.raw import RawTable

        return RawTable(self.boto3_client("dynamodb"), self.settings.billing_table)

    @cached_property
    def checkpoints(self):
        from chalicelib.store.checkpoints import CheckpointRepository

        return CheckpointRepository()

    @cached_property
    def backups(self):
        from chalicelib.services.lifecycle.backups import BackupService
        from chalicelib.store.backups import BackupRepository

        return BackupService(BackupRepository(), self.account_repository, self.raw_table, self.files,
                             self.mailer, self.checkpoints, self.clock)

    @cached_property
    def requests(self):
        from chalicelib.services.requests.threads import RequestService
        from chalicelib.store.requests import RequestRepository

        return RequestService(RequestRepository(), self.account_repository, self.mailer, self.clock,
                              self.settings.finance_team_email)

    @cached_property
    def credits(self):
        from chalicelib.services.accounts.credits import CreditService

        return CreditService(self.account_repository, self.clock)

    @cached_property
    def retention_repository(self):
        from chalicelib.store.retention import RetentionRepository

        return RetentionRepository()

    @cached_property
    def retention(self):
        """`container().retention.schedule_purge(account_id, cancelled_on)` when an account is cancelled."""
        from chalicelib.services.lifecycle.retention import RetentionService

        return RetentionService(self.retention_repository, self.clock)

    @cached_property
    def purger(self):
        from chalicelib.services.lifecycle.purge import AccountPurger

        # The card gateway only when an account has a customer there (a stage without cards needs no key).
        return AccountPurger(self.raw_table, self.files, self.events, self.clock, lambda: self.card_gateway)

    @cached_property
    def purges(self):
        from chalicelib.services.lifecycle.purge import PurgeService

        return PurgeService(self.purger, self.retention_repository, self.checkpoints)

    @cached_property
    def catalog(self):
        from chalicelib.catalog import load_catalog

        return load_catalog()

    # --- invoicing (issue 6) ------------------------------------------------------------------
    @cached_property
    def boleto_documents(self):
        """`issue(account_id=, invoice_id=, amount_cents=, due_date=, payer=, description_lines=)`."""
        from chalicelib.services.invoicing.boleto_documents import BoletoDocumentService
        from chalicelib.store.counters import allocate_nosso_numero

        dynamodb, table = self.boto3_client("dynamodb"), self.settings.billing_table

        def allocate(bank, agreement, max_value):
            return allocate_nosso_numero(dynamodb, table, bank, agreement, max_value=max_value)

        return BoletoDocumentService(self.settings, allocate, self.files, self.clock)

    @cached_property
    def invoice_reads(self):
        """Invoices by id, by nosso número (`by_nosso_numero(key)`), an account's list by status."""
        from chalicelib.store.invoice_reads import InvoiceReads

        return InvoiceReads()

    @cached_property
    def invoice_notices(self):
        from chalicelib.services.invoicing.notices import InvoiceNotices

        return InvoiceNotices(self.mailer, self.events, self.settings.portal_url)

    @cached_property
    def invoicing(self):
        """The issue-invoices worker: `issue_for_account(account_id, issue_date)`."""
        from chalicelib.services.invoicing.worker import InvoicingService

        return InvoicingService(self.billing_repository, self.invoice_reads, self.catalog, self.boleto_documents,
                                self.invoice_notices, self.clock, self.settings.boleto_bank)

    @cached_property
    def invoice_queries(self):
        from chalicelib.services.invoicing.queries import InvoiceQueries

        return InvoiceQueries(self.invoice_reads, self.boleto_documents, self.clock)

    @cached_property
    def second_copies(self):
        from chalicelib.services.invoicing.second_copy import SecondCopyService

        return SecondCopyService(self.invoice_reads, self.account_repository, self.boleto_documents, self.clock,
                                 self.settings.boleto_bank)

    @cached_property
    def work_queue(self):
        from chalicelib.adapters.work_queue import WorkQueue

        return WorkQueue(self.boto3_client("sqs"), self.settings.work_queue)

    @cached_property
    def issue_invoices_job(self):
        """The planner; in the local stage the worker runs in-process instead of through SQS."""
        from chalicelib.services.invoicing.job import IssueInvoicesJob

        return IssueInvoicesJob(self.invoice_reads, self.checkpoints, self.work_queue, in_process=self.settings.is_local)

    @cached_property
    def reminders(self):
        """The send-reminders job: `run_due(today)` (docs/reminders.md)."""
        from chalicelib.services.invoicing.reminders import ReminderService

        return ReminderService(self.billing_repository, self.invoice_reads, self.invoice_notices, self.mailer,
                               self.checkpoints, self.clock)

    # --- overdue, entitlements, cancellation, partner batches (issue 8) --------------------------
    @cached_property
    def batch_repository(self):
        from chalicelib.store.batches import BatchRepository

        return BatchRepository()

    @cached_property
    def entitlements(self):
        """`for_account(account_id, product_id=None)`: license, support, updates, seats, storage."""
        from chalicelib.services.subscriptions.entitlements import EntitlementService

        return EntitlementService(self.billing_repository, self.batch_repository, self.catalog, self.clock)

    @cached_property
    def standing_notices(self):
        from chalicelib.services.subscriptions.standing_notices import StandingNotices

        return StandingNotices(self.mailer, self.events, self.catalog, self.invoice_reads, self.billing_repository,
                               self.settings.portal_url, self.settings.finance_team_email)

    @cached_property
    def overdue(self):
        """`review_account(account_id)`: the overdue steps of one account (check-overdue job)."""
        from chalicelib.services.collections.overdue import OverdueService

        return OverdueService(self.billing_repository, self.invoice_reads, self.catalog, self.standing_notices,
                              self.retention, self.clock)

    @cached_property
    def batches(self):
        from chalicelib.services.partners.batches import BatchService

        return BatchService(self.billing_repository, self.batch_repository, self.retention, self.standing_notices,
                            self.catalog, self.clock)

    @cached_property
    def cancellations(self):
        """`cancel(...)`, `reactivate(...)`, `take_effect(...)` (PRODUCT.md §8)."""
        from chalicelib.services.collections.cancellation_terms import CancellationTerms
        from chalicelib.services.collections.cancellations import CancellationService

        terms = CancellationTerms(self.catalog, self.payment_repository, self.invoice_reads)
        return CancellationService(self.billing_repository, terms, self.invoice_reads, self.refunds, self.retention,
                                   self.standing_notices, self.catalog, self.clock,
                                   on_batch_end=lambda snapshot, batch, ends_on, actor:
                                   self.batches.batch_ended(snapshot, batch, ends_on, actor))

    @cached_property
    def check_overdue_job(self):
        from chalicelib.services.collections.overdue_job import CheckOverdueJob

        return CheckOverdueJob(self.overdue, self.cancellations, self.batches, self.standing_notices, self.checkpoints)

    # --- payments and settlement (issue 7) ----------------------------------------------------
    @cached_property
    def payment_repository(self):
        from chalicelib.store.payments import PaymentRepository

        return PaymentRepository()

    # The card gateway's name in receipts and lookups (the local fake stands in for Stripe).
    card_gateway_name = "stripe"

    @cached_property
    def card_gateway(self):
        """FakeCardGateway in the local stage (tests set `.script`); Stripe elsewhere."""
        if self.settings.is_local:
            from chalicelib.adapters.gateways.fake import FakeCardGateway

            return FakeCardGateway()
        from chalicelib.adapters.gateways.stripe_gateway import StripeCardGateway

        if not self.settings.stripe_api_key:
            raise RuntimeError("set STRIPE_API_KEY to charge cards")
        return StripeCardGateway(self.settings.stripe_api_key)

    @cached_property
    def payment_notices(self):
        from chalicelib.services.payments.notices import PaymentNotices

        return PaymentNotices(self.mailer, self.settings.finance_team_email)

    @cached_property
    def settlement(self):
        """`settle(IncomingPayment)`: every way money arrives ends here (docs/payments.md)."""
        from chalicelib.services.payments.settlement import SettlementService

        service = SettlementService(self.payment_repository, self.billing_repository, self.catalog, self.clock,
                                    self.events, self.payment_notices)
        service.held_events = lambda lookup, payment: self.refunds.apply_held(lookup, payment)
        return service

    @cached_property
    def refunds(self):
        """`refund_payment(account_id, payment_id, reason, actor)` for cancellations and the finance team."""
        from chalicelib.services.payments.refunds import RefundService

        return RefundService(self.payment_repository, self.billing_repository, self.card_gateway, self.catalog,
                             self.clock, self.standing_notices)

    @cached_property
    def webhooks(self):
        from chalicelib.services.payments.webhooks import WebhookService

        return WebhookService(self.settings, self.settlement, self.refunds, self.payment_repository, self.clock)

    @cached_property
    def dev_gateway(self):
        from chalicelib.services.payments.dev_gateway import DevGateway

        return DevGateway(self.settings, self.payment_repository, self.webhooks)

    @cached_property
    def card_charges(self):
        from chalicelib.services.payments.card_charges import CardChargeService

        return CardChargeService(self.payment_repository, self.billing_repository, self.card_gateway,
                                 self.card_gateway_name, self.settlement, self.payment_notices, self.checkpoints,
                                 self.clock, self.settings.card_retry_schedule)

    @cached_property
    def bank_returns(self):
        from chalicelib.services.payments.bank_returns import BankReturnService

        return BankReturnService(self.payment_repository, self.settlement, self.payment_notices, self.files,
                                 self.clock)

    @cached_property
    def remittances(self):
        from chalicelib.services.payments.remittance import RemittanceService
        from chalicelib.store.remittance_counter import next_remittance_sequence

        s = self.settings
        dynamodb = self.boto3_client("dynamodb")

        def next_sequence() -> int:
            return next_remittance_sequence(dynamodb, s.billing_table, s.boleto_bank, s.boleto_agreement or s.boleto_account)

        return RemittanceService(s, self.payment_repository, self.account_repository, self.files, self.checkpoints,
                                 next_sequence, self.clock)


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container()
    return _container


def set_container(new: Container | None) -> None:
    global _container
    _container = new
