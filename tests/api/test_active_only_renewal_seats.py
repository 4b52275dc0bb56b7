"""Renew only active licenses (Operand, Meu Plano: "Renovar automaticamente apenas as licenças
ativas" removes the licenses left over): when the issue-invoices job bills an `active_only` renewal,
the subscription's quantity becomes the renewed quantity — Meu Plano and the entitlements show it,
with an audit entry and a `license.seats_changed` event."""
import pytest

from chalicelib.adapters.events import RecordingPublisher
from tests.steps.billing_steps import add_card, at, plan, subscribe
from tests.steps.invoicing_steps import invoices
from tests.steps.standing_steps import audit_actions, entitlements, issue_invoices
from tests.support import make_token

OPERAND_MONTHLY = 9900


@pytest.fixture
def published(aws):
    recorder = RecordingPublisher(aws.clock)
    aws.__dict__["events"] = recorder
    return recorder.published


def _operand_five_licenses_three_active(client):
    account_id, token = client.create_account("operand-owner", "Agência Operand")
    add_card(client, account_id, token)
    at(client, "2026-03-01")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=5,
                    payment_method="card")
    members = f"/v1/accounts/{account_id}/members"
    for name in ("ana", "bia", "caio", "davi"):
        assert client.call("POST", members, token, {"email": f"{name}@example.com", "role": "member"}).status_code == 201
        client.call("GET", f"/v1/accounts/{account_id}", make_token(name, f"{name}@example.com"))  # joins
    for name in ("caio", "davi"):
        assert client.call("PATCH", f"{members}/{name}", token, {"active": False}).status_code == 200
    return account_id, token, sub["id"]


def test_active_only_renewal_makes_the_renewed_quantity_the_purchased_quantity(client, published):
    account_id, token, sub_id = _operand_five_licenses_three_active(client)
    renewal = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub_id}/renewal", token,
                          {"renewal_mode": "active_only"})
    assert renewal.status_code == 200, renewal.data
    assert renewal.data["quantity"] == 5  # nothing changes before the renewal is billed

    assert issue_invoices(client, "2026-03-25")["invoices_issued"] == 1  # D-7 of the 1 Apr renewal
    assert 3 * OPERAND_MONTHLY in [i["total_cents"] for i in invoices(client, account_id, token, status="open")]

    after = plan(client, account_id, token, sub_id)
    assert (after["quantity"], after["licenses_used"]) == (3, 3)
    assert after["next_renewal"]["quantity"] == 3
    assert entitlements(client, account_id, token)[sub_id]["seats"] == 3
    assert "license.seats_changed" in audit_actions(client, account_id, token)
    [event] = [e for e in published if e["type"] == "license.seats_changed"]
    mrr = event["data"].pop("mrr")  # the MRR it moves (docs/metrics.md), from the day it is billed
    assert event["data"] == {"subscription_id": sub_id, "product_id": "operand-pro", "quantity": 3,
                             "previous_quantity": 5, "effective_date": "2026-04-01",
                             "reason": "active_only_renewal"}
    assert (mrr["before"]["mrr_cents"], mrr["after"]["mrr_cents"], mrr["effective_date"]) == (
        5 * OPERAND_MONTHLY, 3 * OPERAND_MONTHLY, "2026-03-25")

    issue_invoices(client, "2026-03-26")  # a later run changes nothing more and publishes nothing again
    assert plan(client, account_id, token, sub_id)["quantity"] == 3
    assert [e["type"] for e in published].count("license.seats_changed") == 1


def test_renewal_of_all_licenses_keeps_the_purchased_quantity(client, published):
    account_id, token, sub_id = _operand_five_licenses_three_active(client)
    assert issue_invoices(client, "2026-03-25")["invoices_issued"] == 1
    assert plan(client, account_id, token, sub_id)["quantity"] == 5
    assert entitlements(client, account_id, token)[sub_id]["seats"] == 5
    assert "license.seats_changed" not in [e["type"] for e in published]
