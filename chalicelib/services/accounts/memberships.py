"""Who the caller is inside an account. A non-member gets 404, never a hint that the account exists."""
from chalicelib.domain.enums import Role
from chalicelib.errors import Forbidden, NotFound


class MembershipService:
    def __init__(self, accounts):
        self._accounts = accounts

    def authorize(self, principal, account_id: str, allowed_roles: frozenset[Role]):
        member = self._accounts.get_member(account_id, principal.user_id)
        if member is None and principal.email:
            if getattr(principal, "email_verified", False):
                member = self._accounts.claim_invitation(account_id, principal.user_id, principal.email)
            elif self._accounts.has_invitation(account_id, principal.email):
                # Only the invited address learns of the invitation (anyone else still gets the 404),
                # and it learns what to do; the invitation stays pending for the verified owner.
                raise Forbidden("Confirme seu e-mail no provedor de login para aceitar o convite: o token "
                                "não informa que o e-mail foi verificado.", code="email_not_verified")
        if member is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        if not member.active:
            raise Forbidden("Seu acesso a esta conta está desativado.", code="member_inactive")
        if Role(member.role) not in allowed_roles:
            raise Forbidden("Seu papel nesta conta não permite esta ação.", code="role_not_allowed",
                            details={"role": member.role})
        return member
