"""The metrics consumer (services/metrics) on an in-memory aggregate store: each movement kind,
collection and dunning, duplicate and out-of-order delivery, and the report read back."""
import itertools
import random
from datetime import datetime

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.adapters.events import envelope
from chalicelib.domain.metrics import TOTAL
from chalicelib.services.metrics.recorder import MetricsRecorder
from chalicelib.services.metrics.report import MetricsReport, month_range
from tests.fakes.metrics import FakeMetricsRepository

NOON = datetime(2026, 3, 15, 12, tzinfo=SAO_PAULO)
_ids = itertools.count()


class _Catalog:
    def product(self, product_id):
        return object() if product_id in ("crm", "erp") else None


def mrr_event(effective, product_before, before, product_after, after, *, returning=False, accounts=None,
              kind="subscription.changed"):
    accounts = accounts or (([product_before] if before else []), ([product_after] if after else []))
    return envelope(kind, "acc-1", {"subscription_id": "sub-1", "mrr": {
        "effective_date": effective, "before": {"product_id": product_before, "mrr_cents": before},
        "after": {"product_id": product_after, "mrr_cents": after}, "returning": returning,
        "account_products_before": accounts[0], "account_products_after": accounts[1]}},
        time=NOON, event_id=f"e{next(_ids)}")


def report(repository, first="2026-01", last="2026-06", product=None):
    return {m.month: m for m in MetricsReport(repository, _Catalog()).months(month_range(first, last), product)}


def test_new_expansion_contraction_churn_and_reactivation_each_land_on_their_day():
    repository = FakeMetricsRepository()
    recorder = MetricsRecorder(repository)
    for event in (mrr_event("2026-01-10", None, 0, "crm", 10_000),
                  mrr_event("2026-02-03", "crm", 10_000, "crm", 15_000),
                  mrr_event("2026-03-04", "crm", 15_000, "crm", 12_000),
                  mrr_event("2026-04-05", "crm", 12_000, "crm", 0, kind="subscription.cancelled"),
                  mrr_event("2026-05-06", "crm", 0, "crm", 12_000, returning=True, kind="subscription.reinstated")):
        assert recorder.record(event)["counted"] == 1
    months = report(repository)
    assert months["2026-01"].movements["new"] == 10_000 and months["2026-01"].mrr_cents == 10_000
    assert months["2026-02"].movements["expansion"] == 5_000 and months["2026-02"].mrr_cents == 15_000
    assert months["2026-03"].movements["contraction"] == -3_000 and months["2026-03"].nrr == 0.8
    assert months["2026-04"].movements["churn"] == -12_000 and months["2026-04"].mrr_cents == 0
    assert months["2026-04"].logo_churn_rate == 1.0 and months["2026-04"].active_accounts == 0
    assert months["2026-05"].movements["reactivation"] == 12_000 and months["2026-05"].active_subscriptions == 1
    assert months["2026-06"].mrr_cents == 12_000 and months["2026-06"].arr_cents == 144_000
    assert report(repository, product="crm")["2026-06"].mrr_cents == 12_000
    assert report(repository, product="erp")["2026-06"].mrr_cents == 0


def test_a_redelivered_event_counts_once():
    repository = FakeMetricsRepository()
    recorder = MetricsRecorder(repository)
    event = mrr_event("2026-01-10", None, 0, "crm", 10_000)
    assert recorder.record(event) == {"type": "subscription.changed", "counted": 1, "duplicates": 0}
    assert recorder.record(dict(event)) == {"type": "subscription.changed", "counted": 0, "duplicates": 1}
    assert report(repository)["2026-01"].mrr_cents == 10_000


def test_delivery_order_does_not_change_any_counter():
    events = [mrr_event("2026-01-10", None, 0, "crm", 10_000),
              mrr_event("2026-01-20", "crm", 10_000, "erp", 30_000),
              mrr_event("2026-02-02", "erp", 30_000, "erp", 0, kind="subscription.cancelled"),
              envelope("invoice.paid", "acc-1", {"invoice_id": "inv-1", "payment_id": "p", "amount_cents": 9_000,
                                                 "method": "pix", "paid_at": "2026-02-20T10:00:00-03:00",
                                                 "due_date": "2026-02-10", "total_cents": 9_000,
                                                 "invoice_payment_method": "boleto"}, time=NOON, event_id="paid"),
              envelope("invoice.overdue", "acc-1", {"invoice_id": "inv-1", "due_date": "2026-02-10",
                                                    "total_cents": 9_000, "payment_method": "boleto"},
                       time=NOON, event_id="overdue")]
    expected = None
    for seed in range(6):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        repository = FakeMetricsRepository()
        for event in shuffled + shuffled[:2]:  # and some redelivered
            MetricsRecorder(repository).record(event)
        if expected is None:
            expected = repository.items
        assert repository.items == expected


def test_billed_collected_and_an_overdue_invoice_recovered_late():
    repository = FakeMetricsRepository()
    recorder = MetricsRecorder(repository)
    recorder.record(envelope("invoice.issued", "acc-1", {"invoice_id": "inv-1", "due_date": "2026-03-10",
                                                         "total_cents": 20_000, "payment_method": "boleto"},
                             time=datetime(2026, 3, 3, 9, tzinfo=SAO_PAULO), event_id="issued"))
    recorder.record(envelope("invoice.overdue", "acc-1", {"invoice_id": "inv-1", "due_date": "2026-03-10",
                                                          "total_cents": 20_000, "payment_method": "boleto"},
                             time=datetime(2026, 3, 11, 9, tzinfo=SAO_PAULO), event_id="overdue"))
    paid = {"invoice_id": "inv-1", "payment_id": "pay-1", "amount_cents": 20_000, "method": "card",
            "paid_at": "2026-04-02T10:00:00-03:00", "due_date": "2026-03-10", "total_cents": 20_000,
            "invoice_payment_method": "boleto"}
    recorder.record(envelope("invoice.paid", "acc-1", paid, time=NOON, event_id="paid"))
    months = report(repository)
    march, april = months["2026-03"], months["2026-04"]
    assert march.billed_cents == 20_000 and march.by_method["boleto"]["billed"] == 20_000
    assert (march.overdue_invoices, march.recovered_invoices, march.recovered_cents) == (1, 1, 20_000)
    assert march.recovery_rate == 1.0 and march.median_days_to_recover == 23
    assert march.by_method["card"]["recovered_invoices"] == 1
    assert april.collected_cents == 20_000 and april.by_method["card"]["collected"] == 20_000
    assert april.overdue_invoices == 0


def test_a_late_payment_alone_states_the_invoice_was_overdue_and_the_overdue_event_then_adds_nothing():
    repository = FakeMetricsRepository()
    recorder = MetricsRecorder(repository)
    recorder.record(envelope("invoice.paid", "acc-1", {
        "invoice_id": "inv-9", "payment_id": "p", "amount_cents": 5_000, "method": "boleto",
        "paid_at": "2026-03-12T10:00:00-03:00", "due_date": "2026-03-10", "total_cents": 5_000,
        "invoice_payment_method": "boleto"}, time=NOON, event_id="paid-9"))
    result = recorder.record(envelope("invoice.overdue", "acc-1", {
        "invoice_id": "inv-9", "due_date": "2026-03-10", "total_cents": 5_000, "payment_method": "boleto"},
        time=NOON, event_id="overdue-9"))
    assert result["duplicates"] == 1
    march = report(repository)["2026-03"]
    assert (march.overdue_invoices, march.recovered_invoices, march.median_days_to_recover) == (1, 1, 2)


def test_each_fact_is_one_transaction_whatever_the_event():
    repository = FakeMetricsRepository()
    MetricsRecorder(repository).record(mrr_event("2026-01-10", "crm", 10_000, "erp", 30_000,
                                                 accounts=(["crm"], ["erp"])))
    assert repository.transactions == 1
    assert {pk for pk, _ in repository.items} == {f"METRICS#{s}" for s in (TOTAL, "crm", "erp")} | {
        f"METRICS#{s}#2026-01" for s in (TOTAL, "crm", "erp")}


def test_events_metrics_do_not_count_are_ignored():
    repository = FakeMetricsRepository()
    event = envelope("license.activated", "acc-1", {"license_id": "l"}, time=NOON, event_id="x")
    assert MetricsRecorder(repository).record(event) == {"type": "license.activated", "counted": 0, "duplicates": 0}
    assert repository.transactions == 0


def test_an_event_without_the_documented_fields_is_logged_not_counted_and_not_retried():
    repository = FakeMetricsRepository()
    event = envelope("invoice.issued", "acc-1", {"invoice_id": "inv-1"}, time=NOON, event_id="bare")
    assert MetricsRecorder(repository).record(event)["uncountable"] is True
    assert repository.transactions == 0
