"""Adding a bank is one module and its tests: every module in the registry provides every fact the
rest of the code reads about a bank (domain.banks.facts.Bank), and its facts agree with each other:
the sequence it allows is what its boleto layout holds, and a boleto it issues is found again by the
nosso número its return file carries."""
import inspect
from datetime import date
from types import SimpleNamespace
from typing import get_type_hints

import pytest

from chalicelib.domain.banks import BANKS, KNOWN_BANK_NAMES, Bank, UnsupportedBank, bank_for, find_bank, itau
from chalicelib.domain.banks.cnab import MovementKind
from chalicelib.domain.boleto import BoletoError, build_boleto
from chalicelib.domain.nosso_numero import nosso_numero_key, return_file_key

DATA_FACTS = get_type_hints(Bank)
FUNCTION_FACTS = {name: inspect.signature(member) for name, member in vars(Bank).items()
                  if inspect.isfunction(member) and not name.startswith("_")}

# Each bank's test data: a beneficiary account, and the nosso número field its return file carries
# for the boleto of sequence 1 (as the real files and manuals write it). A bank without one fails.
SAMPLES = {
    "001": (dict(agency="1606", account="06809350", wallet="17", agreement="1234567"), "12345670000000001"),
    "033": (dict(agency="3456", wallet="101", agreement="0282033"), "0000000000019"),
    "104": (dict(agency="1234", agreement="005507"), "14000000000000001"),
    "237": (dict(agency="1234", account="0012345", wallet="09"), "000000000011"),
    "341": (dict(agency="0057", account="12345", wallet="109"), "00000001"),
}


def missing_facts(bank) -> list[str]:
    missing = [name for name, kind in DATA_FACTS.items() if not isinstance(getattr(bank, name, _ABSENT), kind)]
    for name, signature in FUNCTION_FACTS.items():
        function = getattr(bank, name, None)
        expected = list(signature.parameters)[1:]  # without self
        if not callable(function) or list(inspect.signature(function).parameters) != expected:
            missing.append(name)
    return missing


_ABSENT = object()


def test_the_protocol_names_the_facts_the_code_reads():
    assert set(DATA_FACTS) == {"CODE", "NAME", "PRINTED_CODE", "REMITTANCE_NAME", "CNAB240_RETURN", "CNAB400_RETURN"}
    assert set(FUNCTION_FACTS) == {"bank_part", "sequence_digits", "return_number"}


def test_a_bank_missing_a_fact_is_caught():
    partial = SimpleNamespace(**{name: getattr(itau, name) for name in [*DATA_FACTS, *FUNCTION_FACTS]})
    del partial.REMITTANCE_NAME
    partial.return_number = lambda: ""
    assert missing_facts(itau) == []
    assert missing_facts(partial) == ["REMITTANCE_NAME", "return_number"]


@pytest.mark.parametrize("code", sorted(BANKS))
def test_every_bank_provides_every_fact(code):
    bank = bank_for(code)
    assert missing_facts(bank) == []
    assert bank.CODE == code and len(code) == 3 and code.isdigit()
    assert bank.PRINTED_CODE[:4] == f"{code}-" and bank.PRINTED_CODE[4:].isdigit()
    assert KNOWN_BANK_NAMES[code] == bank.NAME
    # The CNAB 240 header's 30 positions, in the upper-case ASCII banks accept.
    assert len(bank.REMITTANCE_NAME) <= 30 and bank.REMITTANCE_NAME.isascii() and bank.REMITTANCE_NAME.isupper()
    if bank.CNAB400_RETURN is not None:
        movements = bank.CNAB400_RETURN.movements
        assert all(len(c) == 2 and c.isdigit() and isinstance(k, MovementKind) for c, k in movements.items())


@pytest.mark.parametrize("code", sorted(BANKS))
def test_the_sequence_a_bank_allows_is_what_its_layout_holds(code):
    account, _ = SAMPLES[code]
    digits = bank_for(code).sequence_digits(account.get("agreement", ""))
    build_boleto(code, nosso_numero="9" * digits, due_date=date(2026, 5, 8), amount_cents=100, **account)
    with pytest.raises(BoletoError) as error:
        build_boleto(code, nosso_numero="9" * (digits + 1), due_date=date(2026, 5, 8), amount_cents=100, **account)
    assert error.value.code == "invalid_field"


@pytest.mark.parametrize("code", sorted(BANKS))
def test_a_boleto_is_found_again_by_its_return_file_nosso_numero(code):
    account, in_return_file = SAMPLES[code]
    boleto = build_boleto(code, nosso_numero="1", due_date=date(2026, 5, 8), amount_cents=100, **account)
    assert nosso_numero_key(code, boleto.nosso_numero) == return_file_key(code, in_return_file)


def test_a_code_no_module_owns_is_not_a_bank():
    assert find_bank("422") is None
    with pytest.raises(UnsupportedBank):
        bank_for("422")
