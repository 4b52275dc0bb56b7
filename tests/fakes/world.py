"""The services as chalicelib/wiring builds them, on the fakes: `World` is the real Container with
the store and the adapters replaced, so each use case gets exactly the collaborators production gives
it. What has no fake (checkpoints, batches, the purge's raw client, SQS, AWS clients) is `Unwired`:
a use case that reaches it fails loudly instead of opening a connection.

    world = World()                      # São Paulo, 2026-04-20 10:00
    account_id = world.account()         # an account with billing data and its owner
    world.subscriptions.subscribe(account_id, SubscribeRequest(...), actor="u-1")"""
from contextlib import ExitStack, contextmanager
from functools import cached_property
from unittest import mock

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.settings import get_settings
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem, MemberItem, member_sk, user_memberships_pk
from chalicelib.store.base import account_pk
from chalicelib.wiring import Container
from tests.fakes.adapters import FakeCardGateway, FakeClock, FakeFileStore, FakeMailer, FakePublisher
from tests.fakes.store import (
    FakeAccountRepository, FakeBillingRepository, FakeCouponRepository, FakeIdempotencyRepository, FakeInvoiceReads,
    FakePaymentRepository, FakeRetentionRepository, FakeReviewRepository, FakeStore, FakeTrialRepository,
)

BILLING_DATA = {
    "legal_name": "Marcenaria Exemplo Ltda", "document": "11.222.333/0001-81",
    "address": {"street": "Rua das Flores", "number": "100", "complement": "Sala 2", "district": "Centro",
                "city": "Bento Gonçalves", "state": "RS", "cep": "95700-000"},
    "state_registration": "1234567890", "billing_emails": ["financeiro@exemplo.com.br"],
}


class NetworkUsed(AssertionError):
    pass


def _refuse_network(*args, **kwargs):
    raise NetworkUsed("a use-case test on the fakes tried to call AWS")


@contextmanager
def offline():
    """Every botocore call and HTTP send raises NetworkUsed (PynamoDB goes through botocore too)."""
    with mock.patch("botocore.client.BaseClient._make_api_call", _refuse_network), \
            mock.patch("botocore.endpoint.Endpoint.make_request", _refuse_network), \
            mock.patch("botocore.httpsession.URLLib3Session.send", _refuse_network):
        yield


class Unwired:
    """A collaborator with no fake: any use of it names itself."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        raise NotImplementedError(f"{self._name}.{attribute}: no in-memory fake (tests/fakes/world.py)")


class FakeCounters:
    """store/counters.py's allocation per (bank, agreement), in memory."""

    def __init__(self):
        self.last: dict[tuple[str, str], int] = {}

    def allocate(self, bank: str, agreement: str, max_value: int | None = None) -> int:
        from chalicelib.store.counters import NossoNumeroExhausted

        number = self.last.get((bank, agreement), 0) + 1
        if max_value is not None and number > max_value:
            raise NossoNumeroExhausted(f"nosso número range of {bank}/{agreement} is exhausted")
        self.last[(bank, agreement)] = number
        return number


# Services that still write through PynamoDB directly instead of a repository they receive; each is
# redirected to the fake store here, by name, until it goes through a repository. mock.patch fails
# loudly once the name is gone: then drop the entry.
REACHING_AROUND: dict[str, str] = {}


@contextmanager
def seams(store: FakeStore):
    with ExitStack() as stack:
        for target, method in REACHING_AROUND.items():
            stack.enter_context(mock.patch(target, getattr(store, method)))
        yield


class World(Container):
    def __init__(self, day: str = "2026-04-20", at: str = "10:00:00"):
        super().__init__(get_settings(), clock=FakeClock(day, at))
        self.store = FakeStore()

    # --- the store ---------------------------------------------------------------------------------
    @cached_property
    def billing_repository(self):
        return FakeBillingRepository(self.store)

    @cached_property
    def account_repository(self):
        return FakeAccountRepository(self.store)

    @cached_property
    def invoice_reads(self):
        return FakeInvoiceReads(self.store)

    @cached_property
    def payment_repository(self):
        return FakePaymentRepository(self.store)

    @cached_property
    def retention_repository(self):
        return FakeRetentionRepository(self.store)

    @cached_property
    def review_repository(self):
        return FakeReviewRepository(self.store)

    @cached_property
    def idempotency_repository(self):
        return FakeIdempotencyRepository(self.store)

    @cached_property
    def coupon_repository(self):
        return FakeCouponRepository(self.store)

    @cached_property
    def trial_repository(self):
        return FakeTrialRepository(self.store)

    @cached_property
    def pix_recurrences(self):
        from tests.fakes.pix_automatico import FakePixRecurrenceRepository

        return FakePixRecurrenceRepository(self.store)

    @cached_property
    def pix_psp(self):
        """The fake PSP's rules in process (built on the first call: it reads the OpenAPI document)."""
        from tests.fakes.pix_automatico import InProcessPsp

        return InProcessPsp()

    @cached_property
    def service_invoice_repository(self):
        from tests.fakes.service_invoices import FakeServiceInvoiceRepository

        return FakeServiceInvoiceRepository(self.store)

    @cached_property
    def service_invoice_authority(self):
        """The SEFIN Nacional in memory (tests/fakes/service_invoices.py)."""
        from tests.fakes.service_invoices import InMemorySefin

        return InMemorySefin(self.clock)

    @cached_property
    def render_danfse(self):
        from tests.fakes.service_invoices import render_danfse

        return render_danfse

    @cached_property
    def request_repository(self):
        from tests.fakes.service_invoices import FakeRequestRepository

        return FakeRequestRepository(self.store)

    @cached_property
    def credit_repository(self):
        from tests.fakes.finance_queues import FakeCreditRepository

        return FakeCreditRepository(self.store)

    @cached_property
    def bank_return_imports(self):
        from tests.fakes.finance_queues import FakeBankReturnImportRepository

        return FakeBankReturnImportRepository(self.store)

    system = cached_property(lambda self: Unwired("system"))
    audit_repository = cached_property(lambda self: Unwired("audit_repository"))
    raw_table = cached_property(lambda self: Unwired("raw_table"))
    checkpoints = cached_property(lambda self: Unwired("checkpoints"))
    batch_repository = cached_property(lambda self: Unwired("batch_repository"))
    dead_letters = cached_property(lambda self: Unwired("dead_letters"))

    # --- the adapters ------------------------------------------------------------------------------
    mailer = cached_property(lambda self: FakeMailer())
    events = cached_property(lambda self: FakePublisher(self.clock))

    @cached_property
    def metrics_repository(self):
        """The aggregates in memory; the rebuild reads its history from the fake billing table."""
        from tests.fakes.metrics import FakeMetricsRepository

        return FakeMetricsRepository(self.store)
    files = cached_property(lambda self: FakeFileStore())
    card_gateway = cached_property(lambda self: FakeCardGateway())
    work_queue = cached_property(lambda self: Unwired("work_queue"))

    @cached_property
    def boleto_documents(self):
        """As wiring/invoicing.py builds it, with the nosso número counter in memory."""
        from chalicelib.services.invoicing.boleto_documents import BoletoDocumentService

        return BoletoDocumentService(self.settings, self.nosso_numeros.allocate, self.files, self.clock)

    nosso_numeros = cached_property(lambda self: FakeCounters())

    def boto3_client(self, service: str):
        return Unwired(f"boto3 {service} client")

    # --- arranging ---------------------------------------------------------------------------------
    def at(self, day: str, at: str = "10:00:00") -> "World":
        self.clock.at(day, at)
        return self

    def account(self, name: str = "Marcenaria Exemplo", owner: str = "u-owner", due_day: int | None = None,
                credit_cents: int = 0, account_id: str | None = None) -> str:
        """An account with billing data and its owner, written as AccountService.create writes it."""
        account_id = account_id or f"acc_{len(self.store.billing.items):04d}"
        now = self.clock.now()
        account = AccountItem(pk=account_pk(account_id), sk=ACCOUNT_SK, account_id=account_id, name=name,
                              owner_user_id=owner, billing_data=BILLING_DATA, due_day=due_day,
                              credit_cents=credit_cents, created_at=now)
        member = MemberItem(pk=account.pk, sk=member_sk(owner), account_id=account_id, user_id=owner,
                            email=f"{owner}@exemplo.com.br", role="owner", created_at=now,
                            gsi1pk=user_memberships_pk(owner), gsi1sk=account.pk)
        tx = self.store.transaction()
        tx.save(account, condition=AccountItem.pk.does_not_exist())
        tx.save(member, condition=MemberItem.pk.does_not_exist())
        tx.commit()
        return account_id

    def today(self):
        return self.clock.now().astimezone(SAO_PAULO).date()
