"""In-memory repositories of the finance team's lists, on the fake table (tests/fakes/dynamo.py judges
their conditions and keeps the index attributes the real models write): credits granted
(store/credits.py) and bank return imports (store/bank_returns.py). The refunds' and failed NFS-e
lists are methods of the fake payment and NFS-e repositories, reading the same way.

Pages here are whole lists cut at `limit` with no cursor (the cursor is the API's, tested on moto and
DynamoDB Local)."""
from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.bank_returns import LIST_PARTITION as IMPORTS_PARTITION, BankReturnImportItem
from chalicelib.store.base import account_pk
from chalicelib.store.credits import CREDIT_PREFIX, LIST_PARTITION as CREDITS_PARTITION, CreditGrantItem
from tests.fakes.dynamo import InvalidTransaction, TransactionCancelled


def newest_first(table, partition: str, model, hash_attr: str = "gsi1pk", range_attr: str = "gsi1sk",
                 limit: int = 100) -> list:
    return list(reversed(table.index_query(hash_attr, partition, range_attr, model=model)))[:limit]


class FakeCreditRepository:
    def __init__(self, store):
        self._store = store

    def grant(self, account, grant: CreditGrantItem, audit) -> None:
        tx = self._store.transaction()
        tx.save(account)
        tx.save(grant, condition=CreditGrantItem.pk.does_not_exist())
        tx.save(audit)
        try:
            tx.commit()
        except (TransactionCancelled, InvalidTransaction) as exc:
            raise ConcurrentUpdate("O registro foi alterado por outra operação; tente novamente.") from exc

    def page(self, limit: int, after: dict | None):
        return newest_first(self._store.billing, CREDITS_PARTITION, CreditGrantItem, limit=limit), None

    def of_account(self, account_id: str, limit: int, after: dict | None):
        items = self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith(CREDIT_PREFIX),
                                          CreditGrantItem, newest_first=True)
        return items[:limit], None


class FakeBankReturnImportRepository:
    def __init__(self, store):
        self._store = store

    def record(self, item: BankReturnImportItem) -> None:
        tx = self._store.transaction()
        tx.save(item, condition=BankReturnImportItem.pk.does_not_exist())
        tx.commit()

    def page(self, limit: int, after: dict | None):
        return newest_first(self._store.billing, IMPORTS_PARTITION, BankReturnImportItem, limit=limit), None
