"""The layout's own rules (chalicelib/adapters/service_invoices/layout.py): identifiers, the access key's
composition and check digit, how amounts and instants are written."""
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.service_invoices import layout
from chalicelib.adapters.service_invoices.municipalities import ibge_code, municipality
from tests.examples import examples

# Real access keys published in public test data: a 2026 NFS-e of Itumbiara/GO (nNFSe 4866, issued
# 02/2026 by a municipal system, ambGer 1) and one of Brasília/DF (nNFSe 17645, 10/2026).
REAL_KEYS = ("52115031239558194000180000000000486626023714913456",
             "53001081240030122000145000000001764526101791211730")

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
cnpjs = st.text(alphabet="0123456789", min_size=14, max_size=14)
cpfs = st.text(alphabet="0123456789", min_size=11, max_size=11)
cities = st.integers(1_000_000, 9_999_999).map(str)


def test_the_nfelib_sample_dps_id_is_rebuilt_from_its_own_fields():
    # nfelib/nfse/samples/v1_0/dps-simples.xml: cLocEmi 1400159, CNPJ 01761135000132, serie 900, nDPS 6.
    assert layout.dps_id("1400159", "01761135000132", "900", 6) == "DPS140015920176113500013200900000000000000006"


@settings(max_examples=examples(300))
@given(city=cities, document=st.one_of(cnpjs, cpfs), series=st.integers(0, 99999),
       number=st.integers(1, 999_999_999_999_999))
def test_dps_id_is_the_concatenation_the_layout_describes(city, document, series, number):
    dps_id = layout.dps_id(city, document, str(series), number)

    assert len(dps_id) == 45 and dps_id.startswith("DPS") and dps_id[3:].isdigit()
    assert dps_id[3:10] == city
    assert dps_id[10] == ("2" if len(document) == 14 else "1")  # 1 = CPF, 2 = CNPJ (Anexo I)
    assert dps_id[11:25] == document.zfill(14)  # a CPF is left-padded with zeros
    assert int(dps_id[25:30]) == series and int(dps_id[30:45]) == number


@pytest.mark.parametrize("args", [
    ("430510", "11222333000181", "1", 1),  # city code with 6 digits
    ("4305108", "1122233300018", "1", 1),  # neither CPF nor CNPJ
    ("4305108", "11222333000181", "123456", 1),  # series over 5 digits
    ("4305108", "11222333000181", "1", 0),  # nDPS starts at 1
    ("4305108", "11222333000181", "1", 10**15),
])
def test_dps_id_refuses_values_outside_the_layout(args):
    with pytest.raises(ValueError):
        layout.dps_id(*args)


@pytest.mark.parametrize("key", REAL_KEYS)
def test_real_access_keys_carry_the_modulo_11_check_digit(key):
    assert layout.check_digit(key[:49]) == key[49]
    assert layout.is_access_key(key)


def test_the_real_key_parts_read_as_the_layout_says():
    parts = layout.parse_access_key(REAL_KEYS[0])

    assert parts == {"city_code": "5211503", "generator": "1", "registration_type": "2",
                     "registration": "39558194000180", "nfse_number": 4866, "year_month": "2602",
                     "random_code": "371491345", "check_digit": "6"}


@settings(max_examples=examples(300))
@given(body=st.text(alphabet="0123456789", min_size=49, max_size=49))
def test_check_digit_is_modulo_11_with_weights_2_to_9_from_the_right(body):
    total = sum(int(ch) * (2 + i % 8) for i, ch in enumerate(reversed(body)))
    expected = 11 - total % 11

    assert layout.check_digit(body) == ("0" if expected >= 10 else str(expected))


def _remainder(body: str) -> int:
    return sum(int(ch) * (2 + i % 8) for i, ch in enumerate(reversed(body))) % 11


@settings(max_examples=examples(300))
@given(city=cities, document=st.one_of(cnpjs, cpfs), number=st.integers(1, 10**13 - 1),
       day=st.dates(date(2020, 1, 1), date(2099, 12, 31)), code=st.integers(0, 10**9 - 1),
       position=st.integers(0, 49), replacement=digits)
def test_an_access_key_verifies_and_a_changed_digit_breaks_it(city, document, number, day, code, position,
                                                             replacement):
    key = layout.access_key(city, document, number, day, code)

    assert len(key) == 50 and key.isdigit() and layout.is_access_key(key)
    assert key[:7] == city and key[7] == layout.GENERATOR_SEFIN_NACIONAL
    assert key[36:40] == day.strftime("%y%m") and int(key[23:36]) == number
    changed = key[:position] + replacement + key[position + 1:]
    if changed != key:
        # Modulo 11 moves the remainder with any single changed digit; only remainders 0 and 1, which
        # both give the digit 0, can hide it.
        hidden = position < 49 and {_remainder(key[:49]), _remainder(changed[:49])} <= {0, 1}
        assert layout.is_access_key(changed) == hidden


def test_event_identifiers_follow_the_key():
    request = layout.event_request_id(REAL_KEYS[0], layout.CANCELLATION_EVENT)

    assert request == "PRE" + REAL_KEYS[0] + "101101" and len(request) == 59
    assert layout.event_id(request) == "EVT" + REAL_KEYS[0] + "101101" + "001"


@pytest.mark.parametrize("cents, text", [(0, "0.00"), (5, "0.05"), (19990, "199.90"), (100000000, "1000000.00")])
def test_money_is_reais_with_two_decimals(cents, text):
    assert layout.money(cents) == text


def test_instants_carry_their_offset_and_no_fraction():
    instant = datetime(2026, 4, 1, 10, 0, 5, 999, tzinfo=timezone(timedelta(hours=-3)))

    assert layout.xml_datetime(instant) == "2026-04-01T10:00:05-03:00"
    with pytest.raises(ValueError):
        layout.xml_datetime(datetime(2026, 4, 1, 10, 0, 5))


def test_environments():
    assert layout.environment_code("restricted") == "2" and layout.environment_code("production") == "1"
    with pytest.raises(ValueError):
        layout.environment_code("homologacao")


@pytest.mark.parametrize("code, name, uf", [("4305108", "Caxias do Sul", "RS"), ("3550308", "São Paulo", "SP"),
                                            ("4205407", "Florianópolis", "SC")])
def test_ibge_codes_come_from_the_shipped_table(code, name, uf):
    assert municipality(code).name == name and municipality(code).uf == uf
    assert ibge_code(name, uf) == code
    assert ibge_code(name.upper().replace("ã", "a").replace("Ã", "A").replace("Ó", "O"), uf.lower()) == code
