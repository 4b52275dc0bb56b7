"""The FEBRABAN cobrança layout every bank shares: the 44-digit barcode and the 47-digit linha
digitável (Carta-Circular BACEN 2.926; the same tables open each bank's manual).

Barcode: bank(3) currency(1) general DV(1) due factor(4) amount(10) campo livre(25).
Line: field 1 = bank, currency, campo livre 1-5, DV; field 2 = campo livre 6-15, DV;
field 3 = campo livre 16-25, DV; field 4 = general DV; field 5 = due factor and amount.
"""
from chalicelib.domain.boleto.errors import INVALID_AMOUNT, BoletoError
from chalicelib.domain.checkdigits import mod10, mod11_general

CURRENCY_REAL = "9"
BARCODE_LENGTH = 44
LINE_LENGTH = 47
CAMPO_LIVRE_LENGTH = 25
MAX_AMOUNT_CENTS = 99_999_999_99  # ten digits: R$ 99.999.999,99

# (start, end) slices of the line holding each field's data, and the index of its check digit.
LINE_FIELDS = ((0, 9, 9), (10, 20, 20), (21, 31, 31))


def validate_amount(amount_cents: int) -> int:
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise BoletoError(INVALID_AMOUNT, "O valor deve ser um número inteiro de centavos.")
    if not 0 <= amount_cents <= MAX_AMOUNT_CENTS:
        raise BoletoError(INVALID_AMOUNT, "O valor deve estar entre R$ 0,00 e R$ 99.999.999,99.")
    return amount_cents


def assemble_barcode(bank_code: str, factor: int, amount_cents: int, campo_livre: str) -> str:
    """The 44 digits, with the general check digit computed over the other 43."""
    assert len(bank_code) == 3 and len(campo_livre) == CAMPO_LIVRE_LENGTH, (bank_code, campo_livre)
    without_dv = f"{bank_code}{CURRENCY_REAL}{factor:04d}{validate_amount(amount_cents):010d}{campo_livre}"
    return without_dv[:4] + str(mod11_general(without_dv)) + without_dv[4:]


def general_check_digit_of(barcode: str) -> int:
    return mod11_general(barcode[:4] + barcode[5:])


def barcode_to_line(barcode: str) -> str:
    """The 47-digit linha digitável of a barcode (no punctuation)."""
    campo_livre = barcode[19:44]
    field1 = barcode[0:4] + campo_livre[0:5]
    field2 = campo_livre[5:15]
    field3 = campo_livre[15:25]
    return (
        f"{field1}{mod10(field1)}{field2}{mod10(field2)}{field3}{mod10(field3)}"
        f"{barcode[4]}{barcode[5:19]}"
    )


def line_to_barcode(line: str) -> str:
    """The barcode a 47-digit line stands for (field check digits are not in the barcode)."""
    campo_livre = line[4:9] + line[10:20] + line[21:31]
    return line[0:4] + line[32] + line[33:47] + campo_livre


def format_line(line: str) -> str:
    """'AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE', as printed on the boleto."""
    return (
        f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} "
        f"{line[21:26]}.{line[26:32]} {line[32]} {line[33:47]}"
    )
