"""Trials and coupons through HTTP (docs/promotions.md): the contract — routes, roles, pt-BR errors
with stable codes, 4xx on bad input, tenant isolation, OpenAPI entries — and the trial's first
charge by card on the day, end to end through the jobs and the gateway."""
import pytest

from tests.steps.billing_steps import add_card, at, subscribe
from tests.steps.invoicing_steps import billable_account, invoices, outbox, pay, run_job
from tests.steps.standing_steps import cancel_as_quoted
from tests.support import make_token

STAFF = make_token("fin-1", "carla@vendor.example", groups=["finance"])
COUPONS = "/v1/admin/coupons"


def new_coupon(client, **body):
    body = {"code": "promo20", "percent_off": 20, "duration": "repeating", "duration_months": 3} | body
    response = client.call("POST", COUPONS, STAFF, body)
    assert response.status_code == 201, response.data
    return response.data


@pytest.fixture
def customer(client):
    at(client, "2026-04-20", "10:00:00")
    account_id, token = billable_account(client, "owner-1", due_day=None)
    add_card(client, account_id, token)
    return account_id, token


# --- admin coupons --------------------------------------------------------------------------------
def test_the_finance_team_creates_lists_and_deletes_coupons(client):
    created = new_coupon(client, product_ids=["operand-pro"], max_redemptions=5, redeem_by="2026-12-31")
    assert (created["code"], created["redemptions"], created["active"]) == ("PROMO20", 0, True)
    listed = client.call("GET", COUPONS, STAFF).data
    assert [c["code"] for c in listed["items"]] == ["PROMO20"] and listed["next_cursor"] is None
    deleted = client.call("DELETE", f"{COUPONS}/promo20", STAFF)
    assert deleted.status_code == 200 and deleted.data["active"] is False
    again = client.call("POST", COUPONS, STAFF, {"code": "PROMO20", "percent_off": 5, "duration": "once"})
    assert again.status_code == 409 and again.data["error"]["code"] == "coupon_code_taken"
    missing = client.call("DELETE", f"{COUPONS}/NADA", STAFF)
    assert missing.status_code == 404 and missing.data["error"]["code"] == "coupon_not_found"


@pytest.mark.parametrize("token_of", [lambda: make_token("owner-1"), lambda: None])
def test_coupon_routes_are_for_the_finance_group_only(client, token_of):
    token = token_of()
    expected = 403 if token else 401
    assert client.call("GET", COUPONS, token).status_code == expected
    assert client.call("POST", COUPONS, token, {"code": "X10", "percent_off": 10,
                                                "duration": "once"}).status_code == expected
    assert client.call("DELETE", f"{COUPONS}/X10", token).status_code == expected


@pytest.mark.parametrize("body", [
    {"code": "A1", "percent_off": 10, "duration": "once"},  # code too short
    {"code": "DUPLO", "percent_off": 10, "amount_off_cents": 100, "duration": "once"},
    {"code": "NENHUM", "duration": "once"},
    {"code": "MESES", "percent_off": 10, "duration": "repeating"},
    {"code": "PCT", "percent_off": 150, "duration": "forever"},
    {"code": "PROD", "percent_off": 10, "duration": "once", "product_ids": ["nao-existe"]},
    {"code": "VENCIDO", "percent_off": 10, "duration": "once", "redeem_by": "2020-01-01"},
    {"code": "COM ESPACO", "percent_off": 10, "duration": "once"},
    {"code": "EXTRA", "percent_off": 10, "duration": "once", "surprise": True},
])
def test_bad_coupon_bodies_are_422_in_portuguese(client, body):
    response = client.call("POST", COUPONS, STAFF, body)
    assert response.status_code == 422, response.data
    assert response.data["error"]["message"]


# --- applying ---------------------------------------------------------------------------------------
def test_subscribing_with_a_coupon_puts_a_discount_line_on_the_first_invoice(client, customer):
    account_id, token = customer
    new_coupon(client)
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="boleto", coupon="Promo20")
    assert sub["discount"] == {"coupon": "PROMO20", "duration": "repeating", "percent_off": 20,
                               "amount_off_cents": None, "duration_months": 3, "starts": "2026-04-20",
                               "ends": "2026-07-20"}
    assert sub["next_renewal"]["discount_cents"] == 3960
    [listed] = invoices(client, account_id, token)
    invoice = client.call("GET", f"/v1/accounts/{account_id}/invoices/{listed['id']}", token).data
    assert invoice["total_cents"] == 2 * 9900 - 3960
    [line] = [line for line in invoice["lines"] if line["kind"] == "discount"]
    assert line["amount_cents"] == -3960 and line["subscription_id"] == sub["id"]
    assert client.call("GET", COUPONS, STAFF).data["items"][0]["redemptions"] == 1


def _subscribe_with(client, account_id, token, code):
    return client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, {
        "product_id": "operand-pro", "periodicity": "monthly", "payment_method": "boleto", "coupon": code})


@pytest.mark.parametrize("setup, code, expected", [
    ({}, "NADA", "coupon_invalid"),
    ({"code": "CONECTA", "product_ids": ["conecta-app"]}, "CONECTA", "coupon_not_applicable"),
    ({"code": "UNICO", "max_redemptions": 1}, "UNICO", "coupon_exhausted"),
])
def test_an_unusable_coupon_is_a_422_naming_the_reason(client, customer, setup, code, expected):
    account_id, token = customer
    if setup:
        new_coupon(client, **setup)
    if expected == "coupon_exhausted":
        assert _subscribe_with(client, account_id, token, code).status_code == 201  # its one redemption
    response = _subscribe_with(client, account_id, token, code)
    assert response.status_code == 422, response.data
    error = response.data["error"]
    assert error["code"] == expected and error["details"]["fields"][0]["field"] == "coupon"
    assert "upom" in error["message"]


def test_a_coupon_applied_later_shows_in_meu_plano_and_is_isolated_per_account(client, customer):
    account_id, token = customer
    new_coupon(client, code="DEPOIS", duration="forever", duration_months=None)
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                    payment_method="boleto")
    path = f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/coupon"
    other_id, other_token = client.create_account("intruso", "Outra")
    assert client.call("POST", path, other_token, {"code": "DEPOIS"}).status_code == 404  # not its account
    foreign = f"/v1/accounts/{other_id}/subscriptions/{sub['id']}/coupon"
    assert client.call("POST", foreign, other_token, {"code": "DEPOIS"}).status_code == 404
    assert client.call("POST", path, token, {"code": ""}).status_code == 422
    applied = client.call("POST", path, token, {"code": "depois"})
    assert applied.status_code == 200, applied.data
    assert applied.data["discount"]["starts"] == "2026-05-20" and applied.data["next_renewal"]["discount_cents"] == 1980
    twice = client.call("POST", path, token, {"code": "DEPOIS"})
    assert twice.status_code == 409 and twice.data["error"]["code"] == "coupon_already_applied"


def test_preview_shows_the_discount_and_equals_the_change(client, customer):
    account_id, token = customer
    new_coupon(client)
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                    payment_method="card", coupon="PROMO20")
    path = f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/changes"
    body = {"periodicity": "annual", "payment_method": "card"}
    preview = client.call("POST", path + "/preview", token, body)
    applied = client.call("POST", path, token, body)
    assert preview.status_code == applied.status_code == 200, (preview.data, applied.data)
    assert preview.data["discount_cents"] == applied.data["discount_cents"] == 19800
    for field in ("charge_now_cents", "credit_cents", "account_credit_cents", "amount_due_cents", "new_period_end"):
        assert preview.data[field] == applied.data[field], field


# --- trials --------------------------------------------------------------------------------------------
def test_a_trial_shows_trialing_and_trial_end_and_a_second_one_is_refused(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-start", periodicity="monthly",
                    payment_method="boleto")
    assert (sub["status"], sub["trial_end"], sub["invoice_id"], sub["current_period_end"]) == (
        "trialing", "2026-05-04", None, "2026-05-04")
    assert invoices(client, account_id, token) == []
    entitlements = client.call("GET", f"/v1/accounts/{account_id}/entitlements", token).data["items"]
    assert entitlements[0]["license"] == "active"
    again = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, {
        "product_id": "operand-start", "periodicity": "monthly", "payment_method": "boleto"})
    assert again.status_code == 409 and again.data["error"]["code"] == "trial_already_used"
    not_offered = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, {
        "product_id": "operand-pro", "periodicity": "monthly", "payment_method": "boleto", "trial": True})
    assert not_offered.status_code == 422 and not_offered.data["error"]["code"] == "trial_not_offered"


def test_cancelling_in_trial_ends_it_now_and_bills_nothing(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-start", periodicity="monthly",
                    payment_method="boleto")
    run_job(client, "2026-04-27")  # the first period's boleto, 7 days before trial_end
    assert len(invoices(client, account_id, token, status="open")) == 1
    at(client, "2026-04-28")
    answer = cancel_as_quoted(client, account_id, token, sub["id"], "Não era o que eu precisava").data
    assert (answer["kind"], answer["status"], answer["effective_date"], answer["refund_cents"],
            answer["amount_owed_cents"]) == ("trial", "cancelled", "2026-04-28", 0, 0)
    assert invoices(client, account_id, token, status="open") == []
    assert [i["status"] for i in invoices(client, account_id, token)] == ["void"]
    assert answer["voided_invoice_ids"] == [i["id"] for i in invoices(client, account_id, token)]


def test_trial_to_first_charge_by_card_on_trial_end(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-start", periodicity="monthly", quantity=2,
                    payment_method="card")
    run_job(client, "2026-04-27")
    [issued] = invoices(client, account_id, token, status="open")
    assert (issued["due_date"], issued["total_cents"]) == ("2026-05-04", 2 * 4900)
    run_job(client, "2026-05-01", "09:00:00", job="send-reminders")
    [reminder] = outbox(client, "trial_ending")
    assert "04/05/2026" in reminder["subject"]
    run_job(client, "2026-05-03", "09:00:00", job="charge-cards")  # not yet: due on trial_end
    assert invoices(client, account_id, token, status="open")
    run_job(client, "2026-05-04", "09:00:00", job="charge-cards")
    assert invoices(client, account_id, token, status="open") == []
    plan = client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}", token).data
    assert (plan["status"], plan["current_period_start"], plan["current_period_end"], plan["trial_end"]) == (
        "active", "2026-05-04", "2026-06-04", "2026-05-04")


def test_trial_to_first_boleto_issued_and_emailed_7_days_before_trial_end(client, customer):
    account_id, token = customer
    sub = subscribe(client, account_id, token, product_id="operand-start", periodicity="monthly",
                    payment_method="boleto")
    run_job(client, "2026-04-26")
    assert invoices(client, account_id, token) == []  # not yet
    run_job(client, "2026-04-27")
    [issued] = invoices(client, account_id, token, status="open")
    detail = client.call("GET", f"/v1/accounts/{account_id}/invoices/{issued['id']}", token).data
    assert (detail["due_date"], detail["total_cents"], detail["boleto"]["due_date"]) == ("2026-05-04", 4900,
                                                                                        "2026-05-04")
    assert detail["lines"][0]["period_start"] == "2026-05-04"
    assert any(issued["number"] in e["subject"] for e in outbox(client))  # e-mailed with its boleto
    at(client, "2026-05-04")
    pay(client, issued["id"], method="boleto")
    plan = client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}", token).data
    assert (plan["status"], plan["current_period_end"]) == ("active", "2026-06-04")


def test_the_catalog_and_openapi_describe_trials_and_coupons(client):
    catalog = client.call("GET", "/v1/catalog", make_token("anyone")).data["items"]
    assert next(p for p in catalog if p["id"] == "operand-start")["trial_days"] == 14
    spec = client.call("GET", "/v1/openapi.json").data
    paths = spec["paths"]
    assert {"post", "get"} <= set(paths["/v1/admin/coupons"])
    assert "delete" in paths["/v1/admin/coupons/{code}"]
    assert "post" in paths["/v1/accounts/{account_id}/subscriptions/{subscription_id}/coupon"]
    schemas = spec["components"]["schemas"]
    assert {"coupon", "trial"} <= set(schemas["SubscribeIn"]["properties"])
    assert {"trial_end", "discount"} <= set(schemas["SubscriptionOut"]["properties"])
    assert "discount_cents" in schemas["ChangeOut"]["properties"]
