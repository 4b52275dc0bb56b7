"""The reference bank files (../shared/reference/cnab, read-only) and boletos seeded to match them."""
from datetime import datetime, timezone
from pathlib import Path

from chalicelib.adapters.bank_files import ReturnRecord, parse_return_file
from chalicelib.domain.nosso_numero import return_file_key
from chalicelib.store.invoices import nosso_numero_item
from chalicelib.services.invoicing.orders import Line, invoice_items, with_account_credit
from chalicelib.store.billing import BillingRepository, WriteSet

CNAB = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cnab"


def reference_file(name: str) -> bytes:
    return (CNAB / name).read_bytes()


def first_liquidation(name: str = "CNAB240.RET") -> ReturnRecord:
    return parse_return_file(reference_file(name)).records[0]


def seed_boleto(account_id: str, record: ReturnRecord, bank: str = "001") -> str:
    """An open invoice for what `record` pays, whose boleto carries its nosso número; its id."""
    now = datetime.now(timezone.utc)
    order = with_account_credit([Line("Fatura avulsa", record.paid_cents, "fee")], 0)
    number = BillingRepository().snapshot(account_id, consistent=True).next_invoice_number(now.date())
    invoice, related = invoice_items(account_id, order, origin="renewal", payment_method="boleto", now=now,
                                     billed=[], number=number)
    writes = WriteSet()
    for item in (invoice, *related):
        writes.create(item)
    writes.create(nosso_numero_item(account_id, invoice.invoice_id, bank, record.nosso_numero,
                                    return_file_key(bank, record.nosso_numero), now))
    writes.commit()
    return invoice.invoice_id
