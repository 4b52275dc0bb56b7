"""Boleto documents: numbered by the agreement's counter, valid FEBRABAN lines, Pix, PDF in S3."""
import subprocess
from datetime import date
from functools import partial

from chalicelib.adapters.files import FileStore
from chalicelib.domain.boleto import parse_boleto
from chalicelib.domain.pix import parse_pix
from chalicelib.services.invoicing.boleto_documents import (
    BoletoDocumentService, nosso_numero_capacity, payer_from_billing_data,
)
from chalicelib.store.counters import allocate_nosso_numero
from tests.support import VALID_BILLING_DATA
from tests.unit.boleto.independent import require_tool

BILLING = {**VALID_BILLING_DATA, "document": "11222333000181",
           "address": {**VALID_BILLING_DATA["address"], "cep": "95700000"}}


def service(aws):
    settings = aws.settings
    dynamodb = aws.boto3_client("dynamodb")

    def allocate(bank, agreement, max_value):
        return allocate_nosso_numero(dynamodb, settings.billing_table, bank, agreement, max_value=max_value)

    files = FileStore(aws.boto3_client("s3"), settings.files_bucket)
    return BoletoDocumentService(settings, allocate, files, aws.clock), files


def test_two_documents_get_consecutive_nosso_numeros_and_valid_lines(aws):
    documents, files = service(aws)
    issue = partial(documents.issue, account_id="acc_1", amount_cents=12990, due_date=date(2026, 12, 15),
                    payer=payer_from_billing_data(BILLING))
    first, second = issue(invoice_id="inv_a"), issue(invoice_id="inv_b")
    assert first.nosso_numero != second.nosso_numero
    parsed = parse_boleto(first.digitable_line, today=date(2026, 12, 1))
    assert (parsed.bank_code, parsed.amount_cents, parsed.due_date) == ("341", 12990, date(2026, 12, 15))
    assert parsed.barcode == first.barcode
    pix = parse_pix(first.pix_payload)
    assert pix.crc_valid
    assert files.get(first.pdf_key).startswith(b"%PDF")
    assert first.pdf_key.startswith("invoices/acc_1/inv_a/")
    assert "X-Amz-Expires=900" in documents.pdf_link(first.pdf_key)


def pdf_text(pdf: bytes, tmp_path) -> str:
    (tmp_path / "boleto.pdf").write_bytes(pdf)
    result = subprocess.run([require_tool("pdftotext"), "-layout", str(tmp_path / "boleto.pdf"), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def test_the_pdf_prints_the_invoice_number_as_the_document_number(aws, tmp_path):
    documents, files = service(aws)
    issued = documents.issue(account_id="acc_1", invoice_id="inv_1a2421fe0c3b9d8e7f6a5b4", amount_cents=12990,
                             due_date=date(2026, 12, 15), payer=payer_from_billing_data(BILLING),
                             invoice_number="2026-000123")
    text = pdf_text(files.get(issued.pdf_key), tmp_path)
    # On the payer's receipt and on the compensation slip, with the fallback description naming it too.
    assert text.count("2026-000123") == 3, text
    assert "Fatura 2026-000123: R$ 129,90" in text
    assert "inv_1a2421fe" not in text and "fe0c3b9d8e7f6a5b4" not in text
    assert issued.pdf_key.startswith("invoices/acc_1/inv_1a2421fe0c3b9d8e7f6a5b4/")  # files stay keyed by id


def test_an_invoice_from_before_numbering_prints_the_end_of_its_id(aws, tmp_path):
    documents, files = service(aws)
    issued = documents.issue(account_id="acc_1", invoice_id="inv_1a2421fe0c3b9d8e7f6a5b4", amount_cents=12990,
                             due_date=date(2026, 12, 15), payer=payer_from_billing_data(BILLING))
    assert "0c3b9d8e7f6a5b4" in pdf_text(files.get(issued.pdf_key), tmp_path)  # the id's last 15 characters


def test_capacity_follows_each_banks_layout():
    assert nosso_numero_capacity("341", "") == 99_999_999
    assert nosso_numero_capacity("001", "1234567") == 9_999_999_999
    assert nosso_numero_capacity("001", "1234") == 9_999_999


def test_the_payer_is_printed_with_formatted_document_and_address():
    payer = payer_from_billing_data(BILLING)
    assert payer.document == "11.222.333/0001-81"
    assert payer.address_lines[1].endswith("CEP 95700-000")
