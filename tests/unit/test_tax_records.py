"""What the purge keeps for tax law: an allow-list copy of invoices and payments, for 5 years."""
from datetime import date, datetime, timezone

from chalicelib.services.lifecycle.tax_records import document_date, tax_record

TODAY = date(2026, 4, 5)
INVOICE = {
    "pk": "ACCOUNT#acc_1", "sk": "~INV#inv_1", "type": "invoice", "invoice_id": "inv_1", "status": "paid",
    "issue_date": "2026-01-05", "due_date": "2026-01-12", "total_cents": 19800,
    "payer": {"legal_name": "Fulano de Tal", "document": "52998224725"},
    "billing_emails": ["fulano@example.com"], "gsi1pk": "NOSSO#123", "due_pk": "OVERDUE#2026-01-13#3",
    "lines": [{"description": "Operand Pro", "amount_cents": 19800, "kind": "subscription",
               "customer_note": "entregar para Fulano"}],
    "boleto": {"nosso_numero": "123", "digitable_line": "0019...", "payer_name": "Fulano de Tal"},
}


def test_an_invoice_keeps_its_fiscal_facts_and_nothing_personal():
    record = tax_record(INVOICE, "acc_1", TODAY)
    assert (record["pk"], record["sk"], record["type"], record["record_type"]) == (
        "TAX#acc_1", "~INV#inv_1", "tax_record", "invoice")
    assert record["data"] == {
        "invoice_id": "inv_1", "status": "paid", "issue_date": "2026-01-05", "due_date": "2026-01-12",
        "total_cents": 19800,
        "lines": [{"description": "Operand Pro", "amount_cents": 19800, "kind": "subscription"}],
        "boleto": {"nosso_numero": "123", "digitable_line": "0019..."},
    }
    assert "gsi1pk" not in record and "due_pk" not in record  # out of every index: no job finds it
    assert record["kept_until"] == "2031-01-05"
    assert record["expires_at"] == int(datetime(2031, 1, 5, tzinfo=timezone.utc).timestamp())


def test_a_payment_is_kept_from_the_day_it_was_paid():
    payment = {"sk": "~PAY#1", "type": "payment", "payment_id": "pay_1", "amount_cents": 500, "method": "card",
               "paid_at": "2026-02-10T09:00:00-03:00", "card_last4": "4242", "payer_name": "Fulano"}
    record = tax_record(payment, "acc_1", TODAY)
    assert record["data"] == {"payment_id": "pay_1", "amount_cents": 500, "method": "card",
                              "paid_at": "2026-02-10T09:00:00-03:00"}
    assert record["kept_until"] == "2031-02-10"


def test_other_types_and_records_past_their_term_are_not_kept():
    assert tax_record({"sk": "MEMBER#u", "type": "member", "email": "x@y.z"}, "acc_1", TODAY) is None
    old = {**INVOICE, "issue_date": "2020-01-05"}
    assert tax_record(old, "acc_1", TODAY) is None


def test_the_document_date_falls_back_to_the_purge_day():
    assert document_date({"issue_date": "garbage", "created_at": "2026-01-02T00:00:00Z"}, TODAY) == date(2026, 1, 2)
    assert document_date({}, TODAY) == TODAY


def test_an_nfse_keeps_its_access_key_to_the_national_archive_and_nothing_personal():
    nfse = {"sk": "~NFSE#inv_1", "type": "service_invoice", "invoice_id": "inv_1", "status": "issued",
            "number": "12", "access_key": "4" * 50, "issued_at": "2026-01-10T12:00:00+00:00",
            "dps_id": "DPS" + "1" * 42, "paid_on": "2026-01-10", "service_cents": 19800, "discount_cents": 0,
            "error": "Tomador Fulano de Tal sem endereço", "xml_key": "invoices/acc_1/inv_1/nfse.xml",
            "lease_owner": "worker-1"}
    record = tax_record(nfse, "acc_1", TODAY)
    assert record["record_type"] == "service_invoice"
    assert record["data"] == {"invoice_id": "inv_1", "status": "issued", "number": "12", "access_key": "4" * 50,
                              "issued_at": "2026-01-10T12:00:00+00:00", "dps_id": "DPS" + "1" * 42,
                              "paid_on": "2026-01-10", "service_cents": 19800, "discount_cents": 0}
    assert record["kept_until"] == "2031-01-10"
