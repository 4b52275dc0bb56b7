"""Reading a typed or scanned boleto: accepted forms and the precise error for each mistake."""
from datetime import date

import pytest

from chalicelib.domain.boleto import BoletoError, build_boleto, parse_boleto
from chalicelib.domain.boleto.layout import line_to_barcode
from chalicelib.domain.checkdigits import mod10, mod11_general

TODAY = date(2026, 3, 1)
BOLETO = build_boleto(
    "237", agency="1234", account="0012345", wallet="09", nosso_numero="42", due_date=date(2026, 3, 8), amount_cents=15990
)


def refused(text: str, today: date = TODAY) -> BoletoError:
    with pytest.raises(BoletoError) as error:
        parse_boleto(text, today)
    return error.value


@pytest.mark.parametrize(
    "text",
    [
        BOLETO.digitable_line,
        BOLETO.formatted_line,
        BOLETO.barcode,
        f"  {BOLETO.formatted_line.replace(' ', '  ')}\n",
        "-".join(BOLETO.formatted_line.split(" ")),
        " ".join(BOLETO.barcode[i:i + 4] for i in range(0, 44, 4)),
    ],
)
def test_line_or_barcode_with_or_without_punctuation(text):
    parsed = parse_boleto(text, TODAY)

    assert parsed.bank_code == "237"
    assert parsed.amount_cents == 15990
    assert parsed.due_date == date(2026, 3, 8)
    assert parsed.barcode == BOLETO.barcode
    assert parsed.digitable_line == BOLETO.digitable_line
    assert parsed.formatted_line == BOLETO.formatted_line


@pytest.mark.parametrize("length", [0, 1, 43, 45, 46, 48, 49])
def test_wrong_length(length):
    error = refused(("2" + BOLETO.digitable_line * 2)[:length])
    assert error.code == "invalid_length"
    assert f"recebidos {length}" in error.message


def test_letters_are_refused():
    error = refused(BOLETO.digitable_line[:-1] + "A")
    assert error.code == "invalid_characters"


@pytest.mark.parametrize("field, position", [(1, 2), (1, 9), (2, 12), (2, 20), (3, 25), (3, 31)])
def test_each_field_check_digit_is_named(field, position):
    line = BOLETO.digitable_line
    corrupted = line[:position] + str((int(line[position]) + 1) % 10) + line[position + 1:]

    error = refused(corrupted)

    assert error.code == f"field_{field}_check_digit"
    assert f"campo {field}" in error.message


def _with_valid_fields(line: str) -> str:
    """Recompute the three field DVs so that only the general DV can catch the change."""
    for start, end, dv in ((0, 9, 9), (10, 20, 20), (21, 31, 31)):
        line = line[:dv] + str(mod10(line[start:end])) + line[dv + 1:]
    return line


def test_general_check_digit_in_line_and_barcode():
    line = BOLETO.digitable_line
    wrong_dv = str(int(line[32]) % 9 + 1)  # another non-zero digit
    assert refused(line[:32] + wrong_dv + line[33:]).code == "general_check_digit"
    assert refused(BOLETO.barcode[:4] + wrong_dv + BOLETO.barcode[5:]).code == "general_check_digit"
    changed_amount = line[:-1] + str((int(line[-1]) + 3) % 10)
    assert refused(changed_amount).code == "general_check_digit"


def _barcode_with_bank(bank: str, currency: str = "9") -> str:
    body = bank + currency + BOLETO.barcode[5:]
    return body[:4] + str(mod11_general(body)) + body[4:]


def test_unknown_bank():
    error = refused(_barcode_with_bank("999"))
    assert error.code == "unknown_bank"
    assert "999" in error.message


def test_other_known_banks_are_read():
    assert parse_boleto(_barcode_with_bank("756"), TODAY).bank_code == "756"


def test_only_reais():
    assert refused(_barcode_with_bank("237", currency="0")).code == "unsupported_currency"


def arrecadacao_bill() -> tuple[str, str]:
    """A well-formed arrecadação code (FEBRABAN layout v4): product 8, segment 2, value type 6
    (módulo 10), its DAC in position 4; the line is four blocks of 11 digits plus a módulo 10 DAC."""
    body = "826" + "00000012345" + "5678" + "0" * 25
    barcode = body[:3] + str(mod10(body)) + body[3:]
    blocks = [barcode[i:i + 11] for i in range(0, 44, 11)]
    return barcode, " ".join(f"{block}-{mod10(block)}" for block in blocks)


ARRECADACAO_BARCODE, ARRECADACAO_LINE = arrecadacao_bill()


@pytest.mark.parametrize("text", [ARRECADACAO_LINE, ARRECADACAO_LINE.replace(" ", ""), ARRECADACAO_BARCODE])
def test_arrecadacao_is_recognised_and_refused(text):
    error = refused(text)
    assert error.code == "arrecadacao_not_supported"
    assert "arrecadação" in error.message


def test_line_converts_to_barcode():
    assert line_to_barcode(BOLETO.digitable_line) == BOLETO.barcode


def test_due_date_out_of_window():
    # 08/03/2026 is more than 3000 days before, 28/10/2050 more than 5500 days after.
    error = refused(BOLETO.barcode, today=date(2035, 1, 1))
    assert error.code == "due_date_out_of_window"


def test_due_date_comes_from_the_window_around_today():
    # The same digits name 08/03/2026 and, 9000 days later, 28/10/2050.
    assert parse_boleto(BOLETO.barcode, today=date(2049, 1, 1)).due_date == date(2050, 10, 28)
    assert parse_boleto(BOLETO.barcode, today=date(2034, 1, 1)).due_date == date(2026, 3, 8)


def test_no_due_date():
    undated = build_boleto("104", agreement="123456", nosso_numero="1", due_date=None, amount_cents=100)
    assert undated.barcode[5:9] == "0000"
    assert parse_boleto(undated.digitable_line, TODAY).due_date is None


def test_field_check_digit_catches_every_single_digit_change_in_fields_1_to_3():
    line = BOLETO.digitable_line
    for position in [p for p in range(32) if p not in (9, 20, 31)]:
        for delta in range(1, 10):
            corrupted = line[:position] + str((int(line[position]) + delta) % 10) + line[position + 1:]
            assert refused(corrupted).code.startswith("field_"), (position, delta)
    assert _with_valid_fields(line) == line


def test_the_arrecadacao_sample_is_genuine_for_an_independent_validator(node_validators):
    # brazilian-utils' isValidBoleto also knows the arrecadação layout: the sample above is a real
    # one, so our refusal is about its kind, not about malformed digits.
    assert node_validators.valid_boletos([ARRECADACAO_LINE, ARRECADACAO_BARCODE]) == [True, True]


def test_every_boleto_of_this_module_is_valid_for_the_independent_validator(node_validators):
    undated = build_boleto("104", agreement="123456", nosso_numero="1", due_date=None, amount_cents=100)
    assert node_validators.valid_boletos([BOLETO.digitable_line, undated.digitable_line]) == [True, True]
