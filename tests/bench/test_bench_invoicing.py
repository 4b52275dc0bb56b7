"""The invoicing benchmark counts what it claims: a small size, every due account invoiced, no Scan,
the calls within the issue's budget — four per invoice, plus the planner's fixed cost per day, each
reported on its own."""
from bench import bench_invoicing, call_counter
from chalicelib.store.schema import DUE_SHARDS

# At collection, before any test builds an AWS client: clients made earlier would escape the count.
call_counter.install()


def test_a_small_size_issues_every_due_invoice_within_the_call_budget():
    result = bench_invoicing._measure_size(6, 4)
    assert (result["invoices"], result["scans"]) == (4, 0)
    assert result["dynamodb_calls"] / result["invoices"] <= bench_invoicing.CALLS_PER_INVOICE_TARGET
    planner = DUE_SHARDS + 2  # one Query per shard of the day, the checkpoint read and advanced
    assert result["dynamodb_calls"] - planner == 4 * result["invoices"]
    assert result["calls"]["TransactWriteItems"] == 4  # one transaction per account
    assert result["accounts_invoiced"] == 4
    # The split the benchmark reports: the planner's fixed cost, measured by a day with nothing due,
    # and the worker's four calls per invoice.
    assert (result["fixed_calls"], result["fixed_run_invoices"]) == (planner, 0)
    assert result["fixed_run_calls"] == {"GetItem": 1, "PutItem": 1, "Query": DUE_SHARDS}
    assert result["worker_calls"] == {"Query": 4, "TransactWriteItems": 4, "UpdateItem": 8}
    assert result["worker_calls_per_invoice"] == 4
    assert result["other_calls"]["s3"] == {"PutObject": 4} and result["other_calls"]["ses"] == {"SendEmail": 4}


def test_accounts_invoiced_beside_the_due_ones_fail_the_benchmark(monkeypatch):
    """Another benchmark's accounts falling due on the day (as check-overdue's did in bench_jobs)
    would inflate the calls per invoice: the benchmark says so instead of printing the figure."""
    def size(accounts, due):
        invoiced = due if accounts == 2 else 2 * due  # the warm-up, then twice the due accounts
        return {"accounts": accounts, "invoices": invoiced, "accounts_invoiced": invoiced,
                "calls": {"Query": 8 + invoiced}, "dynamodb_calls": 10 + 4 * invoiced, "fixed_calls": 10,
                "fixed_run_invoices": 0, "worker_calls_per_invoice": 4.0, "scans": 0, "seconds": 1.0,
                "app_seconds": 0.5}

    monkeypatch.setattr(bench_invoicing, "_measure_size", size)
    monkeypatch.setattr(bench_invoicing, "sizes", lambda: (20, 5))
    result = bench_invoicing.measure()
    assert "expected the 5 due accounts invoiced, the run took 10 and 10" in result["failures"]
