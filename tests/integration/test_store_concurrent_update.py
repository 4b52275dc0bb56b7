"""Which 409 a failed write raises: ConcurrentUpdate (retried by services/shared/retry.py) when what
the use case read changed meanwhile, the use case's own Conflict for a business condition. Runs on
moto and on DynamoDB Local (RENOVA_TEST_BACKEND=ddblocal)."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem
from chalicelib.store.audit import AuditItem, audit_pk
from chalicelib.store.base import account_pk

pytestmark = pytest.mark.ddblocal


class FixedClock:
    def now(self):
        return datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)


CLOCK = FixedClock()


def new_account(aws) -> str:
    return aws.accounts.create(SimpleNamespace(user_id="alice", email="alice@example.com"), "Conta").account_id


def audit(account_id: str, action: str):
    return audit_entry(CLOCK, account_id, actor="alice", action=action, target=account_id)


def audit_actions(account_id: str) -> list[str]:
    return sorted(item.action for item in AuditItem.query(audit_pk(account_id), consistent_read=True))


def test_a_write_set_saving_a_stale_version_raises_concurrent_update(aws):
    billing = aws.billing_repository
    account_id = new_account(aws)
    first, second = billing.snapshot(account_id).account, billing.snapshot(account_id).account
    first.credit_cents = 100
    writes = billing.writes()
    writes.save(first)
    writes.commit()

    second.credit_cents = 200
    writes = billing.writes()
    writes.save(second)
    writes.save(audit(account_id, "credit.granted"))
    with pytest.raises(ConcurrentUpdate) as refused:
        writes.commit()

    assert (refused.value.status, refused.value.code) == (409, "concurrent_update")
    assert billing.snapshot(account_id).account.credit_cents == 100
    assert audit_actions(account_id) == ["account.created"]


def test_a_write_set_keeps_the_business_conflict_its_write_names(aws):
    billing = aws.billing_repository
    account_id = new_account(aws)
    clash = AccountItem(pk=account_pk(account_id), sk=ACCOUNT_SK, account_id=account_id, name="Outra",
                        owner_user_id="mallory")
    taken = Conflict("Esta conta já existe.", code="account_exists")
    writes = billing.writes()
    writes.create(clash, conflict=taken)
    with pytest.raises(Conflict) as refused:
        writes.commit()

    assert refused.value is taken and not isinstance(refused.value, ConcurrentUpdate)


def test_a_write_set_item_created_meanwhile_without_a_named_conflict_is_a_concurrent_update(aws):
    billing = aws.billing_repository
    account_id = new_account(aws)
    clash = AccountItem(pk=account_pk(account_id), sk=ACCOUNT_SK, account_id=account_id, name="Outra",
                        owner_user_id="mallory")
    writes = billing.writes()
    writes.create(clash)
    with pytest.raises(ConcurrentUpdate):
        writes.commit()


def test_the_account_repository_answers_a_stale_version_with_concurrent_update(aws):
    repo = aws.account_repository
    account_id = new_account(aws)
    first, second = repo.get(account_id), repo.get(account_id)
    first.name = "Primeira"
    repo.save_with_audit(first, audit(account_id, "account.renamed.first"))
    second.name = "Segunda"
    with pytest.raises(ConcurrentUpdate) as refused:
        repo.save_with_audit(second, audit(account_id, "account.renamed.second"))

    assert refused.value.code == "concurrent_update"
    assert refused.value.message == "O registro foi alterado por outra operação; tente novamente."
