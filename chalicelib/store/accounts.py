"""Accounts, members and invitations: models and repository."""
from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.store.base import BillingItem, account_pk, query_page, transaction

ACCOUNT_SK = "ACCOUNT"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def invite_sk(email: str) -> str:
    return f"INVITE#{email.lower()}"


def user_memberships_pk(user_id: str) -> str:
    """gsi1 partition of a user's memberships (sort key: the account's pk)."""
    return f"USER#{user_id}"


def email_invitations_pk(email: str) -> str:
    """gsi1 partition of the invitations pending for an e-mail (sort key: the account's pk)."""
    return f"INVITED#{email.lower()}"


class AccountItem(BillingItem, discriminator="account"):
    account_id = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    owner_user_id = UnicodeAttribute()
    billing_data = MapAttribute(null=True)
    due_day = NumberAttribute(null=True)
    default_payment_method = UnicodeAttribute(null=True)
    credit_cents = NumberAttribute(default=0)
    version = VersionAttribute()


class MemberItem(BillingItem, discriminator="member"):
    account_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    invited = BooleanAttribute(default=False)


class InviteItem(BillingItem, discriminator="invite"):
    """Points an invited e-mail at its pending member, claimed on the invitee's first request."""

    account_id = UnicodeAttribute()
    member_user_id = UnicodeAttribute()


class AccountRepository:
    def create(self, account: AccountItem, owner: MemberItem, audit) -> None:
        with transaction() as tx:
            tx.save(account, condition=AccountItem.pk.does_not_exist())
            tx.save(owner, condition=MemberItem.pk.does_not_exist())
            tx.save(audit)

    def save_with_audit(self, item, audit) -> None:
        """Write an entity and its audit entry together; a stale version raises ConcurrentUpdate."""
        try:
            with transaction() as tx:
                tx.save(item)
                tx.save(audit)
        except TransactWriteError as exc:
            raise ConcurrentUpdate("O registro foi alterado por outra operação; tente novamente.") from exc

    def get(self, account_id: str) -> AccountItem | None:
        try:
            return AccountItem.get(account_pk(account_id), ACCOUNT_SK)
        except DoesNotExist:
            return None

    def get_member(self, account_id: str, user_id: str) -> MemberItem | None:
        try:
            return MemberItem.get(account_pk(account_id), member_sk(user_id))
        except DoesNotExist:
            return None

    def list_members(self, account_id: str) -> list[MemberItem]:
        return list(MemberItem.query(account_pk(account_id), MemberItem.sk.startswith("MEMBER#")))

    def members_page(self, account_id: str, limit: int, after_sk: str | None) -> tuple[list[MemberItem], str | None]:
        return query_page(MemberItem, account_pk(account_id), MemberItem.sk.startswith("MEMBER#"), limit, after_sk)

    def memberships_page(self, user_id: str, limit: int,
                         after_account_pk: str | None) -> tuple[list[MemberItem], str | None]:
        """One page of the user's active memberships, by account (a Query on gsi1, never a Scan).
        The position is the last account's pk: with the user it rebuilds the index key."""
        partition = user_memberships_pk(user_id)
        kwargs = {"limit": limit, "filter_condition": MemberItem.active == True}  # noqa: E712 — a condition
        if after_account_pk:
            kwargs["last_evaluated_key"] = {
                "gsi1pk": {"S": partition}, "gsi1sk": {"S": after_account_pk},
                "pk": {"S": after_account_pk}, "sk": {"S": member_sk(user_id)},
            }
        result = MemberItem.lookup_index.query(partition, MemberItem.gsi1sk.startswith("ACCOUNT#"), **kwargs)
        members = [item for item in result if isinstance(item, MemberItem)]
        last = result.last_evaluated_key
        return members, (last["gsi1sk"]["S"] if last else None)

    def accounts_by_id(self, account_ids: list[str]) -> dict[str, AccountItem]:
        """The accounts named, in one BatchGetItem per hundred (missing ones are left out)."""
        keys = [(account_pk(account_id), ACCOUNT_SK) for account_id in dict.fromkeys(account_ids)]
        if not keys:
            return {}
        return {item.account_id: item for item in AccountItem.batch_get(keys)}

    def invited_account_ids(self, email: str) -> list[str]:
        """Accounts with an invitation pending for this e-mail (gsi1)."""
        return [item.account_id for item in InviteItem.lookup_index.query(
            email_invitations_pk(email), InviteItem.gsi1sk.startswith("ACCOUNT#"))
            if isinstance(item, InviteItem)]

    def invite(self, member: MemberItem, audit) -> None:
        invite = InviteItem(
            pk=member.pk, sk=invite_sk(member.email), account_id=member.account_id,
            member_user_id=member.user_id, gsi1pk=email_invitations_pk(member.email), gsi1sk=member.pk,
        )
        try:
            with transaction() as tx:
                tx.save(invite, condition=InviteItem.pk.does_not_exist())
                tx.save(member, condition=MemberItem.pk.does_not_exist())
                tx.save(audit)
        except TransactWriteError as exc:
            raise Conflict("Este e-mail já foi convidado para a conta.", code="member_exists") from exc

    def has_invitation(self, account_id: str, email: str) -> bool:
        try:
            InviteItem.get(account_pk(account_id), invite_sk(email), consistent_read=True)
        except DoesNotExist:
            return False
        return True

    def claim_invitation(self, account_id: str, user_id: str, email: str) -> MemberItem | None:
        """Bind a pending invitation for `email` to the authenticated user `user_id`."""
        try:
            invite = InviteItem.get(account_pk(account_id), invite_sk(email), consistent_read=True)
        except DoesNotExist:
            return None
        pending = self.get_member(account_id, invite.member_user_id)
        if pending is None:
            return None
        joined = MemberItem(
            pk=pending.pk, sk=member_sk(user_id), account_id=account_id, user_id=user_id,
            email=pending.email, role=pending.role, active=pending.active, invited=False,
            created_at=pending.created_at, gsi1pk=user_memberships_pk(user_id), gsi1sk=pending.pk,
        )
        # An account created for someone else (a partner batch's client) has an invited owner: the
        # account then names the person who claimed it as its owner.
        account = self.get(account_id) if pending.role == "owner" else None
        try:
            with transaction() as tx:
                tx.delete(invite, condition=InviteItem.pk.exists())
                tx.delete(pending)
                tx.save(joined, condition=MemberItem.pk.does_not_exist())
                if account is not None and account.owner_user_id == pending.user_id:
                    account.owner_user_id = user_id
                    tx.save(account)
        except TransactWriteError:
            return self.get_member(account_id, user_id)
        return joined
