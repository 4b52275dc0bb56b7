"""Who the caller is inside an account. A non-member gets 404, never a hint that the account exists."""
from chalicelib.domain.enums import Role
from chalicelib.errors import Forbidden, NotFound


class MembershipService:
    def __init__(self, accounts):
        self._accounts = accounts

    def authorize(self, principal, account_id: str, allowed_roles: frozenset[Role]):
        member = self._accounts.get_member(account_id, principal.user_id)
        if member is None and principal.email:
            member = self._accounts.claim_invitation(account_id, principal.user_id, principal.email)
        if member is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        if not member.active:
            raise Forbidden("Seu acesso a esta conta está desativado.", code="member_inactive")
        if Role(member.role) not in allowed_roles:
            raise Forbidden("Seu papel nesta conta não permite esta ação.", code="role_not_allowed",
                            details={"role": member.role})
        return member
