"""Store-level guarantees of accounts, members and invitations: conditional writes, optimistic
locking and all-or-nothing transactions. Runs on moto (first pass of `make test`) and on AWS
DynamoDB Local (second pass, RENOVA_TEST_BACKEND=ddblocal), where they are implemented by AWS's code."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import Conflict
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem, InviteItem, MemberItem, invite_sk, member_sk
from chalicelib.store.audit import AuditItem, audit_pk
from chalicelib.store.base import account_pk

pytestmark = pytest.mark.ddblocal


class FixedClock:
    def now(self):
        return datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)


CLOCK = FixedClock()


def principal(user_id: str):
    return SimpleNamespace(user_id=user_id, email=f"{user_id}@example.com")


def audit(account_id: str, action: str):
    return audit_entry(CLOCK, account_id, actor="alice", action=action, target=account_id)


def audit_actions(account_id: str) -> list[str]:
    return sorted(item.action for item in AuditItem.query(audit_pk(account_id), consistent_read=True))


def pending_member(account_id: str, user_id: str, email: str) -> MemberItem:
    return MemberItem(pk=account_pk(account_id), sk=member_sk(user_id), account_id=account_id,
                      user_id=user_id, email=email, role="finance", invited=True,
                      created_at=CLOCK.now(), gsi1pk=None, gsi1sk=account_pk(account_id))


def test_tables_have_ttl_enabled_on_expires_at(aws):
    dynamodb = aws.boto3_client("dynamodb")
    for table in (aws.settings.billing_table, aws.settings.idempotency_table):
        description = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert description["TimeToLiveStatus"] == "ENABLED", table
        assert description["AttributeName"] == "expires_at", table


def test_an_account_is_created_once_and_a_failed_create_writes_nothing(aws):
    account = aws.accounts.create(principal("alice"), "Marcenaria Alice")
    repo = aws.account_repository
    # Same account key, another owner: the account's condition fails, so neither item is written.
    clash = AccountItem(pk=account.pk, sk=ACCOUNT_SK, account_id=account.account_id, name="Outra",
                        owner_user_id="mallory")
    mallory = MemberItem(pk=account.pk, sk=member_sk("mallory"), account_id=account.account_id,
                         user_id="mallory", email="m@example.com", role="owner")
    with pytest.raises(TransactWriteError):
        repo.create(clash, mallory, audit(account.account_id, "account.created"))

    assert repo.get(account.account_id).name == "Marcenaria Alice"
    assert repo.get_member(account.account_id, "mallory") is None
    assert [m.user_id for m in repo.list_members(account.account_id)] == ["alice"]
    assert audit_actions(account.account_id) == ["account.created"]


def test_a_stale_version_is_refused_with_a_conflict_and_its_audit_entry_is_not_written(aws):
    account = aws.accounts.create(principal("alice"), "Conta")
    repo = aws.account_repository
    first, second = repo.get(account.account_id), repo.get(account.account_id)
    assert first.version == second.version == 1

    first.name = "Primeira"
    repo.save_with_audit(first, audit(account.account_id, "account.renamed.first"))
    second.name = "Segunda"
    with pytest.raises(Conflict) as refused:
        repo.save_with_audit(second, audit(account.account_id, "account.renamed.second"))

    assert refused.value.code == "concurrent_update" and refused.value.status == 409
    stored = repo.get(account.account_id)
    assert (stored.name, stored.version) == ("Primeira", 2)
    assert audit_actions(account.account_id) == ["account.created", "account.renamed.first"]


def test_an_e_mail_is_invited_once_per_account(aws):
    account = aws.accounts.create(principal("alice"), "Conta")
    repo = aws.account_repository
    repo.invite(pending_member(account.account_id, "inv_1", "bruno@example.com"),
                audit(account.account_id, "member.invited"))
    with pytest.raises(Conflict) as refused:
        repo.invite(pending_member(account.account_id, "inv_2", "Bruno@Example.COM"),
                    audit(account.account_id, "member.invited"))

    assert refused.value.code == "member_exists"
    assert sorted(m.user_id for m in repo.list_members(account.account_id)) == ["alice", "inv_1"]
    assert audit_actions(account.account_id) == ["account.created", "member.invited"]


def test_an_invitation_is_claimed_once(aws):
    account = aws.accounts.create(principal("alice"), "Conta")
    repo = aws.account_repository
    repo.invite(pending_member(account.account_id, "inv_1", "bruno@example.com"),
                audit(account.account_id, "member.invited"))

    joined = repo.claim_invitation(account.account_id, "bruno", "bruno@example.com")
    assert (joined.user_id, joined.role, joined.invited) == ("bruno", "finance", False)
    again = repo.claim_invitation(account.account_id, "bruno", "bruno@example.com")
    assert again is None or again.user_id == "bruno"  # the invitation is gone: nothing new happens

    members = sorted(m.user_id for m in repo.list_members(account.account_id))
    assert members == ["alice", "bruno"]
    with pytest.raises(InviteItem.DoesNotExist):
        InviteItem.get(account_pk(account.account_id), invite_sk("bruno@example.com"), consistent_read=True)
    # The joined member is found through the user's memberships index.
    memberships = list(MemberItem.lookup_index.query("USER#bruno"))
    assert [m.account_id for m in memberships] == [account.account_id]
