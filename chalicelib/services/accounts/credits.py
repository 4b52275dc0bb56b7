"""Credits granted by the vendor's finance team (PRODUCT.md §1, §3): added to the account's credit
balance, which the next invoices consume first."""
from chalicelib.errors import NotFound
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.retry import retrying


class CreditService:
    def __init__(self, accounts, clock):
        self._accounts = accounts
        self._clock = clock

    def grant(self, account_id: str, amount_cents: int, reason: str, actor: str):
        if amount_cents <= 0:
            raise ValueError("a credit must be positive")
        # The account item is versioned: re-read and retry when another change won the race.
        return retrying(lambda: self._grant_once(account_id, amount_cents, reason, actor))

    def _grant_once(self, account_id: str, amount_cents: int, reason: str, actor: str):
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        before = account.credit_cents or 0
        account.credit_cents = before + amount_cents
        audit = audit_entry(self._clock, account_id, actor=actor, action="credit.granted",
                            target=account_id, before={"credit_cents": before},
                            after={"credit_cents": account.credit_cents, "granted_cents": amount_cents},
                            reason=reason)
        self._accounts.save_with_audit(account, audit)
        return account
