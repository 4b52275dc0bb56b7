"""Storage used, as reported by the vendor's product (internal API). A usage report is telemetry,
not a person's change: it is not audited."""
from chalicelib.errors import NotFound
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem
from chalicelib.store.base import account_pk
from chalicelib.store.subscriptions import USAGE_SK, UsageItem


class StorageService:
    def __init__(self, repository, clock):
        self._repo = repository
        self._clock = clock

    def record_usage(self, account_id: str, used_bytes: int) -> UsageItem:
        pk = account_pk(account_id)
        usage = UsageItem(pk=pk, sk=USAGE_SK, account_id=account_id, storage_used_bytes=used_bytes,
                          created_at=self._clock.now())
        writes = self._repo.writes()
        writes.require(AccountItem, pk, ACCOUNT_SK, AccountItem.pk.exists(),
                       NotFound("Conta não encontrada.", code="account_not_found"))
        writes.save(usage)
        writes.commit()
        return usage
