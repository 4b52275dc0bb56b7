"""CNAB 240 remittance: fields at the manual's positions, a well-formed structure, and a round trip
through the reader."""
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given, settings

from tests.examples import examples
from hypothesis import strategies as st

from chalicelib.adapters.bank_files import (
    BankFileError, Beneficiary, BoletoEntry, Payer, Remittance, RemittanceError, parse_return_file,
    read_remittance, write_remittance,
)

BENEFICIARY = Beneficiary(
    bank_code="001", bank_name="BANCO DO BRASIL S.A.", document="11222333000181", name="ACME SOFTWARE LTDA",
    agreement="1234567", agency="01234", agency_digit="5", account="000000098765", account_digit="X",
)
PAYER = Payer(name="MARIA DA SILVA", document="52998224725", address="RUA DAS FLORES 100",
              district="CENTRO", postal_code="01310100", city="SAO PAULO", state="SP")
GENERATED_AT = datetime(2026, 1, 5, 9, 30, 15)


def entry(number: int, **changes) -> BoletoEntry:
    values = dict(nosso_numero=f"1234567{number:010d}", document_number=f"INV-{number}",
                  due_on=date(2026, 1, 10 + number), issued_on=date(2026, 1, 5), amount_cents=9990 + number,
                  payer=PAYER, company_reference=f"INV_{number:04d}")
    return BoletoEntry(**{**values, **changes})


def write(entries, beneficiary=BENEFICIARY, file_sequence=42) -> str:
    return write_remittance(beneficiary, entries, file_sequence=file_sequence, generated_at=GENERATED_AT)


def field(line: str, start: int, end: int) -> str:
    return line[start - 1:end]


def test_round_trip_through_the_reader():
    entries = (entry(1), entry(2, interest_per_day_cents=33), entry(3, payer=replace(PAYER, document="11222333000181")))

    remittance = read_remittance(write(entries))

    assert remittance == Remittance(BENEFICIARY, entries, file_sequence=42, generated_at=GENERATED_AT)


def test_lines_are_240_characters_with_crlf_and_segments_alternate():
    text = write([entry(1), entry(2), entry(3)])
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]

    assert all(len(line) == 240 for line in lines)
    assert "\n" not in "".join(lines)
    assert [field(line, 8, 8) for line in lines] == ["0", "1", "3", "3", "3", "3", "3", "3", "5", "9"]
    assert [field(line, 14, 14) for line in lines[2:8]] == ["P", "Q"] * 3
    assert [field(line, 9, 13) for line in lines[2:8]] == [f"{n:05d}" for n in range(1, 7)]
    assert field(lines[8], 18, 23) == "000008"  # lot: header, 6 details, trailer
    assert (field(lines[9], 18, 23), field(lines[9], 24, 29)) == ("000001", "000010")
    assert all(field(line, 1, 3) == "001" for line in lines)


def test_key_fields_sit_at_the_manual_positions():
    header, lot_header, p, q, *_ = write([entry(7, interest_per_day_cents=12)]).split("\r\n")

    assert field(header, 143, 143) == "1"  # G015: remessa
    assert field(header, 144, 151) == "05012026" and field(header, 152, 157) == "093015"
    assert field(header, 158, 163) == "000042"
    assert field(header, 18, 32) == "211222333000181"
    assert field(lot_header, 9, 11) == "R01"  # remessa, cobrança
    assert field(p, 16, 17) == "01"  # C004: entrada de títulos
    assert field(p, 38, 57) == "12345670000000007   "
    assert field(p, 63, 77) == "INV-7          "
    assert field(p, 78, 85) == "17012026"
    assert field(p, 86, 100) == "000000000009997"
    assert field(p, 110, 117) == "05012026"
    assert field(p, 118, 141) == "1" + "18012026" + "000000000000012"  # juros per day from the day after
    assert field(p, 196, 220) == "INV_0007".ljust(25)
    assert field(p, 228, 229) == "09"  # real
    assert field(q, 18, 33) == "1000052998224725"
    assert field(q, 34, 73) == "MARIA DA SILVA".ljust(40)
    assert field(q, 129, 136) == "01310100"
    assert field(q, 152, 153) == "SP"


def test_free_text_is_upper_case_ascii_cut_to_width():
    payer = replace(PAYER, name="José da Conceição Gonçalves de Araújo e Sá Filho Júnior",
                    city="São João d'Aliança")
    q = write([entry(1, payer=payer)]).split("\r\n")[3]

    assert field(q, 34, 73) == "JOSE DA CONCEICAO GONCALVES DE ARAUJO E "
    assert field(q, 137, 151) == "SAO JOAO D'ALIA"
    assert q.isascii()


def test_the_return_parser_refuses_a_remittance():
    with pytest.raises(BankFileError) as caught:
        parse_return_file(write([entry(1)]))

    assert caught.value.line == 1


def test_reader_refuses_what_is_not_a_remittance(reference_cnab):
    with pytest.raises(BankFileError) as caught:
        read_remittance((reference_cnab / "CNAB240.RET").read_bytes())

    assert caught.value.line == 1
    assert "não é um arquivo de remessa" in caught.value.message


@pytest.mark.parametrize(
    ("line", "position", "new", "message_part"),
    [
        (1, 152, "256100", "hora de geração"),
        (3, 78, "00000000", "data de vencimento ausente"),
        (4, 18, "7", "tipo de inscrição do pagador"),
    ],
)
def test_reader_refuses_broken_fields(line, position, new, message_part):
    lines = write([entry(1)]).split("\r\n")
    lines[line - 1] = lines[line - 1][:position - 1] + new + lines[line - 1][position - 1 + len(new):]

    with pytest.raises(BankFileError) as caught:
        read_remittance("\r\n".join(lines))

    assert caught.value.line == line
    assert message_part in caught.value.message


def test_reader_applies_the_structure_checks():
    lines = write([entry(1), entry(2)]).split("\r\n")
    del lines[4]  # the second P: its Q is now an orphan

    with pytest.raises(BankFileError) as caught:
        read_remittance("\r\n".join(lines))

    assert caught.value.line == 5
    assert "segmento Q sem o segmento P" in caught.value.message


@pytest.mark.parametrize(
    ("changes", "message_part"),
    [
        (dict(amount_cents=0), "inteiro positivo"),
        (dict(amount_cents=99.9), "inteiro positivo"),
        (dict(amount_cents=True), "inteiro positivo"),
        (dict(amount_cents=10**13 * 100), "valor do título"),
        (dict(nosso_numero="1" * 21), "nosso número"),
        (dict(nosso_numero=""), "nosso número"),
        (dict(document_number="inv-1"), "número do documento"),  # lower case would be changed by the bank
        (dict(payer=replace(PAYER, document="123")), "CPF/CNPJ"),
        (dict(payer=replace(PAYER, postal_code="1310-100")), "CEP"),
        (dict(payer=replace(PAYER, state="São Paulo")), "UF"),
    ],
)
def test_unfit_entries_are_refused_with_the_boleto_number(changes, message_part):
    with pytest.raises(RemittanceError) as caught:
        write([entry(1), entry(2, **changes)])

    assert message_part in str(caught.value)
    assert str(caught.value).startswith("boleto 2: ")


def test_empty_remittance_and_unfit_beneficiary_are_refused():
    with pytest.raises(RemittanceError):
        write([])
    with pytest.raises(RemittanceError, match="agência"):
        write([entry(1)], beneficiary=replace(BENEFICIARY, agency="123456"))
    with pytest.raises(RemittanceError, match="número sequencial"):
        write([entry(1)], file_sequence=1_000_000)


codes = st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_/.", min_size=1, max_size=15).map(str.strip).filter(bool)
names = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=1, max_size=15).map(str.strip).filter(bool)
days = st.dates(date(2000, 1, 1), date(2099, 12, 30))


@st.composite
def entries(draw) -> BoletoEntry:
    payer = Payer(
        name=draw(names), document=draw(st.sampled_from(["52998224725", "11222333000181"])),
        address=draw(names), district=draw(names), postal_code=draw(st.from_regex(r"\A[0-9]{8}\Z")),
        city=draw(names), state=draw(st.sampled_from(["SP", "RJ", "MG", "RS"])),
    )
    return BoletoEntry(
        nosso_numero=draw(codes), document_number=draw(codes), due_on=draw(days), issued_on=draw(days),
        amount_cents=draw(st.integers(1, 10**15 - 1)), payer=payer, company_reference=draw(codes),
        interest_per_day_cents=draw(st.integers(0, 10**15 - 1)),
    )


@settings(max_examples=examples(100), deadline=None)
@given(boletos=st.lists(entries(), min_size=1, max_size=6), file_sequence=st.integers(1, 999_999))
def test_any_fitting_remittance_reads_back_the_same(boletos, file_sequence):
    text = write(boletos, file_sequence=file_sequence)

    assert read_remittance(text) == Remittance(BENEFICIARY, tuple(boletos), file_sequence, GENERATED_AT)
