"""build_boleto refuses what a bank's layout cannot hold, with a stable code and a pt-BR message."""
from datetime import date

import pytest

from chalicelib.domain.boleto import BoletoError, build_boleto

DUE = date(2026, 5, 8)
ITAU = dict(bank="341", agency="0057", account="12345", wallet="109", nosso_numero="1")


def refused(**inputs) -> BoletoError:
    with pytest.raises(BoletoError) as error:
        build_boleto(**{"due_date": DUE, "amount_cents": 100, **inputs})
    return error.value


@pytest.mark.parametrize("inputs, code, fragment", [
    (dict(bank="422", nosso_numero="1"), "unsupported_bank", "Banco 422 não suportado"),
    ({**ITAU, "agency": "00A7"}, "invalid_field", "Agência: informe somente números"),
    ({**ITAU, "account": "123456"}, "invalid_field", "Conta (sem DAC): deve ter até 5 dígitos"),
    ({**ITAU, "wallet": "09"}, "invalid_field", "Carteira: deve ter exatamente 3 dígitos"),
    ({**ITAU, "nosso_numero": "123456789"}, "invalid_field", "Nosso número: deve ter até 8 dígitos"),
    ({**ITAU, "wallet": "198", "agreement": "12345"}, "invalid_field", "Carteira 198 usa 15 posições"),
    (dict(bank="001", agency="1", account="1", wallet="17", agreement="123456", nosso_numero="123456789012"),
     "invalid_field", "carteiras 16 e 18"),
    (dict(bank="001", wallet="17", agreement="", nosso_numero="1"), "invalid_field", "Convênio: informe somente números"),
    (dict(bank="104", agreement="1050000", nosso_numero="1"), "invalid_field", "a partir de 1100000"),
    (dict(bank="104", agreement="0", nosso_numero="1"), "invalid_field", "entre 000001 e 999999"),
    (dict(bank="104", agreement="123456", nosso_numero="34000000000000001"), "invalid_field", "17 dígitos"),
    (dict(bank="033", agreement="1234567", wallet="103", nosso_numero="1"), "invalid_field", "101, 102 ou 104"),
    (dict(bank="237", agency="1", account="1", wallet="9", nosso_numero="123456789012"), "invalid_field",
     "Nosso número: deve ter até 11 dígitos"),
])
def test_layout_limits(inputs, code, fragment):
    error = refused(**inputs)
    assert error.code == code
    assert fragment in error.message


@pytest.mark.parametrize("amount", [-1, 99_999_999_99 + 1, 10.5, True, "100"])
def test_amount_must_be_integer_centavos_within_ten_digits(amount):
    assert refused(**ITAU, amount_cents=amount).code == "invalid_amount"


def test_amount_limits_are_accepted():
    assert build_boleto(**ITAU, due_date=DUE, amount_cents=0).barcode[9:19] == "0000000000"
    assert build_boleto(**ITAU, due_date=DUE, amount_cents=99_999_999_99).barcode[9:19] == "9999999999"


@pytest.mark.parametrize("due", [date(1997, 10, 7), "2026-05-08"])
def test_due_date_must_be_representable(due):
    assert refused(**ITAU, due_date=due).code == "invalid_due_date"


def test_short_numbers_are_left_padded():
    padded = build_boleto(bank="237", agency="31", account="95279", wallet="4", nosso_numero=2, due_date=DUE,
                          amount_cents=1)
    full = build_boleto(bank="237", agency="0031", account="0095279", wallet="04", nosso_numero="00000000002",
                        due_date=DUE, amount_cents=1)
    assert padded == full


def test_bank_code_may_omit_leading_zeros():
    assert build_boleto(bank="33", agreement="1234567", wallet="101", nosso_numero="1", due_date=DUE,
                        amount_cents=1).bank_code == "033"


def test_printed_codes():
    caixa_new = build_boleto(bank="104", agency="1234", agreement="1100001", nosso_numero="7", due_date=DUE,
                             amount_cents=1)
    assert caixa_new.beneficiary_code == "1234/1100001"
    assert caixa_new.nosso_numero.startswith("14000000000000007-")
    bb = build_boleto(bank="001", agency="1606", account="06809350", wallet="31", agreement="0500",
                      nosso_numero="9401448", due_date=DUE, amount_cents=1)
    assert bb.beneficiary_code == "1606-3 / 06809350-0"
    bb_free = build_boleto(bank="001", agency="1606", account="06809350", wallet="18", agreement="123456",
                           nosso_numero="12345678901234567", due_date=DUE, amount_cents=1)
    assert bb_free.barcode[19:] == "123456" + "12345678901234567" + "21"
    assert bb_free.nosso_numero == "12345678901234567"
    santander = build_boleto(bank="033", agency="3456", agreement="0282033", wallet="104", nosso_numero="1",
                             due_date=DUE, amount_cents=1)
    assert santander.beneficiary_code == "3456/0282033"
    assert santander.wallet == "104"
