"""The backup's CSV files open correctly in a Brazilian spreadsheet: UTF-8 with BOM, `;`, dates
dd/mm/aaaa, amounts with decimal comma, and whatever item types the account holds."""
import csv
import io
import zipfile
from decimal import Decimal

from chalicelib.services.lifecycle.backup_export import (
    FILES, as_date, as_datetime, build_backup_zip, document, money, text,
)


def rows(archive: bytes, name: str) -> list[list[str]]:
    raw = zipfile.ZipFile(io.BytesIO(archive)).read(name)
    assert raw[:3] == b"\xef\xbb\xbf"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


ITEMS = [
    {"pk": "ACCOUNT#a", "sk": "~INV#inv_1", "type": "invoice", "invoice_id": "inv_1", "status": "paid",
     "issue_date": "2026-12-01", "due_date": "2026-12-08", "total_cents": Decimal(123456), "paid_cents": Decimal(123456),
     "lines": [{"description": "Operand Pro — 2 licenças", "amount_cents": Decimal(125000), "kind": "subscription",
                "subscription_id": "sub_1", "period_start": "2026-12-01", "period_end": "2027-01-01"},
               {"description": "Crédito", "amount_cents": Decimal(-1544), "kind": "credit"}]},
    {"pk": "ACCOUNT#a", "sk": "~LINE#1", "type": "invoice_line", "invoice_id": "inv_0", "description": "Taxa",
     "amount_cents": 5, "kind": "fee"},
    {"pk": "ACCOUNT#a", "sk": "~PAY#pay_1", "type": "payment", "id": "pay_1", "invoice_id": "inv_1",
     "amount_cents": Decimal(123456), "method": "pix", "paid_at": "2026-12-02T02:30:00+00:00", "source": "gateway"},
    {"pk": "ACCOUNT#a", "sk": "ACCOUNT", "type": "account", "account_id": "a", "name": "Conta A",
     "billing_data": {"legal_name": "Fulano de Tal", "document": "52998224725",
                      "address": {"street": "Rua A", "number": "1", "district": "Centro", "city": "São Paulo",
                                  "state": "SP", "cep": "01001000"},
                      "billing_emails": ["a@x.com", "b@x.com"]},
     "credit_cents": Decimal(0), "created_at": "2026-12-01T12:00:00.000000+0000"},
    {"pk": "ACCOUNT#a", "sk": "SOMETHING", "type": "brand_new_type", "secret": "ignored"},
]


def test_every_file_is_in_the_zip_with_its_header_even_when_empty():
    archive = build_backup_zip([])
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert names == [f.name for f in FILES]
    assert rows(archive, "pagamentos.csv") == [["Pagamento", "Fatura", "Valor (R$)", "Forma", "Pago em", "Origem"]]


def test_invoices_lines_and_payments_in_brazilian_formats():
    archive = build_backup_zip(ITEMS)
    header, invoice = rows(archive, "faturas.csv")
    assert invoice[:6] == ["inv_1", "paid", "01/12/2026", "08/12/2026", "1234,56", "1234,56"]
    lines = rows(archive, "itens_de_fatura.csv")[1:]
    assert [line[0] for line in lines] == ["inv_1", "inv_1", "inv_0"]  # embedded lines, then line items
    assert [line[-1] for line in lines] == ["1250,00", "-15,44", "0,05"]
    assert lines[0][4:6] == ["01/12/2026", "01/01/2027"]
    payment = rows(archive, "pagamentos.csv")[1]
    assert payment == ["pay_1", "inv_1", "1234,56", "pix", "01/12/2026 23:30", "gateway"]  # São Paulo time


def test_billing_data_is_one_row_with_the_formatted_document():
    header, row = rows(build_backup_zip(ITEMS), "dados_de_faturamento.csv")
    data = dict(zip(header, row))
    assert data["CPF/CNPJ"] == "529.982.247-25"
    assert data["E-mails de cobrança"] == "a@x.com, b@x.com"
    assert data["Cidade"] == "São Paulo" and data["Criada em"] == "01/12/2026"
    assert data["Crédito em conta (R$)"] == "0,00"


def test_cell_formats():
    assert money(-5) == "-0,05" and money(None) == "" and money("100") == "1,00"
    assert as_date("2026-02-28") == "28/02/2026" and as_date("not a date") == "" and as_date(None) == ""
    assert as_datetime("2026-01-01T00:30:00Z") == "31/12/2025 21:30"
    assert as_datetime("2026-01-01") == "01/01/2026"
    assert as_datetime("2026-01-01T10:00:00") == ""  # an instant without offset is ambiguous: left blank
    assert document("11222333000181") == "11.222.333/0001-81" and document("123") == "123"
    assert text("=SUM(A1)") == "'=SUM(A1)" and text("@cmd") == "'@cmd" and text(["a", "b"]) == "a, b"
