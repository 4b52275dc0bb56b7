"""The invoicing benchmark counts what it claims: a small size, every due account invoiced, no Scan,
the calls within the issue's budget — four per invoice, plus the planner's fixed cost per day."""
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
    assert result["other_calls"]["s3"] == {"PutObject": 4} and result["other_calls"]["ses"] == {"SendEmail": 4}
