"""Store-level guarantees of the finance team's lists, on moto and on AWS DynamoDB Local (second pass,
RENOVA_TEST_BACKEND=ddblocal): a credit grant and its list entry are written with the account's new
balance or not at all; a bank return import is kept once under its id; the failed NFS-e index follows
the item's status on every put."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from pynamodb.exceptions import PutError

from chalicelib.errors import ConcurrentUpdate
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.bank_returns import new_import
from chalicelib.store.credits import new_credit_grant
from chalicelib.store.service_invoices import new_service_invoice

pytestmark = pytest.mark.ddblocal
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    def now(self):
        return NOW


def test_a_grant_on_a_stale_account_writes_neither_the_balance_nor_the_list_entry(aws):
    account = aws.accounts.create(SimpleNamespace(user_id="alice", email="alice@example.com"), "Conta")
    stale = aws.account_repository.get(account.account_id)
    aws.credits.grant(account.account_id, 100, "Primeiro", "fin-1")
    stale.credit_cents = 999
    grant = new_credit_grant(account.account_id, "cred_stale", 999, "Concorrente", "fin-1", 999, NOW)
    audit = audit_entry(Clock(), account.account_id, actor="fin-1", action="credit.granted",
                        target=account.account_id)
    with pytest.raises(ConcurrentUpdate):
        aws.credit_repository.grant(stale, grant, audit)
    listed, _ = aws.credit_repository.page(10, None)
    assert [(g.account_id, g.reason, g.balance_after_cents) for g in listed] == [(account.account_id, "Primeiro", 100)]
    assert aws.account_repository.get(account.account_id).credit_cents == 100


def test_a_bank_return_import_is_kept_once_under_its_id(aws):
    counts = {"name": "retorno.ret", "layout": 400, "bank_code": "341", "imported_by": "fin-1", "records": 1,
              "settled": 1, "settled_cents": 10_000}
    aws.bank_return_imports.record(new_import("ret_1", NOW, counts, []))
    with pytest.raises(PutError):
        aws.bank_return_imports.record(new_import("ret_1", NOW, {**counts, "settled": 0}, []))
    [kept], last = aws.bank_return_imports.page(10, None)
    assert (kept.import_id, kept.settled, last) == ("ret_1", 1, None)


def test_the_failed_list_follows_the_nfse_status_on_every_put(aws):
    repository = aws.service_invoice_repository
    item = new_service_invoice("acc_1", "inv_1", "operand-pro", 19_800, 0, "2026-12-01", "1", NOW)
    assert repository.save(item)
    assert repository.by_status("failed", 10, None)[0] == []
    item = repository.get("acc_1", "inv_1")
    item.status, item.failed_since, item.error = "failed", NOW, "Dados de cobrança incompletos."
    assert repository.save(item)
    [failed], _ = repository.by_status("failed", 10, None)
    assert (failed.invoice_id, failed.error) == ("inv_1", "Dados de cobrança incompletos.")
    item = repository.get("acc_1", "inv_1")
    item.status = "issued"
    assert repository.save(item)
    assert repository.by_status("failed", 10, None)[0] == []
