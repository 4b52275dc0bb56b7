"""Preview and change agree to the centavo (PRODUCT.md §3), over the HTTP API, on random changes of
plan, periodicity, licenses, storage and payment method at random days of random periods — some in
the last 7 days of the period, after the renewal invoice of the next period was issued (still open,
or already paid). The first period is left unpaid, partly paid or paid: only money received becomes
credit (Ummense: "saldo já pago"). One moto world for every example; each example gets a fresh
account and subscription."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.examples import examples

from chalicelib.catalog import load_catalog
from chalicelib.domain.enums import Pricing
from chalicelib.domain.periods import period_starting
from chalicelib.services.plans.pricing import offers_storage
from tests.steps.billing_steps import add_card, at, change, plan, subscribe
from tests.steps.invoicing_steps import pay

CATALOG = load_catalog()
PRODUCTS = ["operand-pro", "conecta-app", "promob-cats-optional", "promob-cats-mandatory"]


@st.composite
def scenarios(draw):
    product = CATALOG.product(draw(st.sampled_from(PRODUCTS)))
    periodicity = draw(st.sampled_from(sorted(product.prices)))
    per_seat = product.pricing is Pricing.PER_SEAT
    start = dict(product_id=product.id, periodicity=periodicity.value,
                 quantity=draw(st.integers(1, 20)) if per_seat else 1,
                 storage_gb=draw(st.integers(0, 30)) if offers_storage(product) else 0)
    first_day = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    days = period_starting(first_day, periodicity).days
    renewal = draw(st.sampled_from([None, None, "issued", "paid"]))
    if renewal:  # the issue-invoices run of the change day billed the next period (7 days ahead)
        days_in = days - draw(st.integers(1, 7))
    else:
        days_in = draw(st.integers(0, days - 1))
    first_paid = draw(st.sampled_from(["unpaid", "partly", "paid"]))
    share = draw(st.fractions(0, 1).filter(lambda f: 0 < f < 1))  # of the first invoice, when partly paid
    scenario = start, first_day, first_day + timedelta(days=days_in), draw(_change_for(start)), renewal
    return scenario + ((first_paid, share),)


@st.composite
def _change_for(draw, start: dict):
    """Mostly real changes: a plan or periodicity change, or licenses and storage added."""
    current = CATALOG.product(start["product_id"])
    can_add = current.pricing is Pricing.PER_SEAT or offers_storage(current)
    if can_add and draw(st.booleans()):
        body = _additions(draw, current, start)
    else:
        body = _plan_change(draw, current, start)
    method = draw(st.sampled_from([None, "card", "boleto"]))
    if method:
        body["payment_method"] = method
        body["make_default"] = method == "card" and draw(st.booleans())  # only a card becomes the default
    return body


def _additions(draw, product, start: dict) -> dict:
    body = {}
    if product.pricing is Pricing.PER_SEAT and draw(st.booleans()):
        body["quantity"] = start["quantity"] + draw(st.integers(1, 10))
    if offers_storage(product) and (not body or draw(st.booleans())):
        body["storage_gb"] = start["storage_gb"] + draw(st.integers(1, 40))
    if not body:
        body["quantity"] = start["quantity"] + draw(st.integers(1, 10))
    return body


def _plan_change(draw, current, start: dict) -> dict:
    target = CATALOG.product(draw(st.sampled_from(PRODUCTS)))
    periodicities = sorted(p for p in target.prices if target.id != current.id or p.value != start["periodicity"])
    body = {"periodicity": draw(st.sampled_from(periodicities)).value}
    if target.id != current.id:
        body["product_id"] = target.id
    if target.pricing is Pricing.PER_SEAT and draw(st.booleans()):
        body["quantity"] = max(start["quantity"], 1) + draw(st.integers(0, 10))
    if offers_storage(target) and draw(st.booleans()):
        body["storage_gb"] = start["storage_gb"] + draw(st.integers(0, 40))
    return body


# Through HTTP on moto each example costs about a second; the use-case tier runs the preview = change
# property on the in-memory fakes with more examples (tests/usecases/test_plan_changes.py).
@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios())
def test_preview_and_change_agree_to_the_centavo(client, aws, scenario):
    start, first_day, change_day, body, renewal, first_paid = scenario
    account_id, token = client.create_account("property-owner")
    try:
        _check(client, aws, account_id, token, start, first_day, change_day, body, renewal, first_paid)
    finally:
        _forget(aws, account_id)


def _check(client, aws, account_id, token, start, first_day, change_day, body, renewal, first_paid):
    at(client, first_day.isoformat())
    add_card(client, account_id, token, exp_year=2040)
    sub = subscribe(client, account_id, token, **start)
    received = _pay_first_period(client, sub, *first_paid)
    at(client, change_day.isoformat())
    if renewal:
        issued = aws.invoicing.issue_for_account(account_id, change_day).invoice_ids
        if renewal == "paid":
            for invoice_id in issued:
                received += pay(client, invoice_id).get("amount_cents", 0) or 0
        sub = plan(client, account_id, token, sub["id"])

    preview = change(client, account_id, token, sub["id"], body, preview=True)
    applied = change(client, account_id, token, sub["id"], body)

    assert preview.status_code == applied.status_code, (preview.data, applied.data)
    if preview.status_code != 200:
        assert 400 <= preview.status_code < 500
        assert preview.data["error"]["code"] == applied.data["error"]["code"]
        return
    result = dict(applied.data)
    invoice_id = result.pop("invoice_id")
    reissued = result.pop("reissued_invoice_id")
    assert preview.data == {**result, "invoice_id": None, "reissued_invoice_id": None}
    assert (reissued is not None) == (result["next_period_invoice"] is not None)
    assert (invoice_id is not None) == (result["charge_now_cents"] > 0)
    _nothing_created_or_lost(client, account_id, token, sub, result)
    _credit_only_from_money_received(client, account_id, token, sub, result, received, renewal)
    if result["superseded_invoice_id"]:  # the old plan's next period is not payable any more
        old = client.call("GET", f"/v1/accounts/{account_id}/invoices/{result['superseded_invoice_id']}", token)
        assert old.data["status"] == "superseded" and old.data["boleto"] is None


def _pay_first_period(client, sub, first_paid: str, share) -> int:
    """Pays the first period's invoice as drawn; returns what was received."""
    [first] = [i for i in sub["open_invoices"]["items"] if i["id"] == sub["invoice_id"]] or [None]
    if first is None or first_paid == "unpaid":
        return 0
    amount = first["total_cents"]
    if first_paid == "partly" and amount > 1:
        amount = max(1, min(amount - 1, int(amount * share)))
    pay(client, first["id"], amount_cents=amount)
    return amount


def _credit_only_from_money_received(client, account_id, token, before, result, received, renewal):
    """A plan change credits at most what was received, nothing when nothing was; the period's unpaid
    invoices it named are no longer payable."""
    if before["periodicity"] == result["periodicity"] and before["product_id"] == result["product_id"]:
        return
    assert 0 <= result["credit_cents"] <= received
    if not received and renewal != "paid":
        assert result["credit_cents"] == 0
    for voided in result["voided_invoice_ids"]:
        old = client.call("GET", f"/v1/accounts/{account_id}/invoices/{voided}", token)
        assert old.data["status"] in ("superseded", "void"), old.data


def _nothing_created_or_lost(client, account_id, token, before, result):
    after = plan(client, account_id, token, before["id"])
    if before["periodicity"] != result["periodicity"] or before["product_id"] != result["product_id"]:
        # The unused credit plus what is charged buys the new period; the rest is account credit.
        assert after["paid_cents"] == result["credit_cents"] + result["charge_now_cents"] - result["account_credit_cents"]
        assert after["current_period_end"] == result["new_period_end"]
    else:
        assert after["paid_cents"] == before["paid_cents"] + result["charge_now_cents"]
    assert after["account_credit_cents"] == result["account_credit_cents"]
    assert sum(line["amount_cents"] for line in result["lines"]) == result["amount_due_cents"]


def _forget(aws, account_id: str) -> None:
    """Delete the example's items: moto copies the whole table on every transaction, so a table
    that kept growing would make each example slower than the last."""
    dynamodb = aws.boto3_client("dynamodb")
    table = aws.settings.billing_table
    for pk in (f"ACCOUNT#{account_id}", f"AUDIT#{account_id}"):
        items = dynamodb.query(TableName=table, KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues={":pk": {"S": pk}},
                               ProjectionExpression="pk, sk")["Items"]
        for first in range(0, len(items), 25):
            dynamodb.batch_write_item(RequestItems={table: [
                {"DeleteRequest": {"Key": key}} for key in items[first:first + 25]]})
