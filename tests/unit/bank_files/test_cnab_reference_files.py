"""Real bank return files give the values the reference README lists (and that a read of the
manuals' positions confirms)."""
from datetime import date
from pathlib import Path

from chalicelib.adapters.bank_files import Layout, MovementKind, parse_return_file


def test_banco_do_brasil_cnab240_first_pair(reference_cnab: Path):
    parsed = parse_return_file((reference_cnab / "CNAB240.RET").read_bytes())

    assert (parsed.layout, parsed.bank_code) == (Layout.CNAB240, "001")
    first = parsed.records[0]
    assert first.movement == "17"
    assert first.kind is MovementKind.SETTLED
    assert first.nosso_numero == "14499570000020673"
    assert (first.amount_cents, first.paid_cents) == (34400, 34400)
    assert (first.net_cents, first.fee_cents) == (34297, 103)
    assert (first.occurred_on, first.credited_on) == (date(2011, 12, 29), date(2012, 1, 2))
    assert first.line == 3  # segment T of the pair, after file and lot headers


def test_banco_do_brasil_cnab240_has_35_settled_payments_that_add_up(reference_cnab: Path):
    records = parse_return_file((reference_cnab / "CNAB240.RET").read_bytes()).records

    assert len(records) == 35
    assert {record.kind for record in records} == {MovementKind.SETTLED}
    assert len({record.nosso_numero for record in records}) == 35
    # Net and tariff come from different segments (U and T): they agree only if both are read right.
    assert all(record.paid_cents - record.fee_cents == record.net_cents for record in records)
    assert [record.line for record in records] == list(range(3, 73, 2))


def test_santander_cnab240_uses_its_own_segment_t_positions(reference_cnab: Path):
    parsed = parse_return_file((reference_cnab / "CNAB240SANTANDER.RET").read_bytes())

    assert (parsed.layout, parsed.bank_code) == (Layout.CNAB240, "033")
    entry, settlement = parsed.records
    assert (entry.movement, entry.kind) == ("02", MovementKind.ENTRY_CONFIRMED)
    assert entry.nosso_numero == "0000000001406"  # positions 41-53
    assert entry.due_on == date(2016, 4, 1)  # positions 70-77
    assert entry.amount_cents == 1000  # positions 78-92
    assert entry.fee_cents == 392  # positions 194-208
    assert entry.document_number == "0000001406"
    assert (settlement.movement, settlement.kind) == ("06", MovementKind.SETTLED)
    assert settlement.nosso_numero == entry.nosso_numero
    assert (settlement.amount_cents, settlement.paid_cents, settlement.net_cents) == (1000, 1000, 1000)
    assert (settlement.occurred_on, settlement.credited_on) == (date(2016, 4, 1), date(2016, 4, 4))


def test_itau_cnab400_first_record(reference_cnab: Path):
    parsed = parse_return_file((reference_cnab / "CNAB400ITAU.RET").read_bytes())

    assert (parsed.layout, parsed.bank_code) == (Layout.CNAB400, "341")
    assert len(parsed.records) == 52
    first = parsed.records[0]
    assert (first.nosso_numero, first.carteira) == ("00000011", "109")
    assert (first.movement, first.kind) == ("06", MovementKind.SETTLED)
    assert first.amount_cents == 4000
    assert first.net_cents == 3790  # "received": what Itaú credits, after its tariff
    assert first.fee_cents == 210
    assert first.paid_cents == 4000  # what the payer paid: the credit plus the tariff
    assert (first.occurred_on, first.credited_on) == (date(2013, 5, 20), date(2013, 5, 21))
    assert first.line == 2


def test_itau_cnab400_paid_includes_late_interest(reference_cnab: Path):
    records = parse_return_file((reference_cnab / "CNAB400ITAU.RET").read_bytes()).records
    late = next(record for record in records if record.nosso_numero == "00003136")

    # título 48.75 + mora 1.02 = 49.77 paid; Itaú credits 47.67 after its 2.10 tariff.
    assert (late.amount_cents, late.fee_cents, late.net_cents) == (4875, 210, 4767)
    assert late.paid_cents == 4977


def test_itau_cnab400_write_off_is_not_a_payment(reference_cnab: Path):
    records = parse_return_file((reference_cnab / "CNAB400ITAU.RET").read_bytes()).records
    last = records[-1]

    assert (last.nosso_numero, last.movement, last.kind) == ("27714592", "09", MovementKind.WRITTEN_OFF)
    assert last.paid_cents == 0
    assert last.credited_on is None
    assert last.due_on == date(2013, 5, 10)


def test_bradesco_cnab400_first_record(reference_cnab: Path):
    parsed = parse_return_file((reference_cnab / "CNAB400BRADESCO.RET").read_bytes())

    assert (parsed.layout, parsed.bank_code) == (Layout.CNAB400, "237")
    first = parsed.records[0]
    assert first.nosso_numero == "000000000303"
    assert (first.movement, first.kind) == ("02", MovementKind.ENTRY_CONFIRMED)
    assert first.amount_cents == 145000
    assert first.net_cents is None  # Bradesco's layout states no credited value
    assert first.due_on == date(2015, 5, 25)


def test_bradesco_cnab400_all_records(reference_cnab: Path):
    records = parse_return_file((reference_cnab / "CNAB400BRADESCO.RET").read_bytes()).records

    assert [record.movement for record in records] == ["02"] * 5 + ["10"]
    assert records[-1].kind is MovementKind.WRITTEN_OFF
    assert records[1].nosso_numero == "51350000004P"  # Bradesco's check digit 'P' kept as written
    assert [record.line for record in records] == list(range(2, 8))


def test_right_trimmed_and_fully_padded_lines_read_the_same(reference_cnab: Path):
    for path in sorted(reference_cnab.glob("*.RET")):
        text = path.read_text(encoding="latin-1")
        width = 400 if "CNAB400" in path.name else 240
        padded = "".join(line.ljust(width) + "\r\n" for line in text.splitlines())

        assert parse_return_file(padded) == parse_return_file(path.read_bytes()), path.name
