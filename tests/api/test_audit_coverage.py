"""Every mutation of the system leaves an audit entry (PRODUCT.md §11).

The test walks the route table (chalicelib.api.routing.ENDPOINTS) and the job registry, so a route
or job added later is walked too: a mutating route (POST, PUT, PATCH, DELETE) needs an entry in
ROUTE_CASES — how to call it with a minimal valid request — or in NOT_AUDITED with the reason it
changes nothing worth auditing; a job needs an entry in JOB_CASES. A new route or job without one
fails `test_every_mutating_route_is_walked` / `test_every_job_is_walked` until it gets one.

Routes exempt by their access, not walked here:
- DEV (`/v1/_dev/...`): local-stage tools (clock, outbox); the jobs they trigger are walked below.
- WEBHOOK: gateways' callbacks need signed payloads; settlement audits its changes and is tested
  with real signatures by the payments issue.
- PUBLIC: read-only (health, OpenAPI).
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest

from chalicelib.api.access import Access
from chalicelib.jobs.registry import available_jobs
from chalicelib.store.audit import AuditItem, audit_pk
from tests.steps.routes import fill, spec_id, specs
from tests.support import VALID_BILLING_DATA, make_token

MUTATING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT_ACCESS = {Access.DEV, Access.WEBHOOK, Access.PUBLIC}
NOW = "2026-12-01T14:00:00-03:00"  # a Tuesday afternoon
CARD = {"gateway_token": "pm_card_visa", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}

# Mutating routes that change nothing a person would audit, each with its reason.
NOT_AUDITED = {
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/changes/preview":
        "read-only: computes what a change would do and stores nothing",
    "PUT /v1/internal/accounts/{account_id}/usage":
        "telemetry from the vendor's product, overwritten on every report (services/subscriptions/storage.py)",
}


@dataclass
class World:
    """An account with its owner, the clock at NOW, and shortcuts to build what a route needs."""

    client: object
    account_id: str
    owner: str
    staff: str = field(default_factory=lambda: make_token("fin-1", "carla@vendor.example", groups=["finance"]))

    @property
    def path(self) -> str:
        return f"/v1/accounts/{self.account_id}"

    def ok(self, method: str, path: str, body=None, token: str | None = None) -> dict:
        response = self.client.call(method, path, token or self.owner, body)
        assert response.status_code < 300, (method, path, response.data)
        return response.data

    def subscription(self, payment_method: str = "boleto") -> str:
        body = {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                "payment_method": payment_method}
        return self.ok("POST", f"{self.path}/subscriptions", body)["id"]

    def card(self) -> None:
        self.ok("PUT", f"{self.path}/card", CARD)

    def request(self) -> str:
        return self.ok("POST", f"{self.path}/requests", {"type": "other", "text": "Dúvida"})["id"]

    def member(self, user: str, role: str = "member") -> str:
        email = f"{user}@example.com"
        self.ok("POST", f"{self.path}/members", {"email": email, "role": role})
        self.ok("GET", self.path, token=make_token(user, email))  # joins on first request
        return user


@dataclass
class Call:
    body: dict | None = None
    params: dict = field(default_factory=dict)
    token: str | None = None  # the owner's when None
    raw: bytes | None = None  # a body that is not JSON (a bank file)
    # Whose audit trail must grow; the world's account when None.
    audited_account: Callable[[dict], str] | None = None


def _subscribed(w: World, body: dict, payment_method: str = "boleto") -> Call:
    return Call(body, {"subscription_id": w.subscription(payment_method)})


def _with_card(w: World) -> Call:
    w.card()
    return Call()


def _request_thread(w: World) -> Call:
    return Call({"text": "Mais uma informação"}, {"request_id": w.request()})


def _answered(w: World) -> Call:
    return Call({"text": "Respondido", "close": True}, {"request_id": w.request()}, token=w.staff)


COUPON = {"code": "AUDITADO", "percent_off": 10, "duration": "once"}


def _coupon(w: World) -> Call:
    w.ok("POST", "/v1/admin/coupons", COUPON, token=w.staff)
    return Call(params={"code": "auditado"}, token=w.staff, audited_account=lambda data: "vendor")


def _coupon_to_apply(w: World) -> Call:
    w.ok("POST", "/v1/admin/coupons", COUPON, token=w.staff)
    return _subscribed(w, {"code": "AUDITADO"})


def _pix_automatico_to_authorise(w: World) -> Call:
    w.ok("PUT", f"{w.path}/billing-data", VALID_BILLING_DATA)
    return _subscribed(w, None)


def _pix_automatico_to_cancel(w: World) -> Call:
    call = _pix_automatico_to_authorise(w)
    w.ok("POST", f"{w.path}/subscriptions/{call.params['subscription_id']}/pix-automatico")
    return call


def _payment_method(w: World) -> Call:
    w.card()
    return _subscribed(w, {"payment_method": "card"})


def _invoice_without_boleto(w: World) -> Call:
    """An order's open boleto invoice: its 2ª via issues the boleto (billing data needed)."""
    w.ok("PUT", f"{w.path}/billing-data", VALID_BILLING_DATA)
    body = {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 1, "payment_method": "boleto"}
    return Call(params={"invoice_id": w.ok("POST", f"{w.path}/subscriptions", body)["invoice_id"]})


def _invoice_to_pay_by_card(w: World) -> Call:
    w.card()
    body = {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 1, "payment_method": "boleto"}
    return Call(params={"invoice_id": w.ok("POST", f"{w.path}/subscriptions", body)["invoice_id"]})


def _card_payment_to_refund(w: World) -> Call:
    invoice_id = _invoice_to_pay_by_card(w).params["invoice_id"]
    payment_id = w.ok("POST", f"{w.path}/invoices/{invoice_id}/pay")["payment"]["id"]
    return Call({"reason": "Desistência no prazo"}, {"payment_id": payment_id}, token=w.staff)


def _bank_return_paying_a_boleto(w: World) -> Call:
    """CNAB240.RET's first liquidation pays a boleto of this account (its nosso número seeded)."""
    from tests.steps.bank_files import first_liquidation, reference_file, seed_boleto

    seed_boleto(w.account_id, first_liquidation())
    return Call(raw=reference_file("CNAB240.RET"), token=w.staff)


def _cancellation_scheduled(w: World) -> Call:
    """An annual subscription cancelled two weeks after purchase: scheduled for the period end."""
    body = {"product_id": "operand-pro", "periodicity": "annual", "quantity": 1, "payment_method": "boleto"}
    subscription_id = w.ok("POST", f"{w.path}/subscriptions", body)["id"]
    w.ok("PUT", "/v1/_dev/clock", {"now": "2026-12-15T10:00:00-03:00"})
    w.ok("POST", f"{w.path}/subscriptions/{subscription_id}/cancel", {"reason": "Mudança de sistema"})
    return Call(params={"subscription_id": subscription_id})


def _batch(w: World, assigned: bool = True, body: dict | None = None) -> Call:
    """A partner batch of three licenses; lic-001 assigned to a client when `assigned`."""
    batch = {"product_id": "conta-azul-mais", "periodicity": "monthly", "quantity": 3, "payment_method": "boleto"}
    subscription_id = w.ok("POST", f"{w.path}/subscriptions", batch)["id"]
    if assigned:
        w.ok("POST", f"{w.path}/batches/{subscription_id}/licenses/lic-001/assign",
             {"name": "Cliente Um", "owner_email": "dono@cliente-um.example"})
    return Call(body, {"subscription_id": subscription_id, "license_id": "lic-001"})


def _machine_on_a_license_key(w: World) -> Call:
    """A Promob Studio seat's license key, activated on one machine by the vendor's program."""
    body = {"product_id": "promob-cats-mandatory", "periodicity": "monthly", "quantity": 1, "payment_method": "boleto"}
    w.ok("POST", f"{w.path}/subscriptions", body)
    [key] = w.ok("GET", f"{w.path}/licenses")["items"]
    w.ok("POST", "/v1/licenses/activate", {"license_key": key["key"], "fingerprint": "fp-1", "machine_name": "PC"})
    return Call({"fingerprint": "fp-1"}, {"license_id": key["id"]})


ROUTE_CASES: dict[str, Callable[[World], Call]] = {
    "POST /v1/accounts": lambda w: Call({"name": "Outra conta"}, audited_account=lambda data: data["id"]),
    "PUT /v1/accounts/{account_id}/billing-data": lambda w: Call(VALID_BILLING_DATA),
    "PUT /v1/accounts/{account_id}/billing-settings": lambda w: Call({"due_day": 15}),
    "POST /v1/accounts/{account_id}/members": lambda w: Call({"email": "novo@example.com", "role": "admin"}),
    "PATCH /v1/accounts/{account_id}/members/{user_id}": lambda w: Call({"role": "finance"},
                                                                       {"user_id": w.member("marta")}),
    "PUT /v1/accounts/{account_id}/card": lambda w: Call(CARD),
    "DELETE /v1/accounts/{account_id}/card": _with_card,
    "POST /v1/accounts/{account_id}/subscriptions": lambda w: Call(
        {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 1, "payment_method": "boleto"}),
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/changes":
        lambda w: _subscribed(w, {"quantity": 3, "payment_method": "boleto"}),
    "PUT /v1/accounts/{account_id}/subscriptions/{subscription_id}/renewal":
        lambda w: _subscribed(w, {"renewal_mode": "active_only"}),
    "PUT /v1/accounts/{account_id}/subscriptions/{subscription_id}/payment-method": _payment_method,
    "POST /v1/accounts/{account_id}/backups": lambda w: Call({"run_at": "2026-12-01T20:00:00-03:00"}),
    "POST /v1/accounts/{account_id}/invoices/{invoice_id}/second-copy": _invoice_without_boleto,
    "POST /v1/accounts/{account_id}/requests": lambda w: Call({"type": "nota_fiscal", "text": "NF de novembro"}),
    "POST /v1/accounts/{account_id}/requests/{request_id}/messages": _request_thread,
    "POST /v1/admin/requests/{request_id}/messages": _answered,
    "POST /v1/admin/accounts/{account_id}/credits": lambda w: Call({"amount_cents": 1000, "reason": "Cortesia"},
                                                                   token=w.staff),
    "POST /v1/accounts/{account_id}/invoices/{invoice_id}/pay": _invoice_to_pay_by_card,
    "POST /v1/admin/accounts/{account_id}/payments/{payment_id}/refund": _card_payment_to_refund,
    "POST /v1/admin/bank-returns": _bank_return_paying_a_boleto,
    "POST /v1/admin/coupons": lambda w: Call(COUPON, token=w.staff, audited_account=lambda data: "vendor"),
    "DELETE /v1/admin/coupons/{code}": _coupon,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/coupon": _coupon_to_apply,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico": _pix_automatico_to_authorise,
    "DELETE /v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico": _pix_automatico_to_cancel,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/cancel":
        lambda w: _subscribed(w, {"reason": "Desisti da compra"}),
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/reactivate": _cancellation_scheduled,
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/assign":
        lambda w: _batch(w, assigned=False, body={"name": "Cliente Dois", "owner_email": "dona@dois.example"}),
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/substitute":
        lambda w: _batch(w, body={"name": "Cliente Três", "owner_email": "dono@tres.example"}),
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/transfer": _batch,
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/cancel":
        lambda w: _batch(w, body={"reason": "Cliente encerrou a empresa"}),
    "POST /v1/accounts/{account_id}/licenses/{license_id}/deactivate": _machine_on_a_license_key,
}


def _backup_due_at_20h(w: World) -> str:
    w.ok("POST", f"{w.path}/backups", {"run_at": "2026-12-01T20:00:00-03:00"})
    w.ok("PUT", "/v1/_dev/clock", {"now": "2026-12-01T20:00:00-03:00"})
    return w.account_id


def _cancelled_90_days_ago(w: World, aws) -> str:
    aws.retention.schedule_purge(w.account_id, date(2026, 12, 1))
    w.ok("PUT", "/v1/_dev/clock", {"now": "2027-03-01T03:00:00-03:00"})
    return w.account_id


def _renewal_issued_a_week_ahead(w: World) -> str:
    """A monthly subscription from 1 December renews on 1 January: its invoice is issued on 25 December."""
    w.ok("PUT", f"{w.path}/billing-data", VALID_BILLING_DATA)
    w.subscription()
    w.ok("PUT", "/v1/_dev/clock", {"now": "2026-12-25T06:00:00-03:00"})
    return w.account_id


def _card_invoice_due_today(w: World) -> str:
    w.card()
    w.subscription("card")
    return w.account_id


def _boleto_issued_today(w: World) -> str:
    """A 2ª via issues the boleto; the day's remittance registers it at the bank."""
    invoice_id = _invoice_without_boleto(w).params["invoice_id"]
    w.ok("POST", f"{w.path}/invoices/{invoice_id}/second-copy")
    return w.account_id


def _boleto_overdue(w: World) -> str:
    """A boleto due on 1 December, unpaid on the 3rd: the subscription becomes past_due."""
    w.subscription()
    w.ok("PUT", "/v1/_dev/clock", {"now": "2026-12-03T07:00:00-03:00"})
    return w.account_id


def _boleto_due_in_three_days(w: World) -> str:
    """The renewal invoiced on 25 December (due 1 January) is reminded on 29 December."""
    _renewal_issued_a_week_ahead(w)
    w.ok("POST", "/v1/_dev/jobs/issue-invoices")
    w.ok("PUT", "/v1/_dev/clock", {"now": "2026-12-29T09:00:00-03:00"})
    return w.account_id


def _invoice_paid_for_its_nfse(w: World, aws) -> str:
    """A paid invoice waits for its NFS-e; the SEFIN is the in-memory one (tests/fakes/service_invoices.py)."""
    from tests.fakes.service_invoices import InMemorySefin

    aws.__dict__["service_invoice_authority"] = InMemorySefin(aws.clock)
    w.ok("PUT", f"{w.path}/billing-data", VALID_BILLING_DATA)
    body = {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2, "payment_method": "boleto"}
    invoice_id = w.ok("POST", f"{w.path}/subscriptions", body)["invoice_id"]
    w.ok("POST", "/v1/_dev/gateway/pay", {"invoice_id": invoice_id, "method": "pix"})
    return w.account_id


# Job → prepares work for it and returns the account whose audit trail the run must grow.
JOB_CASES: dict[str, Callable] = {
    "charge-cards": lambda w, aws: _card_invoice_due_today(w),
    "register-boletos": lambda w, aws: _boleto_issued_today(w),
    "run-backups": lambda w, aws: _backup_due_at_20h(w),
    "issue-invoices": lambda w, aws: _renewal_issued_a_week_ahead(w),
    "purge-accounts": _cancelled_90_days_ago,  # its entry is the tombstone, the trail's last word
    "check-overdue": lambda w, aws: _boleto_overdue(w),
    "send-reminders": lambda w, aws: _boleto_due_in_three_days(w),
    "issue-service-invoices": _invoice_paid_for_its_nfse,
}


def mutating_specs():
    return [s for s in specs() if s.method in MUTATING_METHODS and s.access not in EXEMPT_ACCESS]


def audit_ids(account_id: str) -> set[str]:
    return {item.sk for item in AuditItem.query(audit_pk(account_id))}


@pytest.fixture
def world(client) -> World:
    assert client.call("PUT", "/v1/_dev/clock", None, {"now": NOW}).status_code == 200
    account_id, owner = client.create_account("owner-user", "Conta auditada")
    return World(client, account_id, owner)


def test_every_mutating_route_is_walked():
    walked = {spec_id(s) for s in mutating_specs()}
    missing = walked - set(ROUTE_CASES) - set(NOT_AUDITED)
    assert not missing, f"add these routes to ROUTE_CASES (or NOT_AUDITED, with a reason): {sorted(missing)}"
    stale = (set(ROUTE_CASES) | set(NOT_AUDITED)) - walked
    assert not stale, f"these routes no longer exist: {sorted(stale)}"


def test_every_job_is_walked():
    missing = set(available_jobs()) - set(JOB_CASES)
    assert not missing, f"add these jobs to JOB_CASES: {sorted(missing)}"


@pytest.mark.parametrize("spec", [s for s in mutating_specs() if spec_id(s) not in NOT_AUDITED], ids=spec_id)
def test_a_mutating_route_writes_an_audit_entry(world, spec):
    case = ROUTE_CASES.get(spec_id(spec))
    if case is None:
        pytest.fail(f"{spec_id(spec)} has no entry in ROUTE_CASES")
    call = case(world)
    before = audit_ids(world.account_id)
    path = fill(spec.path, account_id=world.account_id, **call.params)
    response = world.client.call(spec.method, path, call.token or world.owner, call.body, raw=call.raw)
    assert response.status_code < 300, (spec_id(spec), response.data)
    account_id = call.audited_account(response.data) if call.audited_account else world.account_id
    if account_id != world.account_id:
        before = set()
    new_entries = audit_ids(account_id) - before
    assert new_entries, f"{spec_id(spec)} changed something and left no audit entry"


@pytest.mark.parametrize("job", sorted(JOB_CASES))
def test_a_job_writes_an_audit_entry(world, aws, job):
    account_id = JOB_CASES[job](world, aws)
    before = audit_ids(account_id)
    summary = world.ok("POST", f"/v1/_dev/jobs/{job}")
    assert summary["processed"] >= 1, summary
    new_actions = [item.action for item in AuditItem.query(audit_pk(account_id)) if item.sk not in before]
    assert new_actions, f"job {job} did its work and left no audit entry"
