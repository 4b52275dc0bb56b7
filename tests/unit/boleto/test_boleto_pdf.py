"""The boleto PDF, read back the way a bank or a phone would: the page rendered to an image
(pdftoppm) and decoded by a real barcode reader (zbarimg), plus its text (pdftotext)."""
import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from chalicelib.adapters.pdf import BoletoPdfData, Party, render_boleto_pdf
from chalicelib.domain.boleto import build_boleto
from chalicelib.domain.pix import build_static_pix
from tests.unit.boleto.independent import REPO, require_tool

RENDER_DPI = "200"


def pdf_data(bank_inputs: dict, amount: int, pix_payload: str | None) -> BoletoPdfData:
    boleto = build_boleto(**bank_inputs, due_date=date(2026, 4, 8), amount_cents=amount)
    return BoletoPdfData(
        bank_name=boleto.bank_name, printed_bank_code=boleto.printed_bank_code, barcode=boleto.barcode,
        formatted_line=boleto.formatted_line, nosso_numero=boleto.nosso_numero,
        beneficiary_code=boleto.beneficiary_code, wallet=boleto.wallet, due_date=boleto.due_date,
        amount_cents=boleto.amount_cents,
        beneficiary=Party("Promob Software Ltda", "12.345.678/0001-95", ("Rua Sinimbu, 1000", "Caxias do Sul/RS")),
        payer=Party("Marcenaria São João Ltda", "98.765.432/0001-10", ("Av. Brasil, 500", "Curitiba/PR")),
        document_number="FAT-2026-000123", document_date=date(2026, 4, 1), processing_date=date(2026, 4, 1),
        instructions=("Após o vencimento, multa de 2% e juros de 1% ao mês pro rata die.",),
        description_lines=("Promob Plus - assinatura anual",),
        pix_payload=pix_payload,
    )


def decode_page(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(symbology, data) of every code zbarimg finds on the first page."""
    pdftoppm, zbarimg = require_tool("pdftoppm"), require_tool("zbarimg")
    (tmp_path / "boleto.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", RENDER_DPI, "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "boleto.pdf"), str(tmp_path / "page")], check=True, timeout=120)
    # Interleaved 2 of 5 is on by default in zbar; enabled explicitly in case a build turns it off.
    result = subprocess.run([zbarimg, "-q", "-Si25.enable", str(tmp_path / "page.png")],
                            capture_output=True, text=True, timeout=120)
    symbols = [line.split(":", 1) for line in result.stdout.splitlines() if ":" in line]
    return sorted((kind, data) for kind, data in symbols)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "text.pdf").write_bytes(pdf)
    result = subprocess.run([require_tool("pdftotext"), "-layout", str(tmp_path / "text.pdf"), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


ITAU = dict(bank="341", agency="0057", account="12345", wallet="109", nosso_numero="12345678")
PIX = build_static_pix("123e4567-e12b-12d1-a456-426655440000", "Promob Software Ltda", "Caxias do Sul",
                       1234567, "FAT2026000123")


def test_barcode_and_pix_qr_read_back_exactly(tmp_path):
    data = pdf_data(ITAU, 1234567, PIX)

    symbols = decode_page(render_boleto_pdf(data), tmp_path)

    assert symbols == sorted([("I2/5", data.barcode), ("QR-Code", PIX)])


@pytest.mark.parametrize("inputs", [
    dict(bank="001", agency="1606", account="06809350", wallet="17", agreement="1234567", nosso_numero="987"),
    dict(bank="033", agreement="0282033", wallet="101", nosso_numero="566612457800"),
    dict(bank="104", agreement="005507", nosso_numero="14222333777777777"),
    dict(bank="237", agency="0031", account="0095279", wallet="09", nosso_numero="00000000002"),
])
def test_every_bank_barcode_reads_back_without_pix(tmp_path, inputs):
    data = pdf_data(inputs, 99_999_999_99, None)

    assert decode_page(render_boleto_pdf(data), tmp_path) == [("I2/5", data.barcode)]


def test_page_text_is_portuguese_and_complete(tmp_path):
    data = pdf_data(ITAU, 1234567, PIX)

    text = pdf_text(render_boleto_pdf(data), tmp_path)

    for expected in ("Recibo do Pagador", "Autenticação mecânica - Ficha de Compensação", "Local de pagamento",
                     "Beneficiário", "Pagador", "Nosso número", "Vencimento", "08/04/2026", "R$ 12.345,67",
                     data.formatted_line, data.nosso_numero, "341-7", "Pague com Pix", "Marcenaria São João Ltda",
                     "98.765.432/0001-10", "12.345.678/0001-95", "Corte na linha pontilhada"):
        assert expected in text, expected


def test_long_names_never_break_the_page(tmp_path):
    data = replace(pdf_data(ITAU, 100, PIX), payer=Party("N" * 300, "000.000.001-91", ("R" * 300,) * 5))

    assert decode_page(render_boleto_pdf(data), tmp_path) == sorted([("I2/5", data.barcode), ("QR-Code", PIX)])


def test_importing_the_boleto_domain_does_not_load_reportlab():
    probe = (
        "import json, sys\n"
        "import chalicelib.domain.boleto, chalicelib.domain.pix, chalicelib.adapters.pdf\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'segno'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                            check=True, timeout=60)
    assert json.loads(result.stdout) == []
