"""An unpaid add-on order suspends nothing paid: `addition_order_lapsed` says when it is taken back —
the day the same grace would have suspended a subscription (PRODUCT.md §7)."""
from datetime import date

from chalicelib.domain.overdue import OverduePolicy, addition_order_lapsed


def test_an_unpaid_add_on_order_is_taken_back_the_day_after_the_grace_in_business_days():
    due = date(2027, 3, 10)  # Wednesday; grace: Thursday 11, Friday 12, Monday 15
    assert [addition_order_lapsed(due, date(2027, 3, d), OverduePolicy(), by_boleto=True)
            for d in (10, 11, 12, 13, 14, 15, 16)] == [False] * 6 + [True]


def test_an_unpaid_add_on_order_follows_the_products_grace():
    due = date(2027, 3, 10)
    assert not addition_order_lapsed(due, date(2027, 3, 16), OverduePolicy(grace_business_days=5))
    assert addition_order_lapsed(due, date(2027, 3, 18), OverduePolicy(grace_business_days=5))
