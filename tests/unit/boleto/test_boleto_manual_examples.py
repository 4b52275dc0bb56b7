"""The worked examples published in the bank manuals (shared/reference/banks) reproduced digit for
digit, and the fator de vencimento table of the 2025 reset."""
from datetime import date, timedelta

import pytest

from chalicelib.domain.banks import banco_do_brasil, bradesco, caixa, itau
from chalicelib.domain.boleto import BoletoError, build_boleto, due_date_from_factor, due_factor, parse_boleto
from chalicelib.domain.checkdigits import mod10, mod11_general, mod11_zero_when_above_9

OLD_BASE = date(1997, 10, 7)


def first_cycle(factor: int) -> date:
    """The date a factor named before the 2025 reset (days since 07/10/1997)."""
    return OLD_BASE + timedelta(days=factor)


# (bank inputs, due date, amount, expected barcode, expected formatted line, expected nosso número)
MANUAL_EXAMPLES = {
    # Banco do Brasil doc 5175, Anexos 7 and 10: convênio 0500 (4 digits), agency 1606,
    # account 06809350, wallet 31, factor 3737, R$ 1,00; nosso número from Anexo 9.
    "banco_do_brasil": (
        dict(bank="001", agency="1606", account="06809350", wallet="31", agreement="0500", nosso_numero="9401448"),
        first_cycle(3737), 100,
        "00193373700000001000500940144816060680935031",
        "00190.50095 40144.816069 06809.350314 3 37370000000100",
        "05009401448-1",
    ),
    # Itaú SISCOB, Anexos 1-4: agency 0057, account 12345-7, wallet 110, nosso número 12345678-8,
    # 01/05/2002 (factor 1667), R$ 123,45.
    "itau": (
        dict(bank="341", agency="0057", account="12345", wallet="110", nosso_numero="12345678"),
        date(2002, 5, 1), 12345,
        "34196166700000123451101234567880057123457000",
        "34191.10121 34567.880058 71234.570001 6 16670000012345",
        "110/12345678-8",
    ),
    # Bradesco 400P (Abril/2022), "Montagem dos dados para composição da linha digitável": factor
    # 1001, which the same manual's new table dates 23/02/2025, no amount.
    "bradesco": (
        dict(bank="237", agency="0031", account="0095279", wallet="04", nosso_numero="00317720028"),
        date(2025, 2, 23), 0,
        "23797100100000000000031040031772002800952790",
        "23790.03102 40031.772003 28009.527905 7 10010000000000",
        "04/00317720028-3",
    ),
    # Caixa SIGCB 67.119 v013, Anexos I, III and V: beneficiário 005507-7, nosso número
    # 14/222333777777777, 23/08/2006 (factor 3242), R$ 321,12.
    "caixa": (
        dict(bank="104", agreement="005507", nosso_numero="14222333777777777"),
        date(2006, 8, 23), 32112,
        "10494324200000321120055077222133347777777771",
        "10490.05505 77222.133348 77777.777713 4 32420000032112",
        "14222333777777777-2",
    ),
    # Santander "Código de Barras" v35: PSK 0282033, nosso número 566612457800-2, wallet 101,
    # factor 2046, R$ 273,71.
    "santander": (
        dict(bank="033", agreement="0282033", wallet="101", nosso_numero="566612457800"),
        first_cycle(2046), 27371,
        "03398204600000273719028203356661245780020101",
        "03399.02827 03356.661243 57800.201014 8 20460000027371",
        "566612457800-2",
    ),
}


@pytest.mark.parametrize("name", sorted(MANUAL_EXAMPLES))
def test_manual_example_reproduced(name):
    inputs, due, amount, barcode, formatted_line, nosso_numero = MANUAL_EXAMPLES[name]

    boleto = build_boleto(**inputs, due_date=due, amount_cents=amount)

    assert boleto.barcode == barcode
    assert boleto.formatted_line == formatted_line
    assert boleto.digitable_line == formatted_line.replace(".", "").replace(" ", "")
    assert boleto.nosso_numero == nosso_numero


@pytest.mark.parametrize("name", sorted(MANUAL_EXAMPLES))
def test_manual_example_read_back(name):
    inputs, due, amount, barcode, formatted_line, _ = MANUAL_EXAMPLES[name]

    parsed = parse_boleto(formatted_line, today=due)

    assert (parsed.bank_code, parsed.amount_cents, parsed.due_date, parsed.barcode) == (
        inputs["bank"], amount, due, barcode,
    )


def test_itau_example_after_the_reset_keeps_its_digits():
    # Factor 1667 named 01/05/2002 and, after the 22/02/2025 reset, names 21/12/2026: the Itaú
    # manual's barcode is the one of a boleto due 21/12/2026.
    inputs, _, amount, barcode, formatted_line, _ = MANUAL_EXAMPLES["itau"]

    boleto = build_boleto(**inputs, due_date=date(2026, 12, 21), amount_cents=amount)

    assert boleto.barcode == barcode
    assert boleto.formatted_line == formatted_line
    assert parse_boleto(barcode, today=date(2026, 6, 1)).due_date == date(2026, 12, 21)
    assert parse_boleto(barcode, today=date(2002, 4, 1)).due_date == date(2002, 5, 1)


def test_bradesco_example_is_read_as_the_day_after_the_reset():
    _, _, _, barcode, _, _ = MANUAL_EXAMPLES["bradesco"]

    assert parse_boleto(barcode, today=date(2025, 2, 20)).due_date == date(2025, 2, 23)
    assert parse_boleto(barcode, today=date(2000, 7, 1)).due_date == date(2000, 7, 4)


# Reference README and Caixa SIGCB Anexo II, new table from 22/02/2025.
NEW_FACTOR_TABLE = [
    (1000, date(2025, 2, 22)),
    (1002, date(2025, 2, 24)),
    (1667, date(2026, 12, 21)),
    (4789, date(2035, 7, 9)),
    (9999, date(2049, 10, 13)),
]
# The same manuals' table before the reset.
OLD_FACTOR_TABLE = [
    (1000, date(2000, 7, 3)),
    (1002, date(2000, 7, 5)),
    (1667, date(2002, 5, 1)),
    (4789, date(2010, 11, 17)),
    (9999, date(2025, 2, 21)),
]


@pytest.mark.parametrize("factor, due", NEW_FACTOR_TABLE + OLD_FACTOR_TABLE)
def test_factor_table(factor, due):
    assert due_factor(due) == factor
    assert due_date_from_factor(factor, today=due) == due


def test_factor_decoding_picks_the_cycle_in_the_window():
    # 3000 days before today .. 5500 days after.
    today = date(2025, 6, 1)
    assert due_date_from_factor(9999, today) == date(2025, 2, 21)  # 100 days ago, old cycle
    assert due_date_from_factor(4789, today) == date(2035, 7, 9)  # new cycle
    assert due_date_from_factor(1000, date(2049, 10, 13)) == date(2049, 10, 14)  # the next reset


def test_factor_outside_every_window_is_refused():
    # The window spans 8501 days of a 9000-day cycle: factor 1000 seen on 01/01/2034 would be
    # 22/02/2025 (more than 3000 days before) or 14/10/2049 (more than 5500 after).
    with pytest.raises(BoletoError) as error:
        due_date_from_factor(1000, date(2034, 1, 1))
    assert error.value.code == "due_date_out_of_window"


def test_factor_zero_means_no_due_date():
    assert due_factor(None) == 0
    assert due_date_from_factor(0, date(2026, 1, 1)) is None


# Check-digit worked examples of the manuals.
def test_field_check_digits_of_the_manuals():
    assert mod10("001905009") == 5  # BB Anexo 7, campo 1
    assert mod10("4014481606") == 9  # BB Anexo 7, campo 2
    assert mod10("0680935031") == 4  # BB Anexo 7, campo 3
    assert mod10("237900310") == 2  # Bradesco, 1º campo
    assert mod10("104900550") == 5  # Caixa Anexo V
    assert mod10("033990282") == 7  # Santander, primeiro grupo


def test_general_check_digit_of_the_manuals():
    bb = "0019373700000001000500940144816060680935031"  # BB Anexo 10: sum 712, DV 3
    assert mod11_general(bb) == 3
    itau = "3419166700000123451101234567880057123457000"  # Itaú Anexo 2: sum 742, DV 6
    assert mod11_general(itau) == 6


def test_bank_nosso_numero_check_digits_of_the_manuals():
    assert banco_do_brasil.mod11_bb("05009401448") == "1"  # BB Anexo 9
    assert bradesco.nosso_numero_dv("19", "00000000002") == "8"
    assert bradesco.nosso_numero_dv("19", "00000000001") == "P"
    assert bradesco.nosso_numero_dv("19", "00000000006") == "0"
    assert itau.nosso_numero_dac("0057", "72192", "198", "98712345") == 1  # note 23
    assert itau.nosso_numero_dac("0057", "12345", "110", "12345678") == 8  # Anexo 4
    assert mod10("1108954") == 7  # Itaú seu número DAC, note 18
    assert mod11_zero_when_above_9("14000000000000019") == 7  # Caixa Anexo IV
    assert mod11_zero_when_above_9("005507") == 7  # Caixa Anexo VI
    assert mod11_zero_when_above_9("005507722213334777777777") == 1  # Caixa Anexo III
    assert caixa.beneficiary_field("005507") == ("0055077", "0005507-7")


def test_independent_validator_accepts_the_manual_examples(node_validators):
    lines = []
    for inputs, due, amount, _, formatted_line, _ in MANUAL_EXAMPLES.values():
        boleto = build_boleto(**inputs, due_date=due, amount_cents=amount)
        lines += [boleto.digitable_line, formatted_line]

    assert node_validators.valid_boletos(lines) == [True] * len(lines)
