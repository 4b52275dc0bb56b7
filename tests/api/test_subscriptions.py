"""Subscriptions through HTTP: subscribing, Meu Plano, changes, renewal mode, payment method,
account credit, optimistic locking, audit trail and the DynamoDB cost of the two hot routes."""
import pytest

from tests.steps.billing_steps import account, add_card, at, change, half_up, plan, subscribe
from tests.steps.dynamodb_calls import dynamodb_calls
from tests.steps.invoicing_steps import pay
from tests.support import make_token

# Conditional writes and version checks also run on AWS DynamoDB Local (second pass of `make test`).
pytestmark = pytest.mark.ddblocal

INTERNAL = {"X-Internal-Token": "local-internal-token"}


@pytest.fixture
def customer(client):
    account_id, token = client.create_account("owner-1", "Cliente")
    add_card(client, account_id, token)
    at(client, "2026-03-01")
    return account_id, token


def _subscribe_refusal(client, account_id, token, body):
    response = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, body)
    assert response.status_code in (409, 422), response.data
    return response.status_code, response.data["error"]["code"]


# --- subscribing -----------------------------------------------------------------------------

def test_subscribing_invoices_the_first_period_at_once(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="quarterly", quantity=3,
                    storage_gb=5)
    assert (sub["status"], sub["current_period_start"], sub["current_period_end"]) == (
        "active", "2026-03-01", "2026-06-01")
    total = 3 * 28200 + 5 * 450
    assert sub["paid_cents"] == total
    invoices = sub["open_invoices"]
    assert invoices["count"] == 1 and invoices["items"][0]["id"] == sub["invoice_id"]
    assert invoices["items"][0]["total_cents"] == total and invoices["items"][0]["due_date"] == "2026-03-01"
    assert sub["next_due_date"] == "2026-03-01"


@pytest.mark.parametrize("body, expected", [
    ({"product_id": "nope", "periodicity": "monthly"}, (422, "unknown_product")),
    ({"product_id": "storage-gb", "periodicity": "monthly"}, (422, "unknown_product")),
    ({"product_id": "conecta-app", "periodicity": "quarterly"}, (422, "periodicity_not_offered")),
    ({"product_id": "conecta-app", "periodicity": "monthly", "quantity": 3}, (422, "quantity_not_applicable")),
    ({"product_id": "conecta-app", "periodicity": "annual", "storage_gb": 5}, (422, "storage_not_offered")),
    ({"product_id": "operand-pro", "periodicity": "monthly", "quantity": 0}, (422, "validation_error")),
    ({"product_id": "operand-pro", "periodicity": "weekly"}, (422, "validation_error")),
])
def test_subscribing_to_what_the_catalog_does_not_offer_is_refused(client, customer, body, expected):
    account_id, token = customer
    assert _subscribe_refusal(client, account_id, token, body) == expected


def test_paying_by_card_needs_a_card_on_the_account(client):
    account_id, token = client.create_account("no-card")
    assert _subscribe_refusal(client, account_id, token, {"product_id": "operand-pro", "periodicity": "monthly",
                                                          "payment_method": "card"}) == (409, "card_required")
    by_boleto = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                          payment_method="boleto")
    assert by_boleto["payment_method"] == "boleto"


def test_the_account_default_method_is_used_when_none_is_chosen(client, customer):
    account_id, token = customer
    client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"default_payment_method": "boleto"})
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    assert sub["payment_method"] == "boleto" and sub["open_invoices"]["items"][0]["payment_method"] == "boleto"


# --- account credit --------------------------------------------------------------------------

def _account_with_credit(client, customer) -> int:
    """Annual CONECTA downgraded to monthly halfway: leaves centavos of account credit."""
    account_id, token = customer
    at(client, "2026-01-01")
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="annual")
    pay(client, sub["invoice_id"])  # only money received becomes credit
    at(client, "2026-07-01")
    credit = change(client, account_id, token, sub["id"], {"periodicity": "monthly"}).data["account_credit_cents"]
    assert credit > 0 and account(client, account_id, token)["credit_cents"] == credit
    return credit


def test_account_credit_pays_the_next_invoice_first(client, customer):
    account_id, token = customer
    credit = _account_with_credit(client, customer)
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2)
    invoice = sub["open_invoices"]["items"][0]
    assert invoice["total_cents"] == 2 * 9900 - credit
    assert sub["account_credit_cents"] == 0 and account(client, account_id, token)["credit_cents"] == 0


def test_account_credit_pays_an_order_first_and_the_change_says_so(client, customer):
    account_id, token = customer
    at(client, "2026-07-01")
    operand = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                        payment_method="boleto")
    credit = _account_with_credit(client, customer)  # on 1 Jul, after the operand invoice
    at(client, "2026-07-15")
    response = change(client, account_id, token, operand["id"], {"quantity": 3})
    assert response.status_code == 200, response.data
    charge = half_up(2 * 9900 * 17, 31)
    assert response.data["charge_now_cents"] == charge
    assert response.data["account_credit_applied_cents"] == credit
    assert response.data["amount_due_cents"] == charge - credit
    assert response.data["lines"][-1] == {"description": "Crédito da conta aplicado (R$ 2,64)",
                                          "amount_cents": -credit, "kind": "credit", "subscription_id": None,
                                          "period_start": None, "period_end": None}
    assert account(client, account_id, token)["credit_cents"] == 0


def test_an_order_smaller_than_the_account_credit_is_paid_by_it(client, customer):
    account_id, token = customer
    at(client, "2026-07-01")
    operand = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                        payment_method="boleto")
    credit = _account_with_credit(client, customer)  # on 1 Jul, after the operand invoice
    at(client, "2026-07-31")
    response = change(client, account_id, token, operand["id"], {"storage_gb": 1})
    charge = half_up(150 * 1, 31)  # one GB for the period's last day
    assert response.data["charge_now_cents"] == response.data["account_credit_applied_cents"] == charge
    assert response.data["amount_due_cents"] == 0
    view = plan(client, account_id, token, operand["id"])
    assert response.data["invoice_id"] not in [i["id"] for i in view["open_invoices"]["items"]]  # paid
    assert account(client, account_id, token)["credit_cents"] == credit - charge


# --- Meu Plano -------------------------------------------------------------------------------

def test_meu_plano_shows_licenses_and_storage_used_and_purchased(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=4,
                    storage_gb=20)
    client.call("POST", f"/v1/accounts/{account_id}/members", token, {"email": "x@example.com", "role": "member"})
    usage = client.call("PUT", f"/v1/internal/accounts/{account_id}/usage", None,
                        {"storage_used_bytes": 5 * 1024 ** 3 + 512 * 1024 ** 2}, headers=INTERNAL)
    assert usage.status_code == 200, usage.data
    view = plan(client, account_id, token, sub["id"])
    assert (view["quantity"], view["licenses_used"]) == (4, 2)
    assert (view["storage_gb"], view["storage_used_gb"]) == (20, 5.5)
    assert view["card"] == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2031}
    assert view["renewal_mode"] == "all" and view["auto_renew"] is True
    assert view["next_renewal"]["amount_cents"] == 4 * 9900 + 20 * 150
    storage = client.call("GET", f"/v1/accounts/{account_id}/storage", token).data
    assert (storage["storage_gb"], storage["storage_used_bytes"]) == (20, 5 * 1024 ** 3 + 512 * 1024 ** 2)
    assert storage["subscriptions"] == [{"subscription_id": sub["id"], "product_id": "operand-pro",
                                         "storage_gb": 20}]


def test_usage_needs_the_internal_token_and_an_existing_account(client, customer):
    account_id, token = customer
    path = f"/v1/internal/accounts/{account_id}/usage"
    assert client.call("PUT", path, token, {"storage_used_bytes": 1}).status_code == 401
    missing = client.call("PUT", "/v1/internal/accounts/acc_missing/usage", None, {"storage_used_bytes": 1},
                          headers=INTERNAL)
    assert missing.status_code == 404 and missing.data["error"]["code"] == "account_not_found"


def test_subscriptions_list_is_paginated_with_signed_cursors(client, customer):
    account_id, token = customer
    ids = [subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")["id"]
           for _ in range(3)]
    path = f"/v1/accounts/{account_id}/subscriptions"
    first = client.call("GET", path + "?limit=2", token).data
    assert [s["id"] for s in first["items"]] == ids[:2] and first["next_cursor"]
    second = client.call("GET", f"{path}?limit=2&cursor={first['next_cursor']}", token).data
    assert [s["id"] for s in second["items"]] == ids[2:] and second["next_cursor"] is None
    other_id, other_token = client.create_account("someone-else")
    foreign = client.call("GET", f"/v1/accounts/{other_id}/subscriptions?cursor={first['next_cursor']}", other_token)
    assert foreign.status_code == 400 and foreign.data["error"]["code"] == "invalid_cursor"


def test_another_accounts_subscription_is_not_found(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    other_id, other_token = client.create_account("someone-else")
    response = client.call("GET", f"/v1/accounts/{other_id}/subscriptions/{sub['id']}", other_token)
    assert response.status_code == 404 and response.data["error"]["code"] == "subscription_not_found"


# --- changes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ({"quantity": 2}, (409, "license_reduction_at_renewal")),
    ({"quantity": 3}, (409, "nothing_to_change")),
    ({"storage_gb": 0, "quantity": 4}, (200, None)),
    ({"payment_method": "card"}, (422, "validation_error")),
    ({"quantity": 4, "make_default": True}, (422, "validation_error")),
    ({"product_id": "conecta-app", "quantity": 2}, (422, "quantity_not_applicable")),
    ({"product_id": "mentoria-12", "periodicity": "annual"}, (422, "periodicity_not_offered")),
    ({"product_id": "mentoria-12", "periodicity": "monthly"}, (409, "plan_change_not_offered")),
    ({"product_id": "conta-azul-mais", "periodicity": "monthly"}, (409, "plan_change_not_offered")),
])
def test_changes_are_checked_the_same_way_in_preview_and_apply(client, customer, body, expected):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=3)
    at(client, "2026-03-10")
    preview = change(client, account_id, token, sub["id"], body, preview=True)
    applied = change(client, account_id, token, sub["id"], body)
    for response in (preview, applied):
        code = response.data.get("error", {}).get("code") if response.status_code != 200 else None
        assert (response.status_code, code) == expected, response.data


def test_a_plan_cannot_change_outside_its_current_period(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    at(client, "2026-04-05")  # the period ended on 1 Apr and was not renewed
    response = change(client, account_id, token, sub["id"], {"quantity": 2})
    assert response.status_code == 409 and response.data["error"]["code"] == "period_not_in_force"


def test_changing_to_another_product_starts_its_plan_today(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="promob-cats-optional", periodicity="monthly")
    pay(client, sub["invoice_id"])
    at(client, "2026-03-11")
    response = change(client, account_id, token, sub["id"], {"product_id": "promob-cats-mandatory", "quantity": 2})
    assert response.status_code == 200, response.data
    credit = half_up(8900 * 21, 31)
    assert response.data["charge_now_cents"] == 2 * 19900 - credit
    view = plan(client, account_id, token, sub["id"])
    assert (view["product_id"], view["quantity"], view["current_period_start"]) == (
        "promob-cats-mandatory", 2, "2026-03-11")


def test_two_changes_racing_on_one_subscription_one_wins_the_other_gets_409(client, customer, monkeypatch):
    from chalicelib.store.billing import BillingRepository
    from chalicelib.wiring import container

    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2)
    at(client, "2026-03-10")
    # Both requests read the subscription before either writes: the second one works on what it read.
    stale = container().billing_repository.snapshot(account_id, consistent=True)
    first = change(client, account_id, token, sub["id"], {"quantity": 5})
    assert first.status_code == 200
    monkeypatch.setattr(BillingRepository, "snapshot", lambda self, *args, **kwargs: stale)
    second = change(client, account_id, token, sub["id"], {"quantity": 3})
    monkeypatch.undo()
    assert second.status_code == 409 and second.data["error"]["code"] == "concurrent_update"
    view = plan(client, account_id, token, sub["id"])
    assert view["quantity"] == 5
    assert view["open_invoices"]["count"] == 2  # the loser's invoice was never written


def test_a_new_plan_period_is_billed_once_even_if_requested_again(client, customer, monkeypatch):
    """The same change committed twice from the same read: the billed-period marker refuses it."""
    from chalicelib.store.billing import BillingRepository
    from chalicelib.wiring import container

    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="monthly")
    at(client, "2026-03-10")
    stale = container().billing_repository.snapshot(account_id, consistent=True)
    assert change(client, account_id, token, sub["id"], {"periodicity": "annual"}).status_code == 200
    monkeypatch.setattr(BillingRepository, "snapshot", lambda self, *args, **kwargs: stale)
    again = change(client, account_id, token, sub["id"], {"periodicity": "annual"})
    assert again.status_code == 409
    assert again.data["error"]["code"] == "period_already_billed"


# --- renewal mode and payment method ---------------------------------------------------------

def test_active_only_needs_a_per_license_plan(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="monthly")
    response = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/renewal", token,
                           {"renewal_mode": "active_only"})
    assert response.status_code == 422 and response.data["error"]["code"] == "renewal_mode_not_applicable"


def test_switching_to_boleto_applies_from_the_next_renewal(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    response = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method", token,
                           {"payment_method": "boleto"})
    assert response.status_code == 200, response.data
    assert (response.data["payment_method"], response.data["pending_payment_method"]) == ("card", "boleto")
    assert response.data["pending_payment_method_from"] == "2026-04-01"
    assert response.data["next_renewal"]["payment_method"] == "boleto"


# --- audit -----------------------------------------------------------------------------------

def test_every_mutation_leaves_an_audit_entry_with_actor_and_request_id(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    path = f"/v1/accounts/{account_id}/subscriptions/{sub['id']}"
    at(client, "2026-03-10")
    assert change(client, account_id, token, sub["id"], {"quantity": 2}).status_code == 200
    assert client.call("PUT", path + "/renewal", token, {"renewal_mode": "active_only"}).status_code == 200
    assert client.call("PUT", path + "/payment-method", token, {"payment_method": "boleto"}).status_code == 200
    add_card(client, account_id, token, last4="1111")
    entries = client.call("GET", f"/v1/accounts/{account_id}/audit?limit=100", token).data["items"]
    by_action = {entry["action"]: entry for entry in entries}
    assert {"card.set", "subscription.created", "subscription.changed", "subscription.renewal_mode_changed",
            "subscription.payment_method_changed", "card.replaced"} <= set(by_action)
    changed = by_action["subscription.changed"]
    assert changed["actor"] == "owner-1" and changed["target"] == sub["id"] and changed["request_id"]
    assert (changed["before"]["quantity"], changed["after"]["quantity"]) == (1, 2)
    assert by_action["card.replaced"]["before"]["last4"] == "4242"
    assert by_action["card.replaced"]["after"]["last4"] == "1111"
    assert "gateway_token" not in str(by_action["card.replaced"])


# --- DynamoDB cost ---------------------------------------------------------------------------

def test_meu_plano_costs_two_dynamodb_calls_subscribing_and_changing_at_most_four(client, customer):
    account_id, token = customer
    client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"due_day": 15})
    with dynamodb_calls() as calls:
        sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=3,
                        storage_gb=2)
    # ... then the `subscription.changed` notice (written in that transaction) published and dropped.
    # Local stage only: the event's time reads the dev clock, and the metrics consumer's transaction runs
    # in the request (in AWS a Lambda of its own behind the bus rule, docs/metrics.md).
    event = ["GetItem", "TransactWriteItems", "DeleteItem"]
    issued = ["GetItem", "TransactWriteItems"]  # the first invoice's `invoice.issued`, consumed the same way
    assert [operation for operation, _ in calls] == ["GetItem", "GetItem", "Query", "TransactWriteItems", *issued,
                                                     *event]
    at(client, "2026-03-10")
    with dynamodb_calls() as calls:
        plan(client, account_id, token, sub["id"])
    assert [operation for operation, _ in calls] == ["GetItem", "Query"]  # membership, live items
    with dynamodb_calls() as calls:
        response = change(client, account_id, token, sub["id"], {"quantity": 5, "storage_gb": 4})
    assert response.status_code == 200 and response.data["invoice_id"]
    # membership, the dev clock (local stage only), live items, one transaction; the change's event
    # as above (the local consumer's transaction, the notice dropped), then the order's `invoice.issued`
    assert [operation for operation, _ in calls] == ["GetItem", "GetItem", "Query", "TransactWriteItems", *event,
                                                     *issued]
    with dynamodb_calls() as calls:
        response = change(client, account_id, token, sub["id"], {"periodicity": "annual"})
    assert response.status_code == 200 and response.data["invoice_id"]
    # A plan change also reads the period's unpaid invoices (one BatchGet): they give no credit and
    # are superseded by the change. Its event: the local consumer's transaction and the notice dropped.
    assert len(calls) <= 5 + len(issued) + len(event)


def test_meu_plano_reads_only_live_items_however_long_the_history(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    for day, quantity in zip(range(2, 22), range(2, 22)):
        at(client, f"2026-03-{day:02d}")
        assert change(client, account_id, token, sub["id"], {"quantity": quantity}).status_code == 200
    _close_open_invoices(account_id)  # as settlement will: paid invoices leave the live range
    with dynamodb_calls() as calls:
        view = plan(client, account_id, token, sub["id"])
    query = next(response for operation, response in calls if operation == "Query")
    # account, owner, card, its gateway customer, subscription, invoice number counter: the 21 invoices
    # (and markers) were not read
    assert query["ScannedCount"] == 6
    assert view["open_invoices"]["count"] == 0 and view["quantity"] == 21


def _close_open_invoices(account_id: str) -> None:
    from chalicelib.store.base import account_pk
    from chalicelib.store.invoices import OpenInvoiceItem

    for item in OpenInvoiceItem.query(account_pk(account_id), OpenInvoiceItem.sk.startswith("OPENINV#")):
        item.delete()


# --- error mapping ---------------------------------------------------------------------------

def test_a_billing_rule_refusal_from_the_domain_is_a_422(client, customer, monkeypatch):
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.subscriptions.views import SubscriptionViews

    account_id, token = customer

    def refuse(*args, **kwargs):
        raise DomainError("O dia de vencimento deve ser 08, 15 ou 22.")

    monkeypatch.setattr(SubscriptionViews, "plan", refuse)
    response = client.call("GET", f"/v1/accounts/{account_id}/subscriptions/sub_x", token)
    assert response.status_code == 422
    assert response.data["error"] == {"code": "business_rule_violated",
                                      "message": "O dia de vencimento deve ser 08, 15 ou 22.", "details": {}}


def test_finance_sees_meu_plano_but_cannot_change_the_plan(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    client.call("POST", f"/v1/accounts/{account_id}/members", token, {"email": "fin@example.com", "role": "finance"})
    finance = make_token("fin", "fin@example.com")
    assert client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}", finance).status_code == 200
    refused = change(client, account_id, finance, sub["id"], {"quantity": 2})
    assert refused.status_code == 403


def test_subscribing_again_keeps_an_account_whose_purge_was_scheduled(client, customer, aws):
    account_id, token = customer
    aws.retention.schedule_purge(account_id, aws.clock.today())
    assert aws.retention.scheduled_purge(account_id) is not None
    subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=1)
    assert aws.retention.scheduled_purge(account_id) is None
