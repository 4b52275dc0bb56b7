"""Reading a boleto someone typed or scanned: linha digitável or barcode, punctuation allowed."""
import re
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.banks import KNOWN_BANK_NAMES
from chalicelib.domain.boleto import errors as e
from chalicelib.domain.boleto.due_factor import due_date_from_factor
from chalicelib.domain.boleto.errors import BoletoError
from chalicelib.domain.boleto.layout import (
    BARCODE_LENGTH,
    CURRENCY_REAL,
    LINE_FIELDS,
    LINE_LENGTH,
    barcode_to_line,
    format_line,
    general_check_digit_of,
    line_to_barcode,
)
from chalicelib.domain.checkdigits import mod10

ARRECADACAO_LENGTH = 48
ARRECADACAO_FIRST_DIGIT = "8"
_SEPARATORS = re.compile(r"[\s.\-/]+")
_FIELD_ERRORS = (e.FIELD_1_CHECK_DIGIT, e.FIELD_2_CHECK_DIGIT, e.FIELD_3_CHECK_DIGIT)


@dataclass(frozen=True)
class ParsedBoleto:
    bank_code: str
    bank_name: str
    amount_cents: int
    due_date: date | None  # None when the factor is 0000
    barcode: str
    digitable_line: str
    formatted_line: str


def parse_boleto(text: str, today: date) -> ParsedBoleto:
    """Validate a line (47 digits) or barcode (44), choosing the due date's cycle around ``today``.

    Raises BoletoError naming what is wrong: length, characters, which field's check digit, the
    general check digit, currency, bank, or a due factor outside the window."""
    digits = _only_digits(text)
    _refuse_arrecadacao(digits)
    if len(digits) == LINE_LENGTH:
        _check_fields(digits)
        barcode = line_to_barcode(digits)
    elif len(digits) == BARCODE_LENGTH:
        barcode = digits
    else:
        raise BoletoError(
            e.INVALID_LENGTH,
            f"Informe a linha digitável (47 dígitos) ou o código de barras (44 dígitos); recebidos {len(digits)}.",
        )
    return _read_barcode(barcode, today)


def _only_digits(text: str) -> str:
    cleaned = _SEPARATORS.sub("", text or "")
    if cleaned and not (cleaned.isdigit() and cleaned.isascii()):
        raise BoletoError(e.INVALID_CHARACTERS, "O código deve conter apenas números, pontos e espaços.")
    return cleaned


def _refuse_arrecadacao(digits: str) -> None:
    if digits.startswith(ARRECADACAO_FIRST_DIGIT) and len(digits) in (ARRECADACAO_LENGTH, BARCODE_LENGTH):
        raise BoletoError(
            e.ARRECADACAO_NOT_SUPPORTED,
            "Este código é de arrecadação (conta de consumo, tributo ou convênio, começa com 8), "
            "não de boleto de cobrança bancária.",
        )


def _check_fields(line: str) -> None:
    for number, (start, end, dv_index) in enumerate(LINE_FIELDS, start=1):
        if mod10(line[start:end]) != int(line[dv_index]):
            raise BoletoError(
                _FIELD_ERRORS[number - 1],
                f"Dígito verificador do campo {number} da linha digitável não confere; "
                "revise os dígitos desse campo.",
            )


def _read_barcode(barcode: str, today: date) -> ParsedBoleto:
    if general_check_digit_of(barcode) != int(barcode[4]):
        raise BoletoError(e.GENERAL_CHECK_DIGIT, "Dígito verificador geral do código de barras não confere.")
    if barcode[3] != CURRENCY_REAL:
        raise BoletoError(e.UNSUPPORTED_CURRENCY, "Somente boletos em reais (código de moeda 9) são aceitos.")
    bank_code = barcode[:3]
    if bank_code not in KNOWN_BANK_NAMES:
        raise BoletoError(e.UNKNOWN_BANK, f"Banco {bank_code} desconhecido.")
    line = barcode_to_line(barcode)
    return ParsedBoleto(
        bank_code=bank_code,
        bank_name=KNOWN_BANK_NAMES[bank_code],
        amount_cents=int(barcode[9:19]),
        due_date=due_date_from_factor(int(barcode[5:9]), today),
        barcode=barcode,
        digitable_line=line,
        formatted_line=format_line(line),
    )
