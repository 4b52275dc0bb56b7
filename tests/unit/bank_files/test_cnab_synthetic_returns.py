"""Synthetic CNAB 240 returns written by a test-only writer parse back to the values written."""
from datetime import date

import pytest
from hypothesis import given, settings

from tests.examples import examples
from hypothesis import strategies as st

from chalicelib.adapters.bank_files import BankFileError, Layout, MovementKind, parse_return_file

from .return_writer import SyntheticTitle, write_cnab240_return

MAX_15_DIGITS = 10**15 - 1
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# C044 meanings stated in the FEBRABAN manual.
EXPECTED_KIND = {
    "02": MovementKind.ENTRY_CONFIRMED,
    "03": MovementKind.REJECTED,
    "06": MovementKind.SETTLED,
    "09": MovementKind.WRITTEN_OFF,
    "17": MovementKind.SETTLED,
    "28": MovementKind.OTHER,
}

optional_dates = st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2099, 12, 31)))
money = st.integers(0, MAX_15_DIGITS)


@st.composite
def titles(draw, nosso_numero_width: int) -> SyntheticTitle:
    return SyntheticTitle(
        nosso_numero=draw(st.text(CODE_ALPHABET, min_size=1, max_size=nosso_numero_width)),
        movement=draw(st.sampled_from(sorted(EXPECTED_KIND))),
        carteira=draw(st.sampled_from("1234567")),
        document_number=draw(st.text(CODE_ALPHABET, max_size=15)),
        due_on=draw(optional_dates),
        amount_cents=draw(money),
        paid_cents=draw(money),
        fee_cents=draw(money),
        net_cents=draw(money),
        occurred_on=draw(optional_dates),
        credited_on=draw(optional_dates),
    )


@st.composite
def return_files(draw):
    bank_code = draw(st.sampled_from(["001", "104", "341", "033"]))
    width = 13 if bank_code == "033" else 20  # Santander's nosso número is 41-53
    return bank_code, draw(st.lists(titles(width), min_size=1, max_size=8))


@settings(max_examples=examples(150), deadline=None)
@given(
    file=return_files(),
    generated_on=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    right_trim=st.booleans(),
    line_end=st.sampled_from(["\r\n", "\n"]),
    as_bytes=st.booleans(),
)
def test_written_titles_parse_back_to_the_same_values(file, generated_on, right_trim, line_end, as_bytes):
    bank_code, written = file
    text = write_cnab240_return(bank_code, written, generated_on=generated_on,
                                right_trim=right_trim, line_end=line_end)

    parsed = parse_return_file(text.encode("latin-1") if as_bytes else text)

    assert (parsed.layout, parsed.bank_code, parsed.generated_on) == (Layout.CNAB240, bank_code, generated_on)
    assert len(parsed.records) == len(written)
    for index, (record, title) in enumerate(zip(parsed.records, written)):
        assert record.line == 3 + 2 * index
        assert record.nosso_numero == title.nosso_numero
        assert record.movement == title.movement
        assert record.kind is EXPECTED_KIND[title.movement]
        assert record.carteira == title.carteira
        assert record.document_number == title.document_number
        assert record.due_on == title.due_on
        assert (record.amount_cents, record.paid_cents) == (title.amount_cents, title.paid_cents)
        assert (record.fee_cents, record.net_cents) == (title.fee_cents, title.net_cents)
        assert (record.occurred_on, record.credited_on) == (title.occurred_on, title.credited_on)


def _title(**changes) -> SyntheticTitle:
    values = dict(nosso_numero="123", movement="06", carteira="1", document_number="NF1",
                  due_on=date(2026, 1, 10), amount_cents=10000, paid_cents=10200, fee_cents=150,
                  net_cents=10050, occurred_on=date(2026, 1, 12), credited_on=date(2026, 1, 13))
    return SyntheticTitle(**{**values, **changes})


def test_optional_segment_y_after_a_pair_is_skipped():
    lines = write_cnab240_return("001", [_title(), _title(nosso_numero="456")],
                                 generated_on=date(2026, 1, 13)).split("\r\n")
    segment_y = lines[3][:13] + "Y" + lines[3][14:]  # same lot and record type as the U before it
    lines.insert(4, segment_y)
    lines[-3] = lines[-3][:17] + "000007" + lines[-3][23:]  # lot trailer: one record more
    lines[-2] = lines[-2][:23] + "000009" + lines[-2][29:]  # file trailer too

    parsed = parse_return_file("\r\n".join(lines))

    assert [record.nosso_numero for record in parsed.records] == ["123", "456"]
    assert [record.line for record in parsed.records] == [3, 6]


def test_segment_y_between_t_and_u_is_refused():
    lines = write_cnab240_return("001", [_title()], generated_on=date(2026, 1, 13)).split("\r\n")
    lines.insert(3, lines[2][:13] + "Y" + lines[2][14:])

    with pytest.raises(BankFileError) as caught:
        parse_return_file("\r\n".join(lines))

    assert caught.value.line == 4
    assert "esperado o segmento U" in caught.value.message


def test_lot_trailer_count_is_enforced_for_febraban_banks_but_not_for_santander():
    # Santander's real return states 4 records in a lot of 6, so its lot count is not checked;
    # its file trailer count is.
    for bank_code, refused in (("001", True), ("033", False)):
        lines = write_cnab240_return(bank_code, [_title()], generated_on=date(2026, 1, 13)).split("\r\n")
        lines[-3] = lines[-3][:17] + "000002" + lines[-3][23:]
        text = "\r\n".join(lines)

        if refused:
            with pytest.raises(BankFileError) as caught:
                parse_return_file(text)
            assert caught.value.line == 5
        else:
            assert len(parse_return_file(text).records) == 1


def test_latin1_bytes_with_accents_are_read():
    lines = write_cnab240_return("001", [_title()], generated_on=date(2026, 1, 13)).split("\r\n")
    lines[0] = lines[0][:72] + "AÇÚCAR E CAFÉ LTDA".ljust(30) + lines[0][102:]

    parsed = parse_return_file("\r\n".join(lines).encode("latin-1"))

    assert parsed.records[0].paid_cents == 10200
