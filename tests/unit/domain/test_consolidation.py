from datetime import date

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.consolidation import PeriodCharge, plan_invoice
from chalicelib.domain.enums import Consolidation, Periodicity
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import add_months, periods_starting_before

CARRY, SEPARATE = Consolidation.CARRY, Consolidation.SEPARATE
MAR_8, APR_8, MAY_8 = date(2025, 3, 8), date(2025, 4, 8), date(2025, 5, 8)


def renewals(subscription_id, first_start, before, amount, consolidation):
    """What the service would offer: every period of the subscription starting before `before`."""
    return [PeriodCharge(subscription_id, p.start, p.end, amount, consolidation)
            for p in periods_starting_before(first_start, Periodicity.MONTHLY, before)]


def open_item(subscription_id, start, end, amount, consolidation, invoice_id):
    return PeriodCharge(subscription_id, start, end, amount, consolidation, invoice_id)


def keys(lines):
    return [line.key for line in lines]


def test_worked_example_mentorship_overdue_is_paid_with_the_current_installment():
    """March installment unpaid on INV-MAR; the April invoice carries it with April's, and the
    March invoice is superseded. The SaaS plan of the same account renews on it too."""
    overdue = open_item("mentorship", MAR_8, APR_8, 50000, CARRY, "INV-MAR")
    candidates = (renewals("mentorship", MAR_8, MAY_8, 50000, CARRY)
                  + renewals("saas", APR_8, MAY_8, 19900, SEPARATE))
    plan = plan_invoice(MAY_8, candidates, [overdue], billed_keys=[("mentorship", MAR_8)])
    assert keys(plan.lines) == [("mentorship", MAR_8), ("mentorship", APR_8), ("saas", APR_8)]
    assert plan.lines[0].invoice_id == "INV-MAR"
    assert plan.total_cents == 50000 + 50000 + 19900
    assert plan.superseded_invoice_ids == ("INV-MAR",)
    assert plan.separate_invoice_ids == () and plan.reissue_separately == ()


def test_worked_example_platform_late_invoice_stays_separate_and_is_not_billed_twice():
    """March platform fee unpaid on INV-MAR (separate). The subscription has not advanced, so
    the service offers March again with April: March must not be billed a second time."""
    overdue = open_item("platform", MAR_8, APR_8, 9900, SEPARATE, "INV-MAR")
    candidates = renewals("platform", MAR_8, MAY_8, 9900, SEPARATE)
    assert keys(candidates) == [("platform", MAR_8), ("platform", APR_8)]
    plan = plan_invoice(MAY_8, candidates, [overdue], billed_keys=[("platform", MAR_8)])
    assert keys(plan.lines) == [("platform", APR_8)]
    assert plan.separate_invoice_ids == ("INV-MAR",)
    assert plan.superseded_invoice_ids == ()


def test_an_open_item_is_never_billed_again_even_if_billed_keys_omit_it():
    overdue = open_item("platform", MAR_8, APR_8, 9900, SEPARATE, "INV-MAR")
    plan = plan_invoice(MAY_8, renewals("platform", MAR_8, MAY_8, 9900, SEPARATE), [overdue])
    assert keys(plan.lines) == [("platform", APR_8)]


def test_paid_periods_are_not_billed_again():
    plan = plan_invoice(MAY_8, renewals("saas", date(2025, 2, 8), MAY_8, 19900, CARRY), [],
                        billed_keys=[("saas", date(2025, 2, 8)), ("saas", MAR_8)])
    assert keys(plan.lines) == [("saas", APR_8)]


def test_lapsed_period_never_billed_is_included_and_later_ones_are_not():
    candidates = renewals("saas", MAR_8, date(2025, 7, 1), 19900, CARRY)
    plan = plan_invoice(MAY_8, candidates, [])
    assert keys(plan.lines) == [("saas", MAR_8), ("saas", APR_8)]


def test_repeated_candidates_give_one_line():
    candidates = renewals("saas", APR_8, MAY_8, 19900, CARRY) * 3
    assert keys(plan_invoice(MAY_8, candidates, []).lines) == [("saas", APR_8)]


def test_mixed_old_invoice_is_superseded_and_its_separate_items_reissued():
    old = [open_item("mentorship", MAR_8, APR_8, 50000, CARRY, "INV-MAR"),
           open_item("platform", MAR_8, APR_8, 9900, SEPARATE, "INV-MAR"),
           open_item("platform", date(2025, 2, 8), MAR_8, 9900, SEPARATE, "INV-FEB")]
    plan = plan_invoice(MAY_8, [], old)
    assert keys(plan.lines) == [("mentorship", MAR_8)]
    assert plan.superseded_invoice_ids == ("INV-MAR",)
    assert keys(plan.reissue_separately) == [("platform", MAR_8)]
    assert plan.separate_invoice_ids == ("INV-FEB",)


def test_the_same_period_on_two_open_invoices_is_refused():
    twice = [open_item("saas", MAR_8, APR_8, 100, CARRY, "INV-1"),
             open_item("saas", MAR_8, APR_8, 100, CARRY, "INV-2")]
    with pytest.raises(DomainError):
        plan_invoice(MAY_8, [], twice)


def test_open_item_must_say_which_invoice_it_is_on():
    with pytest.raises(DomainError):
        plan_invoice(MAY_8, [], [PeriodCharge("saas", MAR_8, APR_8, 100, CARRY)])


SUBSCRIPTIONS = ["a", "b", "c"]
STARTS = [date(2025, 1, 8), date(2025, 2, 8), MAR_8, APR_8, MAY_8]


@st.composite
def account_states(draw):
    pairs = st.tuples(st.sampled_from(SUBSCRIPTIONS), st.sampled_from(STARTS))
    candidates = draw(st.lists(pairs, max_size=15))
    open_keys = draw(st.lists(pairs, max_size=6, unique=True))
    paid_keys = draw(st.lists(pairs, max_size=6))
    policy = {s: draw(st.sampled_from(list(Consolidation))) for s in SUBSCRIPTIONS}
    invoice_of = {start: f"INV-{start:%m}" for start in STARTS}
    open_items = [open_item(s, start, add_months(start, 1), 100, policy[s], invoice_of[start])
                  for s, start in open_keys]
    offered = [PeriodCharge(s, start, add_months(start, 1), 100, policy[s])
               for s, start in candidates]
    return offered, open_items, paid_keys + open_keys


@given(account_states())
def test_never_two_lines_for_one_subscription_period(state):
    candidates, open_items, billed = state
    plan = plan_invoice(MAY_8, candidates, open_items, billed)
    line_keys = keys(plan.lines)
    assert len(line_keys) == len(set(line_keys))
    carried = {i.key for i in open_items if i.consolidation is CARRY}
    assert carried <= set(line_keys)  # every carried item is on the new invoice
    for line in plan.lines:
        assert line.key in carried or (line.key not in billed and line.period_start < MAY_8)
    assert not set(plan.superseded_invoice_ids) & set(plan.separate_invoice_ids)
