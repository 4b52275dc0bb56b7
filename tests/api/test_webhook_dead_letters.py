"""Verified gateway events with fields of unexpected types: each is read into the gateway's event
model before anything is written, so it answers 200 (the gateway stops retrying), settles nothing
and is kept whole as a dead letter for the finance team. Before, each of these answered 500 — and a
non-text event id recorded the payment first, then answered 500 on every retry."""
import json

import pytest

from chalicelib.store.dead_letters import DeadLetterItem
from chalicelib.store.payments import GatewayPaymentItem, PaymentItem, ReceiptItem
from tests.steps.payment_steps import asaas_payload, customer, deliver_asaas, deliver_stripe, invoice, stripe_event
from tests.support import make_token

pytestmark = pytest.mark.ddblocal  # conditional put and the gsi1 listing on DynamoDB Local too


def _stripe(c, change) -> bytes:
    event = json.loads(stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_odd", payment_id="pi_odd"))
    change(event)
    return json.dumps(event).encode()


def _asaas(c, change) -> bytes:
    event = asaas_payload("PAYMENT_RECEIVED", "pay_odd", c.invoice_id, "198.00", "evt_odd", "PIX")
    change(event)
    return json.dumps(event).encode()


def _set(path: str, value):
    def change(event):
        *parents, last = path.split(".")
        target = event
        for name in parents:
            target = target[name]
        target[last] = value
    return change


STRIPE_CASES = {
    "data as a list": _set("data", [{"object": {}}]),
    "object as a string": _set("data.object", "pi_odd"),
    "metadata as a string": _set("data.object.metadata", "invoice_id=inv_1"),
    "created 1e20": _set("created", 1e20),
    "metadata.invoice_id as a number": _set("data.object.metadata.invoice_id", 12345),
    "event id as a number": _set("id", 98765),
}
ASAAS_CASES = {
    "payment as a string": _set("payment", "pay_odd"),
    "payment as a list": _set("payment", [{"id": "pay_odd"}]),
    "value 1e300": _set("payment.value", 1e300),
    "externalReference as a number": _set("payment.externalReference", 12345),
    "event id as a number": _set("id", 98765),
}
CASES = [("stripe", name) for name in STRIPE_CASES] + [("asaas", name) for name in ASAAS_CASES]


def _deliver(client, c, gateway: str, case: str):
    if gateway == "stripe":
        raw = _stripe(c, STRIPE_CASES[case])
        return raw, deliver_stripe(client, raw)
    raw = _asaas(c, ASAAS_CASES[case])
    return raw, deliver_asaas(client, raw)


def _nothing_settled(c) -> None:
    assert invoice(c.account_id, c.invoice_id).status == "open"
    assert list(PaymentItem.scan()) == [] and list(ReceiptItem.scan()) == []  # test-only Scans
    assert list(GatewayPaymentItem.scan()) == []


@pytest.mark.parametrize("gateway, case", CASES, ids=[f"{g}: {n}" for g, n in CASES])
def test_a_verified_event_of_unexpected_field_types_is_a_dead_letter_answered_200(client, gateway, case):
    c = customer(client)
    raw, response = _deliver(client, c, gateway, case)

    assert response.status_code == 200, response.data
    assert response.data["outcome"] == "dead_letter"
    _nothing_settled(c)
    [letter] = DeadLetterItem.scan()
    assert (letter.gateway, letter.raw_body) == (gateway, raw.decode())
    assert letter.problem_list and all(set(p) == {"field", "code"} for p in letter.problem_list)

    again = deliver_stripe(client, raw) if gateway == "stripe" else deliver_asaas(client, raw)
    assert (again.status_code, again.data["outcome"]) == (200, "dead_letter")  # a retry: still one record
    assert len(list(DeadLetterItem.scan())) == 1
    _nothing_settled(c)


def test_the_finance_team_lists_dead_letters_with_the_raw_body(client):
    c = customer(client)
    raw, _ = _deliver(client, c, "asaas", "value 1e300")
    finance = make_token("finance-user", groups=["finance"])

    listed = client.call("GET", "/v1/admin/webhook-dead-letters?limit=10", finance)

    assert listed.status_code == 200, listed.data
    [item] = listed.data["items"]
    assert (item["gateway"], item["event_id"], item["event_type"], item["raw_body"]) == \
        ("asaas", "evt_odd", "PAYMENT_RECEIVED", raw.decode())
    assert item["problems"] == [{"field": "payment.value", "code": "less_than_equal"}]
    assert client.call("GET", "/v1/admin/webhook-dead-letters", c.token).status_code == 403


def test_the_log_line_says_where_the_event_did_not_fit_never_what_it_carried(client, capsys):
    c = customer(client)
    _deliver(client, c, "stripe", "metadata.invoice_id as a number")
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    [line] = [entry for entry in logged if entry["message"] == "webhook event unreadable"]
    assert line["problems"] == [{"field": "data.object.metadata.invoice_id", "code": "string_type"}]
    assert (line["gateway"], line["event_id"]) == ("stripe", "evt_odd")
    assert c.account_id not in json.dumps(line) and "whsec" not in json.dumps(line)


@pytest.mark.parametrize("gateway", ["stripe", "asaas"])
def test_a_valid_event_still_settles(client, gateway):
    c = customer(client)
    raw = (_stripe(c, lambda event: None) if gateway == "stripe" else _asaas(c, lambda event: None))
    response = deliver_stripe(client, raw) if gateway == "stripe" else deliver_asaas(client, raw)
    assert (response.status_code, response.data["outcome"], response.data["event_id"]) == (200, "settled", "evt_odd")
    assert invoice(c.account_id, c.invoice_id).status == "paid"
    assert list(DeadLetterItem.scan()) == []
