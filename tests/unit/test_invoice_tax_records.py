"""An invoice as the invoicing job stores it keeps its boletos and carried items in the tax record."""
from datetime import date, datetime, timezone

from chalicelib.services.lifecycle.tax_records import tax_record
from chalicelib.store.invoices import BoletoDocument, InvoiceItem, InvoiceLine


def _wire_to_plain(value):
    """DynamoDB wire format -> plain JSON-like values, as the purge's raw client reads items."""
    (kind, inner), = value.items()
    if kind == "M":
        return {k: _wire_to_plain(v) for k, v in inner.items()}
    if kind == "L":
        return [_wire_to_plain(v) for v in inner]
    if kind == "N":
        return int(inner)
    return inner


def test_boleto_documents_and_carried_lines_survive_the_purge_without_personal_data():
    item = InvoiceItem(
        pk="ACCOUNT#acc_1", sk="~INV#inv_2", account_id="acc_1", invoice_id="inv_2", status="superseded",
        origin="renewal", issue_date=date(2026, 5, 8), due_date=date(2026, 5, 15), payment_method="boleto",
        total_cents=19900, superseded_by="inv_3", created_at=datetime(2026, 5, 8, 9, tzinfo=timezone.utc),
        lines=[InvoiceLine(description="Promob", amount_cents=19900, kind="subscription", subscription_id="sub_1",
                           period_start=date(2026, 4, 15), period_end=date(2026, 5, 15), source_invoice_id="inv_1")],
        documents=[BoletoDocument(nosso_numero="109/00000011-5", bank_code="341", barcode="3" * 44,
                                  digitable_line="3" * 47, due_date=date(2026, 5, 15), amount_cents=19900,
                                  pix_payload="000201...", pdf_key="invoices/acc_1/inv_2/11.pdf",
                                  status="superseded", issued_on=date(2026, 5, 8))],
    )
    plain = {name: _wire_to_plain(value) for name, value in item.serialize().items()}
    record = tax_record(plain, "acc_1", date(2026, 9, 1))
    assert record["data"]["superseded_by"] == "inv_3"
    assert record["data"]["lines"][0]["source_invoice_id"] == "inv_1"
    assert record["data"]["documents"] == [{
        "nosso_numero": "109/00000011-5", "bank_code": "341", "barcode": "3" * 44, "digitable_line": "3" * 47,
        "due_date": "2026-05-15", "amount_cents": 19900, "status": "superseded"}]
