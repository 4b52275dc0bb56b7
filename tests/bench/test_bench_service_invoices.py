"""The NFS-e benchmark measures what it claims at a small size: every paid invoice gets one NFS-e for
one `POST /nfse` at the SEFIN, within the DynamoDB budget, with the same calls when the table holds 5x
the NFS-e, no Scan; a run with nothing pending reads the work list only; a refund's cancellation sends
the one cancellation event."""
from bench import backend, bench_service_invoices, call_counter

# At collection, before any test builds an AWS client: clients made earlier would escape the count.
call_counter.install()


def test_a_small_run_issues_one_nfse_per_paid_invoice_within_its_budgets(monkeypatch):
    monkeypatch.setattr(backend, "quick", lambda: True)
    result = bench_service_invoices.measure()
    assert result["failures"] == []
    assert result["issued"] == 6 and result["scans"] == 0  # 3 in the small table, 3 in the 5x one
    assert result["sefin_requests_per_nfse"] == {"POST /nfse": 1}
    assert result["calls_per_nfse"] == sum(result["calls_by_operation"].values())
    assert result["calls_per_nfse"] <= bench_service_invoices.CALLS_PER_NFSE_TARGET
    assert result["same_calls_at_5x"] is True
    small, large = result["detail"]["calls_at_each_size"].values()
    assert small == large == [result["calls_by_operation"]]
    # The authorised XML and the DANFSe stored, the event published, the e-mail sent.
    assert result["other_calls_per_nfse"]["s3"] == {"PutObject": 2}
    assert result["other_calls_per_nfse"]["events"] == {"PutEvents": 1}
    assert result["other_calls_per_nfse"]["ses"] == {"SendEmail": 1}
    assert result["detail"]["xml_bytes"] > 1_000 and result["detail"]["pdf_bytes"] > 1_000
    # Nothing pending: one Query per shard of the work list, at both sizes.
    assert result["empty_run_calls"] == {"Query": 8} == result["detail"]["empty_run_calls"]["small"]
    # The time splits into the app's own work and waiting; each part was measured.
    split = result["app_split_ms"]
    assert all(split[part] > 0 for part in ("dps_ms", "signature_ms", "danfse_ms"))
    assert split["rest_ms"] > 0 and result["app_ms"] > max(split.values())
    assert result["wait_ms"]["sefin"] > 0 and result["wait_ms"]["aws"] > 0
    assert result["nfse_ms"] >= result["app_ms"]
    # A full refund: the one cancellation event at the SEFIN, its XML stored.
    assert result["cancel_sefin_requests"] == {"POST /nfse/{chaveAcesso}/eventos": 1}
    assert result["cancel_calls"] <= bench_service_invoices.CANCEL_CALLS_TARGET
    assert result["cancel_other_calls"]["s3"] == {"PutObject": 1}
    assert bench_service_invoices.LAST is result
