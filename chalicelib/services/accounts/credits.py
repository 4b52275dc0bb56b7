"""Credits granted by the vendor's finance team (PRODUCT.md §1, §3): added to the account's credit
balance, which the next invoices consume first. Each grant is kept (store/credits.py) with the new
balance and its audit entry in one transaction, so the finance team lists what was granted."""
from chalicelib.errors import NotFound
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.store.credits import new_credit_grant


class CreditService:
    def __init__(self, accounts, credits, clock):
        """`credits`: the grants' repository (store/credits.py), which writes the account with them."""
        self._accounts = accounts
        self._credits = credits
        self._clock = clock

    def grant(self, account_id: str, amount_cents: int, reason: str, actor: str):
        """Returns (account after the grant, the grant)."""
        if amount_cents <= 0:
            raise ValueError("a credit must be positive")
        clock = frozen(self._clock)
        grant_id = sortable_id("cred", clock.now())
        # The account item is versioned: re-read and retry when another change won the race.
        return retrying(lambda: self._grant_once(account_id, grant_id, amount_cents, reason, actor, clock))

    def _grant_once(self, account_id: str, grant_id: str, amount_cents: int, reason: str, actor: str, clock):
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        before = account.credit_cents or 0
        account.credit_cents = before + amount_cents
        audit = audit_entry(clock, account_id, actor=actor, action="credit.granted",
                            target=account_id, before={"credit_cents": before},
                            after={"credit_cents": account.credit_cents, "granted_cents": amount_cents,
                                   "grant_id": grant_id},
                            reason=reason)
        grant = new_credit_grant(account_id, grant_id, amount_cents, reason, actor, account.credit_cents, clock.now())
        self._credits.grant(account, grant, audit)
        return account, grant
