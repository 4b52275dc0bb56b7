"""Client accounts of a partner batch (Conta Azul Mais): a blank account created by the partner for a
license, owned by the client's own person — invited by e-mail, who becomes its owner on first login.
The partner's people are not members of it: they manage the license through the batch routes of
their own account, and never see the client's data, invoices included — except the client's backups,
which the article has the partner make in its client's account (`ClientAccess`). A client account
left with nothing when its license leaves is cancelled and kept for the retention period (`close_client`)."""
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.enums import Role
from chalicelib.errors import Forbidden, NotFound
from chalicelib.services.accounts.accounts import new_id
from chalicelib.services.lifecycle.closing import closing_if_nothing_left
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem, InviteItem, MemberItem, invite_sk, member_sk
from chalicelib.store.base import account_pk
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.billing import AccountSnapshot, WriteSet


@dataclass(frozen=True)
class ClientRequest:
    name: str
    owner_email: str


@dataclass
class NewClient:
    account: AccountItem
    owner: MemberItem
    invite: InviteItem
    seat: SeatItem

    def write(self, writes: WriteSet) -> None:
        for item in (self.account, self.owner, self.invite, self.seat):
            writes.create(item)


def new_client(request: ClientRequest, partner_id: str, batch_id: str, license_id: str, now: datetime) -> NewClient:
    account_id = new_id("acc")
    pk = account_pk(account_id)
    owner_id = new_id("inv")
    account = AccountItem(pk=pk, sk=ACCOUNT_SK, account_id=account_id, name=request.name, owner_user_id=owner_id,
                          created_at=now)
    owner = MemberItem(pk=pk, sk=member_sk(owner_id), account_id=account_id, user_id=owner_id,
                       email=request.owner_email.lower(), role=Role.OWNER.value, active=True, invited=True,
                       created_at=now)
    invite = InviteItem(pk=pk, sk=invite_sk(request.owner_email), account_id=account_id, member_user_id=owner_id,
                        created_at=now)
    seat = SeatItem(pk=pk, sk=SEAT_SK, account_id=account_id, partner_account_id=partner_id,
                    batch_subscription_id=batch_id, license_id=license_id, created_at=now)
    return NewClient(account, owner, invite, seat)


def client_created_audit(clock, client: NewClient, partner_id: str, license_id: str, actor: str):
    return audit_entry(clock, client.account.account_id, actor=actor, action="account.created",
                       target=client.account.account_id,
                       after={"name": client.account.name, "owner_email": client.owner.email,
                              "partner_account_id": partner_id, "license_id": license_id},
                       reason="Conta criada pelo parceiro para uma licença do lote.")


def close_client(retention, catalog, writes: WriteSet, clock, client: AccountSnapshot, actor: str,
                 reason: str) -> date | None:
    """Into the transaction: a client account left with nothing (its seat over) is cancelled and
    kept for the retention period. Returns the purge day."""
    account: AccountItem | None = client.account
    if account is None or account.status == "cancelled":
        return None
    closing = closing_if_nothing_left(retention, catalog, client, clock.today(), actor, reason)
    if closing.purge_on is None:
        return None
    account.status = "cancelled"
    writes.save(account)
    closing.write(writes)
    writes.save(audit_entry(clock, account.account_id, actor=actor, action="account.cancelled",
                            target=account.account_id, reason=reason,
                            after={"status": "cancelled", "purge_on": closing.purge_on.isoformat()}))
    return closing.purge_on


@dataclass(frozen=True)
class PartnerActor:
    """A partner's person acting on a client account it holds the license of: not a member of it."""
    account_id: str  # the partner account the person acts from
    user_id: str
    role: str
    client_account_id: str


class ClientAccess:
    """Who may use the routes a partner shares with its client's owner (the backups, "acesse a Conta
    Azul Pro do seu cliente"): a member of the client with the route's roles, or a person with the
    partner roles in the partner account that holds the client's seat — while the seat lasts, or,
    once the license left and the client account was cancelled, during its retention period (the
    article: the partner can still back up the old client's data). Anyone else gets the same 404 as
    a stranger, never a hint that the account exists."""

    def __init__(self, memberships, batches, accounts, clock):
        self._memberships = memberships
        self._batches = batches
        self._accounts = accounts
        self._clock = clock

    def authorize(self, principal, account_id: str, member_roles: frozenset[Role],
                  partner_roles: frozenset[Role]):
        try:
            return self._memberships.authorize(principal, account_id, member_roles)
        except NotFound as not_a_member:
            partner = self._holding_partner(account_id)
            if partner is None:
                raise
            try:
                member = self._memberships.authorize(principal, partner, partner_roles)
            except (NotFound, Forbidden):  # not the partner's, or not with these roles: the client stays hidden
                raise not_a_member from None
            return PartnerActor(partner, member.user_id, member.role, account_id)

    def _holding_partner(self, client_id: str) -> str | None:
        seat = self._batches.seat(client_id)
        if seat is None:
            return None
        if seat.ends_on is None or self._clock.today() < seat.ends_on:
            return seat.partner_account_id
        client = self._accounts.get(client_id)
        return seat.partner_account_id if client is not None and client.status == "cancelled" else None
