"""Licenses that leave MRR without a plan change (docs/metrics.md), through the API and the jobs: an
`active_only` renewal billing fewer licenses, and an unpaid addition order taken back by the overdue
rules. Each is a contraction on the day it is committed, in the incremental figures and in the
rebuild, which agree to the centavo."""
import pytest

from tests.api.test_active_only_renewal_seats import _operand_five_licenses_three_active
from tests.api.test_unpaid_addition_orders import _paid_base_then_two_licenses_by_boleto
from tests.steps.billing_steps import half_up
from tests.steps.standing_steps import check_overdue, issue_invoices
from tests.support import make_token

METRICS = "/v1/admin/metrics"
OPERAND_MONTHLY, OPERAND_ANNUAL = 9900, 99000


@pytest.fixture
def staff():
    return make_token("finance-1", groups=["finance"])


def _month(client, staff, month):
    return client.call("GET", f"{METRICS}?from={month}&to={month}", staff).data["months"][0]


def test_an_active_only_renewal_with_fewer_licenses_is_a_contraction_when_billed(client, staff, aws):
    account_id, token, sub_id = _operand_five_licenses_three_active(client)
    client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub_id}/renewal", token,
                {"renewal_mode": "active_only"})
    assert _month(client, staff, "2026-03")["mrr_cents"] == 5 * OPERAND_MONTHLY
    assert issue_invoices(client, "2026-03-25")["invoices_issued"] == 1  # 3 of 5 licenses renewed
    march = _month(client, staff, "2026-03")
    assert march["movements"]["contraction_cents"] == -2 * OPERAND_MONTHLY
    assert (march["mrr_cents"], march["active_subscriptions"]) == (3 * OPERAND_MONTHLY, 1)
    issue_invoices(client, "2026-03-26")  # nothing more
    assert _month(client, staff, "2026-03")["mrr_cents"] == 3 * OPERAND_MONTHLY
    result = aws.metrics_rebuild.run()
    assert result["agree"], result["differences"]


def test_an_unpaid_addition_order_taken_back_is_a_contraction_of_what_it_added(client, staff, aws):
    account_id, token, sub_id, order = _paid_base_then_two_licenses_by_boleto(client, "metrics-addon-owner")
    three, five = half_up(3 * OPERAND_ANNUAL, 12), half_up(5 * OPERAND_ANNUAL, 12)
    march = _month(client, staff, "2027-03")
    assert (march["movements"]["new_cents"], march["movements"]["expansion_cents"]) == (three, five - three)
    check_overdue(client, "2027-03-16")  # the grace is over: the 2 licenses are taken back
    check_overdue(client, "2027-03-17")  # and only once
    march = _month(client, staff, "2027-03")
    assert march["movements"]["contraction_cents"] == three - five
    assert (march["mrr_cents"], march["active_subscriptions"]) == (three, 1)
    result = aws.metrics_rebuild.run()
    assert result["agree"], result["differences"]
