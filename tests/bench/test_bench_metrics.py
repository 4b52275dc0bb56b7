"""The metrics benchmark measures what it claims at a small size: one transaction per event delivered
to the consumer (two for a late payment), the same calls and units at two table sizes, and two Queries
for the 12 months of the finance report (the months, and the current month's days), with no Scan."""
from bench import backend, bench_metrics, call_counter

# At collection, before any test builds an AWS client: clients made earlier would escape the count.
call_counter.install()


def test_a_small_run_counts_one_transaction_per_event_and_two_queries_per_report(monkeypatch):
    monkeypatch.setattr(backend, "quick", lambda: True)
    result = bench_metrics.measure()
    assert result["failures"] == []
    assert result["scans"] == 0 and result["same_at_both_sizes"]
    by_type = result["detail"]["by_type"]
    late = by_type.pop("invoice.paid (late)")
    assert late["calls"] == {"TransactWriteItems": 2}
    assert all(figures["calls"] == {"TransactWriteItems": 1} for figures in by_type.values()), by_type
    # A product switch moves three slices (the total, the product left, the product entered).
    assert by_type["subscription.changed (product switch)"]["units"]["write"] > \
        by_type["subscription.changed (expansion)"]["units"]["write"]
    # The months, and the current month's days (the 12 months asked end with the current one).
    assert result["detail"]["report"]["calls_by_operation"] == {"Query": 2}
    assert result["detail"]["report"]["months"] == 12
    seeded = result["detail"]["seeded"]
    assert seeded["large"]["markers_added"]["events"] > seeded["small"]["markers_added"]["events"] > 0
    assert bench_metrics.LAST is result
