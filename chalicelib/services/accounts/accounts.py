"""Use cases of accounts and their members."""
import secrets

from chalicelib.adapters.email import render
from chalicelib.domain.enums import Role
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem, MemberItem, member_sk, user_memberships_pk
from chalicelib.store.base import account_pk

ROLE_LABELS = {Role.OWNER: "Proprietário", Role.ADMIN: "Administrador",
               Role.FINANCE: "Responsável financeiro", Role.MEMBER: "Membro"}


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


class AccountService:
    def __init__(self, repository, clock, mailer):
        self._repo = repository
        self._clock = clock
        self._mailer = mailer

    def create(self, principal, name: str) -> AccountItem:
        account_id = new_id("acc")
        now = self._clock.now()
        account = AccountItem(pk=account_pk(account_id), sk=ACCOUNT_SK, account_id=account_id,
                              name=name, owner_user_id=principal.user_id, created_at=now)
        owner = self._member(account_id, principal.user_id, principal.email, Role.OWNER, invited=False)
        audit = audit_entry(self._clock, account_id, actor=principal.user_id, action="account.created",
                            target=account_id, after={"name": name})
        self._repo.create(account, owner, audit)
        return account

    def get(self, account_id: str) -> AccountItem:
        account = self._repo.get(account_id)
        if account is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        return account

    def update_billing_data(self, account_id: str, billing_data: dict, actor: str) -> AccountItem:
        account = self.get(account_id)
        before = dict(account.billing_data.as_dict()) if account.billing_data else None
        account.billing_data = billing_data
        self._save(account, actor, "account.billing_data_updated", before, billing_data)
        return account

    def update_billing_settings(self, account_id: str, changes: dict, actor: str) -> AccountItem:
        account = self.get(account_id)
        before = {key: getattr(account, key) for key in changes}
        for key, value in changes.items():
            setattr(account, key, value)
        self._save(account, actor, "account.billing_settings_updated", before, changes)
        return account

    def my_accounts_page(self, principal, limit: int,
                         after: str | None) -> tuple[list[tuple[AccountItem, MemberItem]], str | None]:
        """The caller's accounts with the caller's membership in each, one page at a time. On the
        first page, invitations pending for the caller's e-mail are accepted first (the invitation
        e-mail says "entre no portal com este e-mail"), as opening the account would: only for an
        e-mail the issuer vouches for (MembershipService.authorize)."""
        if after is None and principal.email and getattr(principal, "email_verified", False):
            for account_id in self._repo.invited_account_ids(principal.email):
                self._repo.claim_invitation(account_id, principal.user_id, principal.email)
        members, last = self._repo.memberships_page(principal.user_id, limit, after)
        accounts = self._repo.accounts_by_id([member.account_id for member in members])
        return [(accounts[m.account_id], m) for m in members if m.account_id in accounts], last

    def members_page(self, account_id: str, limit: int, after_sk: str | None):
        return self._repo.members_page(account_id, limit, after_sk)

    def invite(self, account_id: str, email: str, role: Role, actor: str) -> MemberItem:
        account = self.get(account_id)
        member = self._member(account_id, new_id("inv"), email, role, invited=True)
        audit = audit_entry(self._clock, account_id, actor=actor, action="member.invited",
                            target=member.user_id, after={"email": email, "role": role.value})
        self._repo.invite(member, audit)
        self._mailer.send(render("member_invited", [email], account_name=account.name,
                                 role_label=ROLE_LABELS[role], email=email), account_id=account_id)
        return member

    def update_member(self, account_id: str, user_id: str, changes: dict, actor: str) -> MemberItem:
        member = self._repo.get_member(account_id, user_id)
        if member is None:
            raise NotFound("Membro não encontrado.", code="member_not_found")
        if member.role == Role.OWNER and changes:
            raise Conflict("O proprietário da conta não pode ser rebaixado nem desativado; "
                           "a conta tem sempre exatamente um proprietário.", code="owner_is_unique")
        before = {key: getattr(member, key) for key in changes}
        for key, value in changes.items():
            setattr(member, key, value.value if isinstance(value, Role) else value)
        audit = audit_entry(self._clock, account_id, actor=actor, action="member.updated",
                            target=user_id, before=before, after=_plain(changes))
        self._repo.save_with_audit(member, audit)
        return member

    def _member(self, account_id: str, user_id: str, email: str, role: Role, invited: bool) -> MemberItem:
        return MemberItem(pk=account_pk(account_id), sk=member_sk(user_id), account_id=account_id,
                          user_id=user_id, email=email.lower(), role=role.value, active=True,
                          invited=invited, created_at=self._clock.now(),
                          gsi1pk=None if invited else user_memberships_pk(user_id), gsi1sk=account_pk(account_id))

    def _save(self, account: AccountItem, actor: str, action: str, before, after) -> None:
        audit = audit_entry(self._clock, account.account_id, actor=actor, action=action,
                            target=account.account_id, before=before, after=_plain(after))
        self._repo.save_with_audit(account, audit)


def _plain(values: dict) -> dict:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
