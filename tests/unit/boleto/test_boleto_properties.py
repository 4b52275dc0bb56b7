"""Properties over random banks, amounts and due dates: build -> parse round trips, and an
independent validator (npm @brazilian-utils/brazilian-utils) agrees with every line we make."""
from datetime import date, timedelta

from hypothesis import given, settings

from tests.examples import examples
from hypothesis import strategies as st

from chalicelib.domain.boleto import BoletoError, build_boleto, due_date_from_factor, due_factor, parse_boleto
from chalicelib.domain.boleto.layout import line_to_barcode
from chalicelib.domain.checkdigits import WEIGHTS_2_TO_9, weighted_sum
from tests.unit.boleto.strategies import amounts, bank_inputs, due_dates, window_offsets


@settings(max_examples=examples(400), deadline=None)
@given(inputs=bank_inputs, amount=amounts, due=due_dates, offset=window_offsets)
def test_build_then_parse_round_trips(inputs, amount, due, offset):
    boleto = build_boleto(**inputs, due_date=due, amount_cents=amount)
    today = due + timedelta(days=offset)

    for text in (boleto.digitable_line, boleto.formatted_line, boleto.barcode):
        parsed = parse_boleto(text, today)
        assert parsed.bank_code == inputs["bank"]
        assert parsed.amount_cents == amount
        assert parsed.due_date == due
        assert parsed.barcode == boleto.barcode
        assert parsed.digitable_line == boleto.digitable_line
    assert len(boleto.barcode) == 44 and len(boleto.digitable_line) == 47


@settings(max_examples=examples(300), deadline=None)
@given(due=st.dates(min_value=date(1997, 10, 8), max_value=date(2080, 12, 31)), offset=window_offsets)
def test_factor_round_trips_inside_the_window(due, offset):
    factor = due_factor(due)
    assert 1 <= factor <= 9999
    assert due_date_from_factor(factor, due + timedelta(days=offset)) == due


@settings(max_examples=examples(25), deadline=None)
@given(batch=st.lists(st.tuples(bank_inputs, amounts, due_dates), min_size=20, max_size=40))
def test_independent_validator_accepts_every_generated_line(batch, node_validators):
    lines = []
    for inputs, amount, due in batch:
        boleto = build_boleto(**inputs, due_date=due, amount_cents=amount)
        lines += [boleto.digitable_line, boleto.formatted_line]

    assert node_validators.valid_boletos(lines) == [True] * len(lines)


FIELD_5 = range(33, 47)  # due factor and amount: guarded only by the general check digit


def _mod11_collision(original_barcode: str, corrupted_barcode: str) -> bool:
    """The general DV is 1 for weighted-sum remainders 0, 1 and 10 alike (11 - r, with 0, 10 and 11
    becoming 1), so a change moving the remainder among those three cannot be seen by any
    validator of this layout."""
    def remainder(barcode: str) -> int:
        return weighted_sum(barcode[:4] + barcode[5:], WEIGHTS_2_TO_9) % 11
    same_dv = {0, 1, 10}
    return remainder(original_barcode) in same_dv and remainder(corrupted_barcode) in same_dv


def _well_formed(line: str, today: date) -> bool:
    """Our verdict on the digits alone (a due date outside today's window is a different matter)."""
    try:
        parse_boleto(line, today)
    except BoletoError as error:
        return error.code == "due_date_out_of_window"
    return True


@settings(max_examples=examples(15), deadline=None)
@given(inputs=bank_inputs, amount=amounts, due=due_dates)
def test_a_corrupted_digit_anywhere_is_rejected_by_both(inputs, amount, due, node_validators):
    line = build_boleto(**inputs, due_date=due, amount_cents=amount).digitable_line
    changes = [(position, delta) for position in range(47) for delta in range(1, 10)]
    corrupted = [line[:p] + str((int(line[p]) + d) % 10) + line[p + 1:] for p, d in changes]
    # The only single-digit changes no validator can see: field 5 changes that collide in mod 11.
    undetectable = [
        position in FIELD_5 and _mod11_collision(line_to_barcode(line), line_to_barcode(text))
        for (position, _), text in zip(changes, corrupted)
    ]

    ours = [_well_formed(text, due) for text in corrupted]
    theirs = node_validators.valid_boletos(corrupted)

    assert ours == undetectable
    assert theirs == undetectable
