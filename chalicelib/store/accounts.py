"""Accounts, members and invitations: models and repository."""
from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.errors import Conflict
from chalicelib.store.base import BillingItem, account_pk, query_page, transaction

ACCOUNT_SK = "ACCOUNT"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def invite_sk(email: str) -> str:
    return f"INVITE#{email.lower()}"


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
        """Write an entity and its audit entry together; a stale version raises Conflict."""
        try:
            with transaction() as tx:
                tx.save(item)
                tx.save(audit)
        except TransactWriteError as exc:
            raise Conflict("O registro foi alterado por outra operação; tente novamente.",
                           code="concurrent_update") from exc

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

    def invite(self, member: MemberItem, audit) -> None:
        invite = InviteItem(
            pk=member.pk, sk=invite_sk(member.email), account_id=member.account_id,
            member_user_id=member.user_id,
        )
        try:
            with transaction() as tx:
                tx.save(invite, condition=InviteItem.pk.does_not_exist())
                tx.save(member, condition=MemberItem.pk.does_not_exist())
                tx.save(audit)
        except TransactWriteError as exc:
            raise Conflict("Este e-mail já foi convidado para a conta.", code="member_exists") from exc

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
            created_at=pending.created_at, gsi1pk=f"USER#{user_id}", gsi1sk=pending.pk,
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
