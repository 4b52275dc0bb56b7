"""Bank return files imported (CNAB 240/400): one item per import, with what the file did, for the
finance team's list (services/payments/bank_returns.py).

- `BANKRETURN#<import_id>` / `BANKRETURN`: the file's name, bank, layout, who imported it (a person or
  `bank_file:s3`), the counts (settled, credited, already imported, unmatched, entries confirmed,
  rejected, ignored), the amount received and the records to check (unmatched payments, boletos
  rejected by the bank). Created with attribute_not_exists once the whole file was applied; the
  records themselves are applied one by one with their own receipts (store/payments.py), so a file
  imported again shows as a new import whose records are "already imported".
- gsi1 `BANKRETURNS` / `<imported, UTC>#<import_id>`: every import, newest first, without a Scan.

Imports are the vendor's, not an account's: the item has no owner and no account purge touches it."""
import json

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.backups import utc_key
from chalicelib.store.base import BillingItem

IMPORT_SK = "BANKRETURN"
LIST_PARTITION = "BANKRETURNS"


def import_pk(import_id: str) -> str:
    return f"BANKRETURN#{import_id}"


class BankReturnImportItem(BillingItem, discriminator="bank_return_import"):
    import_id = UnicodeAttribute()
    name = UnicodeAttribute()
    layout = NumberAttribute()
    bank_code = UnicodeAttribute()
    imported_by = UnicodeAttribute()
    records = NumberAttribute(default=0)
    settled = NumberAttribute(default=0)
    credited = NumberAttribute(default=0)
    duplicates = NumberAttribute(default=0)
    unmatched = NumberAttribute(default=0)
    registered = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    ignored = NumberAttribute(default=0)
    settled_cents = NumberAttribute(default=0)
    # JSON list of {"line", "nosso_numero", "movement", "paid_cents", "invoice_id", "account_id"}.
    to_check = UnicodeAttribute(default="[]")

    @property
    def to_check_list(self) -> list[dict]:
        return json.loads(self.to_check)


def new_import(import_id: str, imported_at, counts: dict, to_check: list[dict]) -> BankReturnImportItem:
    """`counts`: name, layout, bank_code, imported_by and the summary's counts."""
    return BankReturnImportItem(
        pk=import_pk(import_id), sk=IMPORT_SK, import_id=import_id, created_at=imported_at,
        to_check=json.dumps(to_check, sort_keys=True, ensure_ascii=False),
        gsi1pk=LIST_PARTITION, gsi1sk=f"{utc_key(imported_at)}#{import_id}", **counts)


class BankReturnImportRepository:
    def record(self, item: BankReturnImportItem) -> None:
        item.save(condition=BankReturnImportItem.pk.does_not_exist())

    def page(self, limit: int, after: dict | None) -> tuple[list[BankReturnImportItem], dict | None]:
        """Newest first (gsi1; eventually consistent: an import a moment ago may show a bit later)."""
        result = BankReturnImportItem.lookup_index.query(LIST_PARTITION, scan_index_forward=False, limit=limit,
                                                         last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key
