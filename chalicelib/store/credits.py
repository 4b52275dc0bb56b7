"""Credits granted by the vendor's finance team: one item per grant, in the account's history
(pk = ACCOUNT#<id>, sk = ~CREDIT#<grant_id>; ids sort by time), written in the transaction that
raises the account's credit balance, with its audit entry.

- The finance team's list of every account's grants: gsi1 CREDITS / <granted, UTC>#<grant_id>,
  newest first, without a Scan.
- One account's grants: a Query of its collection on the ~CREDIT# prefix, newest first.

It belongs to the account's collection, so the account's purge deletes it."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.backups import utc_key
from chalicelib.store.base import BillingItem, account_pk, transaction
from chalicelib.store.collection_keys import HISTORY

CREDIT_PREFIX = f"{HISTORY}CREDIT#"
LIST_PARTITION = "CREDITS"


def credit_sk(grant_id: str) -> str:
    return f"{CREDIT_PREFIX}{grant_id}"


class CreditGrantItem(BillingItem, discriminator="credit_grant"):
    account_id = UnicodeAttribute()
    grant_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute(default="BRL")
    reason = UnicodeAttribute()
    granted_by = UnicodeAttribute()
    balance_after_cents = NumberAttribute()  # the account's credit right after the grant


def new_credit_grant(account_id: str, grant_id: str, amount_cents: int, reason: str, granted_by: str,
                     balance_after_cents: int, granted_at) -> CreditGrantItem:
    return CreditGrantItem(
        pk=account_pk(account_id), sk=credit_sk(grant_id), account_id=account_id, grant_id=grant_id,
        amount_cents=amount_cents, reason=reason, granted_by=granted_by, balance_after_cents=balance_after_cents,
        created_at=granted_at, gsi1pk=LIST_PARTITION, gsi1sk=f"{utc_key(granted_at)}#{grant_id}")


class CreditRepository:
    def grant(self, account, grant: CreditGrantItem, audit) -> None:
        """The account's new balance (versioned), the grant and the audit entry in one transaction; a
        concurrent change of the account raises ConcurrentUpdate."""
        try:
            with transaction() as tx:
                tx.save(account)
                tx.save(grant, condition=CreditGrantItem.pk.does_not_exist())
                tx.save(audit)
        except TransactWriteError as exc:
            raise ConcurrentUpdate("O registro foi alterado por outra operação; tente novamente.") from exc

    def page(self, limit: int, after: dict | None) -> tuple[list[CreditGrantItem], dict | None]:
        """Every account's grants, newest first (gsi1; eventually consistent)."""
        result = CreditGrantItem.lookup_index.query(LIST_PARTITION, scan_index_forward=False, limit=limit,
                                                    last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key

    def of_account(self, account_id: str, limit: int, after: dict | None) -> tuple[list[CreditGrantItem], dict | None]:
        """One account's grants, newest first."""
        result = CreditGrantItem.query(account_pk(account_id), CreditGrantItem.sk.startswith(CREDIT_PREFIX),
                                       scan_index_forward=False, limit=limit, last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key
