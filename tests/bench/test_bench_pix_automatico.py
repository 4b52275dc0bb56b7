"""The Pix Automático benchmark measures what it claims at a small size: one PUT at the PSP per cycle
charge, the DynamoDB calls the charge adds to issuing and those of settling it, no Scan."""
from bench import backend, bench_pix_automatico, call_counter

# At collection, before any test builds an AWS client: clients made earlier would escape the count.
call_counter.install()


def test_a_small_run_charges_every_approved_account_once_within_its_budgets(monkeypatch):
    monkeypatch.setattr(backend, "quick", lambda: True)
    result = bench_pix_automatico.measure()
    assert result["failures"] == []
    assert result["charges"] == 3 and result["scans"] == 0
    assert result["psp_calls_per_charge"] == 1
    # The charge: the invoice and the recurrence read, the live items again, one transaction; the
    # boleto's nosso número counter is not needed.
    assert result["charge_calls_by_operation"] == {"GetItem": 2, "Query": 1, "TransactWriteItems": 1,
                                                   "UpdateItem": -1}
    assert result["issue_calls"]["pix_automatico"] == result["issue_calls"]["boleto"] + 3
    assert result["settle_calls"] <= bench_pix_automatico.SETTLE_CALLS_TARGET
    assert result["duplicate_calls"] < result["settle_calls"]  # a replay stops at the receipt
    assert bench_pix_automatico.LAST is result
