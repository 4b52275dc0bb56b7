"""Settlement end to end through HTTP with the dev clock: what a payment does to the invoice, the
subscription, the account credit, the audit trail, the e-mails and the domain events."""
from datetime import date, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from botocore.client import BaseClient

from chalicelib.adapters.events import RecordingPublisher
from chalicelib.services.invoicing.orders import BilledPeriod, Line
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
from tests.steps.billing_steps import at
from tests.steps.payment_steps import (
    credit, customer, deliver_stripe, dev_pay, invoice, payments, stripe_event, subjects, subscription,
    write_invoice,
)

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
DAY_ONE = "2026-12-01"


@pytest.fixture
def published(aws):
    recorder = RecordingPublisher(aws.clock)
    aws.__dict__["events"] = recorder
    return recorder.published


def audit_actions(client, c) -> list[str]:
    return [e["action"] for e in client.call("GET", f"{c.path}/audit?limit=100", c.token).data["items"]]


def suspend(account_id: str, subscription_id: str) -> None:
    item = subscription(account_id, subscription_id)
    item.status = "suspended"
    item.save()


def test_a_boleto_invoice_paid_through_the_fake_gateway_restores_the_license(client, published):
    c = customer(client, day=DAY_ONE)
    published.clear()  # the invoice.issued of the subscription's boleto: only the payment's from here
    suspend(c.account_id, c.subscription_id)  # as the overdue rules would have left it
    at(client, "2026-12-04")

    response = dev_pay(client, c.invoice_id, "boleto")

    assert response.status_code == 200, response.data
    assert response.data["gateway"] == "asaas" and response.data["outcome"] == "settled"
    assert response.data["invoice_status"] == "paid" and response.data["amount_cents"] == 19_800
    assert invoice(c.account_id, c.invoice_id).status == "paid"
    assert subscription(c.account_id, c.subscription_id).status == "active"
    plan = client.call("GET", f"{c.path}/subscriptions/{c.subscription_id}", c.token).data
    assert plan["status"] == "active" and plan["open_invoices"]["count"] == 0
    assert "Pagamento confirmado — R$ 198,00 — Conta de owner" in subjects(client, "financeiro@exemplo.com.br")
    assert [e["type"] for e in published] == ["invoice.paid", "license.restored"]
    assert published[1]["data"] == {"subscription_id": c.subscription_id, "product_id": "operand-pro",
                                    "license": "active", "support": True, "updates": True}
    assert "payment.settled" in audit_actions(client, c)
    [payment] = payments(client, c)
    assert payment["paid_at"].startswith("2026-12-04")


def test_a_card_payment_through_the_fake_gateway_is_a_signed_stripe_event(client):
    c = customer(client, method="card", day=DAY_ONE)
    response = dev_pay(client, c.invoice_id, "card")
    assert (response.data["gateway"], response.data["outcome"]) == ("stripe", "settled")
    assert response.data["event_id"].startswith("evt_")
    assert payments(client, c)[0]["method"] == "card"


def test_the_fake_gateway_answers_404_for_an_unknown_invoice_and_409_when_nothing_is_owed(client):
    assert dev_pay(client, "inv_nada", "pix").status_code == 404
    c = customer(client, day=DAY_ONE)
    dev_pay(client, c.invoice_id, "pix")
    again = dev_pay(client, c.invoice_id, "pix")
    assert again.status_code == 409 and again.data["error"]["code"] == "invoice_not_payable"


def test_underpayment_of_r_10_leaves_r_10_open_then_the_rest_pays_it(client, published):
    c = customer(client, day=DAY_ONE)
    published.clear()  # the invoice.issued of the subscription's boleto: only the payment's from here
    first = dev_pay(client, c.invoice_id, "pix", 18_800)
    assert first.data["invoice_status"] == "partially_paid"
    stored = invoice(c.account_id, c.invoice_id)
    assert stored.total_cents - stored.paid_cents == 1_000
    summary = OpenInvoiceItem.get(account_pk(c.account_id), open_invoice_sk(c.invoice_id))
    assert summary.status == "partially_paid"  # still on "Meu Plano", with what is left
    assert "ainda faltam R$ 10,00" in client.call("GET", "/v1/_dev/outbox").data["items"][0]["text"]
    assert published == []  # not paid yet

    rest = dev_pay(client, c.invoice_id, "pix")  # the fake gateway pays what is still owed
    assert (rest.data["amount_cents"], rest.data["invoice_status"]) == (1_000, "paid")
    assert [e["type"] for e in published] == ["invoice.paid"]
    assert [p["applied_cents"] for p in payments(client, c)] == [1_000, 18_800]


def test_overpayment_of_r_5_becomes_credit_used_by_the_next_invoice(client):
    c = customer(client, day=DAY_ONE)
    paid = dev_pay(client, c.invoice_id, "boleto", 20_300)
    assert paid.data["invoice_status"] == "paid"
    assert credit(client, c) == 500
    assert payments(client, c)[0]["credit_cents"] == 500

    other = client.call("POST", f"{c.path}/subscriptions", c.token,
                        {"product_id": "promob-cats-optional", "periodicity": "monthly", "payment_method": "boleto"})
    assert other.status_code == 201, other.data
    next_invoice = invoice(c.account_id, other.data["invoice_id"])
    assert next_invoice.total_cents == 8_900 - 500
    assert [line.amount_cents for line in next_invoice.lines if line.kind == "credit"] == [-500]
    assert credit(client, c) == 0


def test_a_payment_of_a_paid_invoice_becomes_credit_whole(client):
    c = customer(client, day=DAY_ONE)
    dev_pay(client, c.invoice_id, "pix")
    again = dev_pay(client, c.invoice_id, "boleto", 19_800)
    assert (again.data["outcome"], again.data["invoice_status"]) == ("credited", "paid")
    assert credit(client, c) == 19_800


def test_a_renewal_payment_extends_the_subscription_to_the_next_period(aws, client):
    c = customer(client, day=DAY_ONE)
    dev_pay(client, c.invoice_id, "boleto")
    before = subscription(c.account_id, c.subscription_id)
    assert (before.current_period_start, before.current_period_end) == (date(2026, 12, 1), date(2027, 1, 1))
    at(client, "2026-12-25")
    renewal = write_invoice(aws, c.account_id, [
        Line("Operand Pro — 2 licenças", 19_800, "subscription", c.subscription_id, date(2027, 1, 1), date(2027, 2, 1)),
        Line("Armazenamento adicional — 10 GB", 1_500, "addon", c.subscription_id, date(2027, 1, 1), date(2027, 2, 1)),
    ], now=datetime(2026, 12, 25, 6, tzinfo=SAO_PAULO), billed=[BilledPeriod(c.subscription_id, 1, date(2027, 1, 1))])

    dev_pay(client, renewal.invoice_id, "boleto")

    after = subscription(c.account_id, c.subscription_id)
    assert (after.current_period_start, after.current_period_end) == (date(2027, 1, 1), date(2027, 2, 1))
    assert [(p.amount_cents, p.since) for p in after.period_payments] == [(21_300, date(2027, 1, 1))]
    assert after.version == before.version + 1


def test_a_payment_for_a_superseded_invoice_pays_the_invoice_that_carries_its_items(aws, client):
    c = customer(client, day=DAY_ONE)
    at(client, "2026-12-20")
    newer = write_invoice(aws, c.account_id, [
        Line("Itens da fatura anterior", 19_800, "subscription", c.subscription_id, date(2026, 12, 1), date(2027, 1, 1)),
        Line("Renovação", 19_800, "subscription", c.subscription_id, date(2027, 1, 1), date(2027, 2, 1)),
    ], now=datetime(2026, 12, 20, 6, tzinfo=SAO_PAULO))
    older = invoice(c.account_id, c.invoice_id)
    older.status, older.superseded_by = "superseded", newer.invoice_id  # as carrying it over leaves it
    older.save()

    response = dev_pay(client, c.invoice_id, "boleto", 19_800)  # the old boleto, paid late

    assert response.data["outcome"] == "settled" and response.data["invoice_id"] == newer.invoice_id
    [payment] = payments(client, c)
    assert (payment["invoice_id"], payment["document_invoice_id"]) == (newer.invoice_id, c.invoice_id)
    stored = invoice(c.account_id, newer.invoice_id)
    assert (stored.status, stored.paid_cents) == ("partially_paid", 19_800)
    assert credit(client, c) == 0  # nothing paid is lost, nothing counted twice


def test_settling_a_webhook_takes_at_most_four_dynamodb_calls(aws, client):
    c = customer(client, day=DAY_ONE)
    raw = stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_counted")
    calls = []
    original = BaseClient._make_api_call

    def counting(self, operation, params):
        key = params.get("Key") or params.get("Item") or {}
        # The local stage's settable clock and e-mail outbox are local conveniences, not settlement.
        # So is the metrics consumer's transaction, run in the request only there (docs/metrics.md).
        metrics = "METRICS_FACT#" in str((params.get("TransactItems") or [{}])[0])
        if (self.meta.service_model.service_name == "dynamodb" and not metrics
                and key.get("pk", {}).get("S") not in ("SYSTEM", "OUTBOX")):
            calls.append(operation)
        return original(self, operation, params)

    with patch.object(BaseClient, "_make_api_call", counting):
        assert deliver_stripe(client, raw).data["outcome"] == "settled"
    # The receipt and the invoice in one read, the account's live items, one transaction, and the
    # receipt's notice marked delivered once the e-mail and the event are out.
    assert calls == ["BatchGetItem", "Query", "TransactWriteItems", "UpdateItem"], calls
    with patch.object(BaseClient, "_make_api_call", counting):
        calls.clear()
        assert deliver_stripe(client, raw).data["outcome"] == "duplicate"
    assert calls == ["BatchGetItem"]


def test_every_settlement_leaves_an_audit_entry_with_what_it_did(client):
    c = customer(client, day=DAY_ONE)
    dev_pay(client, c.invoice_id, "pix", 20_000)
    entries = client.call("GET", f"{c.path}/audit", c.token).data["items"]
    settled = next(e for e in entries if e["action"] == "payment.settled")
    assert settled["actor"] == "gateway:asaas" and settled["target"] == c.invoice_id
    assert settled["after"]["applied_cents"] == 19_800 and settled["after"]["credit_cents"] == 200


def test_payments_are_listed_newest_first_with_signed_cursors(client):
    c = customer(client, day=DAY_ONE)
    for amount in (1_000, 2_000, 3_000):
        dev_pay(client, c.invoice_id, "pix", amount)
    first = client.call("GET", f"{c.path}/payments?limit=2", c.token).data
    assert [p["amount_cents"] for p in first["items"]] == [3_000, 2_000]
    rest = client.call("GET", f"{c.path}/payments?limit=2&cursor={first['next_cursor']}", c.token).data
    assert [p["amount_cents"] for p in rest["items"]] == [1_000] and rest["next_cursor"] is None
    tampered = first["next_cursor"][:-2] + ("AA" if not first["next_cursor"].endswith("AA") else "BB")
    assert client.call("GET", f"{c.path}/payments?cursor={tampered}", c.token).status_code == 400
    other = customer(client, "outro")
    foreign = client.call("GET", f"{other.path}/payments?cursor={first['next_cursor']}", other.token)
    assert foreign.status_code == 400 and foreign.data["error"]["code"] == "invalid_cursor"
