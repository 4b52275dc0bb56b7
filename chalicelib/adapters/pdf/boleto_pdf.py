"""Boleto PDF (pt-BR) with reportlab: recibo do pagador on top, ficha de compensação below.

Positions follow the FEBRABAN/BACEN rules the bank manuals repeat: the barcode is Interleaved
2 of 5, 103 mm by 13 mm, starting 5 mm from the form's left edge and centred at least 12 mm above
its bottom edge; the ficha de compensação is at the bottom of the A4 page. When a Pix BR Code is
given, its QR code is printed in the ficha's instructions box ("boleto híbrido", BCB Resolução
443/2024 allows it).
"""
from datetime import date
from io import BytesIO

import segno
from reportlab.graphics.barcode.common import I2of5
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from chalicelib.adapters.pdf.boleto_data import BoletoPdfData, Party

LEFT = 10 * mm
RIGHT = 200 * mm
WIDTH = RIGHT - LEFT
RIGHT_COLUMN = 48 * mm  # vencimento, nosso número, valores
ROW = 8 * mm
LABEL_FONT, LABEL_SIZE = "Helvetica", 5.5
VALUE_FONT, VALUE_SIZE = "Helvetica", 8.5
BOLD = "Helvetica-Bold"

BARCODE_NARROW = 0.254 * mm  # 44 digits at ratio 3 give the 103 mm the layout asks for
BARCODE_RATIO = 3.0
BARCODE_HEIGHT = 13 * mm
BARCODE_X = 5 * mm  # 5 mm quiet zone from the page (form) edge
BARCODE_Y = 14 * mm  # centre at 20.5 mm from the bottom edge (minimum 12 mm)
QR_SIZE = 30 * mm


def render(data: BoletoPdfData) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Boleto {data.nosso_numero}")
    canvas.setAuthor(data.beneficiary.name)
    canvas.setSubject("Boleto de cobrança")
    _payer_receipt(canvas, data, top=287 * mm)
    _cut_line(canvas, y=150 * mm)
    _compensation_slip(canvas, data, top=142 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- the two parts -------------------------------------------------------------------------------


def _payer_receipt(canvas: Canvas, data: BoletoPdfData, top: float) -> None:
    y = _bank_header(canvas, data, top, right_text="Recibo do Pagador", right_font=(BOLD, 11))
    split = RIGHT - RIGHT_COLUMN
    party_height = 14 * mm
    y = _party_row(canvas, y, party_height, "Beneficiário", data.beneficiary, split)
    _box(canvas, split, y + party_height, RIGHT_COLUMN, party_height, "Agência/Código do beneficiário",
         data.beneficiary_code, align="right")
    y = _party_row(canvas, y, party_height, "Pagador", data.payer, split)
    _box(canvas, split, y + party_height, RIGHT_COLUMN, party_height, "Nosso número", data.nosso_numero, align="right")
    y = _row(canvas, y, [
        (38, "Nº do documento", data.document_number),
        (30, "Data do documento", _date(data.document_date)),
        (20, "Carteira", data.wallet),
        (54, "Vencimento", _date(data.due_date)),
        (48, "Valor do documento", _money(data.amount_cents)),
    ], bold_last=True)
    y = _text_box(canvas, y, 24 * mm, "Demonstrativo", data.description_lines)
    _box(canvas, LEFT, y, WIDTH, ROW, "Linha digitável", data.formatted_line, font=(BOLD, 10))
    y -= ROW
    _label(canvas, RIGHT, y - 3 * mm, "Autenticação mecânica", align="right")
    if data.pix_payload:
        _pix_copy_paste(canvas, data.pix_payload, top=y - 8 * mm)


def _pix_copy_paste(canvas: Canvas, payload: str, top: float) -> None:
    """The BR Code as text, for paying by "Pix copia e cola" (the QR code is on the ficha)."""
    lines = _wrap(payload, VALUE_FONT, 7, WIDTH - 2 * mm)
    height = 6 * mm + 3.2 * mm * len(lines)
    _rect(canvas, LEFT, top - height, WIDTH, height)
    _label(canvas, LEFT + 1 * mm, top - 2.5 * mm,
           "Pix copia e cola: pague com Pix usando o código abaixo ou o QR code da ficha de compensação")
    for index, line in enumerate(lines):
        _text(canvas, LEFT + 1 * mm, top - 6 * mm - index * 3.2 * mm, line, WIDTH - 2 * mm, size=7)


def _compensation_slip(canvas: Canvas, data: BoletoPdfData, top: float) -> None:
    y = _bank_header(canvas, data, top, right_text=data.formatted_line, right_font=(BOLD, 10.5))
    split = RIGHT - RIGHT_COLUMN
    left_width = (split - LEFT) / mm
    y = _row(canvas, y, [
        (left_width, "Local de pagamento", data.payment_place),
        (48, "Vencimento", _date(data.due_date)),
    ], bold_last=True)
    beneficiary = f"{data.beneficiary.name} - {data.beneficiary.document}"
    y = _row(canvas, y, [
        (left_width, "Beneficiário", beneficiary),
        (48, "Agência/Código do beneficiário", data.beneficiary_code),
    ])
    y = _row(canvas, y, [
        (27, "Data do documento", _date(data.document_date)),
        (35, "Nº do documento", data.document_number),
        (20, "Espécie doc.", data.document_kind),
        (13, "Aceite", data.accepted),
        (47, "Data do processamento", _date(data.processing_date)),
        (48, "Nosso número", data.nosso_numero),
    ])
    y = _row(canvas, y, [
        (27, "Uso do banco", ""),
        (20, "Carteira", data.wallet),
        (15, "Espécie", "R$"),
        (35, "Quantidade", ""),
        (45, "Valor", ""),
        (48, "(=) Valor do documento", _money(data.amount_cents)),
    ], bold_last=True)
    y = _instructions(canvas, data, y, split)
    y = _party_row(canvas, y, 14 * mm, "Pagador", data.payer, RIGHT)
    guarantor = f"{data.guarantor.name} - {data.guarantor.document}" if data.guarantor else ""
    _box(canvas, LEFT, y, WIDTH, 6 * mm, "Sacador/Avalista", guarantor)
    _barcode(canvas, data.barcode)
    _label(canvas, RIGHT, y - 9 * mm, "Autenticação mecânica - Ficha de Compensação", align="right", size=7)


def _instructions(canvas: Canvas, data: BoletoPdfData, top: float, split: float) -> float:
    height = 5 * ROW
    _rect(canvas, LEFT, top - height, split - LEFT, height)
    _label(canvas, LEFT + 1 * mm, top - 2.5 * mm, "Instruções (texto de responsabilidade do beneficiário)")
    text_width = split - LEFT - 2 * mm - (QR_SIZE + 2 * mm if data.pix_payload else 0)
    for index, line in enumerate(data.instructions[:8]):
        _text(canvas, LEFT + 1 * mm, top - 7 * mm - index * 3.8 * mm, line, text_width, size=7.5)
    if data.pix_payload:
        _pix_qr(canvas, data.pix_payload, x=split - QR_SIZE - 2 * mm, y=top - height + 5 * mm)
    labels = ("(-) Desconto/Abatimento", "(-) Outras deduções", "(+) Mora/Multa", "(+) Outros acréscimos",
              "(=) Valor cobrado")
    for index, label in enumerate(labels):
        _box(canvas, split, top - index * ROW, RIGHT_COLUMN, ROW, label, "")
    return top - height


# --- pieces ---------------------------------------------------------------------------------------


def _bank_header(canvas: Canvas, data: BoletoPdfData, top: float, right_text: str,
                 right_font: tuple[str, float]) -> float:
    height = 9 * mm
    baseline = top - height + 2.2 * mm
    _text(canvas, LEFT, baseline, data.bank_name, 52 * mm, font=BOLD, size=10)
    code_left = LEFT + 54 * mm
    canvas.setLineWidth(1.2)
    canvas.line(code_left, top - height, code_left, top - 1 * mm)
    canvas.line(code_left + 20 * mm, top - height, code_left + 20 * mm, top - 1 * mm)
    canvas.setFont(BOLD, 14)
    canvas.drawCentredString(code_left + 10 * mm, baseline, data.printed_bank_code)
    _text(canvas, RIGHT, baseline, right_text, RIGHT - code_left - 22 * mm, font=right_font[0],
          size=right_font[1], align="right")
    canvas.line(LEFT, top - height, RIGHT, top - height)
    canvas.setLineWidth(0.5)
    return top - height


def _row(canvas: Canvas, top: float, cells: list[tuple[float, str, str]], bold_last: bool = False) -> float:
    """Boxes side by side, widths in mm; returns the row's bottom."""
    x = LEFT
    for index, (width_mm, label, value) in enumerate(cells):
        last = index == len(cells) - 1
        font = (BOLD, 9) if bold_last and last else (VALUE_FONT, VALUE_SIZE)
        _box(canvas, x, top, width_mm * mm, ROW, label, value, font=font, align="right" if last else "left")
        x += width_mm * mm
    return top - ROW


def _party_row(canvas: Canvas, top: float, height: float, label: str, party: Party, right: float) -> float:
    _rect(canvas, LEFT, top - height, right - LEFT, height)
    _label(canvas, LEFT + 1 * mm, top - 2.5 * mm, label)
    width = right - LEFT - 2 * mm
    _text(canvas, LEFT + 1 * mm, top - 5.8 * mm, f"{party.name} - CPF/CNPJ: {party.document}", width)
    for index, line in enumerate(party.address_lines[:2]):
        _text(canvas, LEFT + 1 * mm, top - 9 * mm - index * 3.2 * mm, line, width, size=7.5)
    return top - height


def _text_box(canvas: Canvas, top: float, height: float, label: str, lines: tuple[str, ...]) -> float:
    _rect(canvas, LEFT, top - height, WIDTH, height)
    _label(canvas, LEFT + 1 * mm, top - 2.5 * mm, label)
    for index, line in enumerate(lines[:5]):
        _text(canvas, LEFT + 1 * mm, top - 6 * mm - index * 3.6 * mm, line, WIDTH - 2 * mm, size=7.5)
    return top - height


def _box(canvas: Canvas, x: float, top: float, width: float, height: float, label: str, value: str,
         font: tuple[str, float] = (VALUE_FONT, VALUE_SIZE), align: str = "left") -> None:
    _rect(canvas, x, top - height, width, height)
    _label(canvas, x + 1 * mm, top - 2.5 * mm, label)
    value_x = x + width - 1 * mm if align == "right" else x + 1 * mm
    _text(canvas, value_x, top - height + 1.8 * mm, value, width - 2 * mm, font=font[0], size=font[1], align=align)


def _barcode(canvas: Canvas, digits: str) -> None:
    symbol = I2of5(
        digits, barWidth=BARCODE_NARROW, ratio=BARCODE_RATIO, barHeight=BARCODE_HEIGHT,
        checksum=0, bearers=0, quiet=0,
    )
    symbol.drawOn(canvas, BARCODE_X, BARCODE_Y)


def _pix_qr(canvas: Canvas, payload: str, x: float, y: float) -> None:
    """The BR Code as vector squares (no image), with its caption below."""
    qr = segno.make_qr(payload, error="m")
    rows = list(qr.matrix_iter(scale=1, border=0))
    module = QR_SIZE / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(rows):
        top = y + QR_SIZE - (row_index + 1) * module
        for column_index, dark in enumerate(row):
            if dark:
                canvas.rect(x + column_index * module, top, module, module, stroke=0, fill=1)
    canvas.setFont(BOLD, 7)
    canvas.drawCentredString(x + QR_SIZE / 2, y - 3.5 * mm, "Pague com Pix")


def _cut_line(canvas: Canvas, y: float) -> None:
    canvas.setDash(2, 2)
    canvas.line(LEFT, y, RIGHT, y)
    canvas.setDash()
    _label(canvas, RIGHT, y + 1 * mm, "Corte na linha pontilhada", align="right")


def _rect(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, width, height, stroke=1, fill=0)


def _label(canvas: Canvas, x: float, y: float, text: str, align: str = "left", size: float = LABEL_SIZE) -> None:
    canvas.setFont(LABEL_FONT, size)
    if align == "right":
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)


def _text(canvas: Canvas, x: float, y: float, text: str, width: float, font: str = VALUE_FONT,
          size: float = VALUE_SIZE, align: str = "left") -> None:
    """Text cut (with an ellipsis) to fit ``width`` so it never crosses a box border."""
    fitted = _fit(text or "", font, size, width)
    canvas.setFont(font, size)
    if align == "right":
        canvas.drawRightString(x, y, fitted)
    else:
        canvas.drawString(x, y, fitted)


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split at any character (a BR Code has almost no spaces) so each line fits ``width``."""
    lines, current = [], ""
    for char in text:
        if current and stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = ""
        current += char
    return lines + [current] if current else lines


def _money(cents: int) -> str:
    reais, centavos = divmod(cents, 100)
    return f"R$ {reais:,}".replace(",", ".") + f",{centavos:02d}"


def _date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
