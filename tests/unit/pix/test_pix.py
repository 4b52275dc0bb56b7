"""Pix BR Code: the Banco Central's published example, an independent parser (npm pix-utils) on
what we build, and the CRC catching any changed character."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.examples import examples

from chalicelib.cli.__main__ import main
from chalicelib.domain.pix import (
    PixError,
    build_dynamic_pix,
    build_static_pix,
    crc16_ccitt_false,
    normalize_text,
    parse_pix,
    pix_key_type,
)

# Static example of the Banco Central do Brasil's "Manual do BR Code" (ManualBRCode.pdf, annex
# with the static QR example; also quoted in the "Manual de Padrões para Iniciação do Pix"):
# EVP key 123e4567-e12b-12d1-a456-426655440000, "Fulano de Tal", BRASILIA, no amount, txid ***.
BCB_STATIC_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


def test_crc16_check_value():
    assert crc16_ccitt_false("123456789") == "29B1"  # CRC-16/CCITT-FALSE catalogue check value


def test_bcb_static_example_parses_with_valid_crc():
    parsed = parse_pix(BCB_STATIC_EXAMPLE)

    assert parsed.crc_valid is True
    assert parsed.fields["gui"] == "br.gov.bcb.pix"
    assert parsed.fields["key"] == "123e4567-e12b-12d1-a456-426655440000"
    assert parsed.fields["merchant_name"] == "Fulano de Tal"
    assert parsed.fields["merchant_city"] == "BRASILIA"
    assert parsed.fields["transaction_currency"] == "986"
    assert parsed.fields["country_code"] == "BR"
    assert parsed.fields["txid"] == "***"
    assert parsed.fields["amount_cents"] is None
    assert parsed.fields["crc"] == "1D3D"


def test_builder_reproduces_the_bcb_example():
    assert build_static_pix("123e4567-e12b-12d1-a456-426655440000", "Fulano de Tal", "BRASILIA") == BCB_STATIC_EXAMPLE


def test_amount_and_txid():
    payload = build_static_pix("fulano@example.com", "Fulano", "Sao Paulo", amount_cents=1050, txid="FAT2026001")
    fields = parse_pix(payload).fields

    assert "540510.50" in payload
    assert fields["amount"] == "10.50"
    assert fields["amount_cents"] == 1050
    assert fields["txid"] == "FAT2026001"


def test_description_fits_the_merchant_account_template(node_validators):
    payload = build_static_pix("fulano@example.com", "Fulano", "Brasilia", description="Fatura nº 123 — março " * 10)
    fields = parse_pix(payload).fields

    assert fields["description"].startswith("Fatura no 123 marco")  # º decomposes to o
    assert len(parse_pix(payload).tags["26"]) == 3
    assert node_validators.parse_pix([payload])[0]["error"] is False


def test_name_and_city_are_normalised_and_cut():
    payload = build_static_pix("+5554999990000", "Flores Educação & Cultura Ltda — ME", "São João da Boa Vista")
    fields = parse_pix(payload).fields

    assert fields["merchant_name"] == "Flores Educacao & Cultura"  # 25 characters, accents gone
    assert fields["merchant_city"] == "Sao Joao da Boa"  # 15 characters
    assert normalize_text("  Ação   ©  Ltda ", 25) == "Acao Ltda"


@pytest.mark.parametrize("key, kind", [
    ("11144477735", "cpf"), ("11222333000181", "cnpj"), ("+5511999998888", "phone"),
    ("fulano@example.com", "email"), ("123E4567-E12B-12D1-A456-426655440000", "evp"),
])
def test_key_types(key, kind):
    assert pix_key_type(key) == kind


@pytest.mark.parametrize("key", ["", "11111111111", "00000000000000", "11144477736", "11222333000182", "11999998888", "not a key", "x" * 80])
def test_invalid_keys(key):
    with pytest.raises(PixError) as error:
        build_static_pix(key, "Fulano", "Brasilia")
    assert error.value.code == "invalid_key"


@pytest.mark.parametrize("txid", ["com espaço", "a" * 26, "FAT-01"])
def test_invalid_txid(txid):
    with pytest.raises(PixError) as error:
        build_static_pix("fulano@example.com", "Fulano", "Brasilia", txid=txid)
    assert error.value.code == "invalid_txid"


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_invalid_amount(amount):
    with pytest.raises(PixError):
        build_static_pix("fulano@example.com", "Fulano", "Brasilia", amount_cents=amount)


def test_dynamic_payload():
    payload = build_dynamic_pix("pix.example.com/qr/v2/abc", "Loja", "Recife", amount_cents=500)
    fields = parse_pix(payload).fields

    assert fields["point_of_initiation_method"] == "12"
    assert fields["url"] == "pix.example.com/qr/v2/abc"
    assert fields["key"] is None
    assert fields["amount_cents"] == 500
    with pytest.raises(PixError):
        build_dynamic_pix("https://" + "x" * 78, "Loja", "Recife")


@pytest.mark.parametrize("name, city", [("", "Recife"), ("Loja", "©®")])
def test_name_and_city_are_required(name, city):
    with pytest.raises(PixError) as error:
        build_static_pix("fulano@example.com", name, city)
    assert error.value.code == "invalid_text"


def test_malformed_payload():
    with pytest.raises(PixError) as error:
        parse_pix("000201269")
    assert error.value.code == "malformed_payload"


def test_independent_parser_accepts_what_we_build(node_validators):
    static = build_static_pix("11222333000181", "Promob Software Ltda", "Caxias do Sul", 1234567, "FAT2026000123")
    dynamic = build_dynamic_pix("https://pix.example.com/qr/v2/cobv/9d36b84fc70b478fb95c12729b90ca25",
                                "Promob Software Ltda", "Caxias do Sul")

    theirs = node_validators.parse_pix([static, dynamic, BCB_STATIC_EXAMPLE])

    assert theirs[0] == {
        "error": False, "type": "STATIC", "merchantCategoryCode": "0000", "transactionCurrency": "986",
        "countryCode": "BR", "merchantName": "Promob Software Ltda", "merchantCity": "Caxias do Sul",
        "pixKey": "11222333000181", "transactionAmount": 12345.67, "txid": "FAT2026000123",
    }
    assert theirs[1]["type"] == "DYNAMIC"
    assert theirs[1]["url"] == "pix.example.com/qr/v2/cobv/9d36b84fc70b478fb95c12729b90ca25"
    assert theirs[2]["error"] is False and theirs[2]["pixKey"] == "123e4567-e12b-12d1-a456-426655440000"


def _changed(payload: str, position: int) -> str:
    replacement = "A" if payload[position] != "A" else "B"
    return payload[:position] + replacement + payload[position + 1:]


def _ours_rejects(payload: str) -> bool:
    try:
        return not parse_pix(payload).crc_valid
    except PixError:
        return True


def test_any_changed_character_fails_the_crc(node_validators):
    payload = build_static_pix("fulano@example.com", "Fulano de Tal", "Brasilia", 990, "ABC123")
    corrupted = [_changed(payload, position) for position in range(len(payload))]

    assert all(_ours_rejects(text) for text in corrupted)
    assert [answer["error"] for answer in node_validators.parse_pix(corrupted)] == [True] * len(corrupted)


names = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=60).filter(
    lambda text: normalize_text(text, 25) and normalize_text(text, 15)
)


@settings(max_examples=examples(40), deadline=None)
@given(
    batch=st.lists(
        st.tuples(
            names, names, st.one_of(st.none(), st.integers(1, 99_999_999_99)),
            st.one_of(st.none(), st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=25)),
        ),
        min_size=1, max_size=10,
    )
)
def test_random_payloads_round_trip_and_satisfy_the_independent_parser(batch, node_validators):
    payloads = [build_static_pix("fulano@example.com", name, city, amount, txid) for name, city, amount, txid in batch]

    theirs = node_validators.parse_pix(payloads)

    for (name, city, amount, txid), payload, their in zip(batch, payloads, theirs):
        ours = parse_pix(payload)
        assert ours.crc_valid
        assert ours.fields["merchant_name"] == normalize_text(name, 25)
        assert ours.fields["merchant_city"] == normalize_text(city, 15)
        assert ours.fields["amount_cents"] == amount
        assert ours.fields["txid"] == (txid or "***")
        assert their["error"] is False
        assert their["merchantName"] == ours.fields["merchant_name"]
        assert their["merchantCity"] == ours.fields["merchant_city"]
        # pix-utils reports a missing amount as 0.
        assert (their.get("transactionAmount") or None) == (None if amount is None else amount / 100)


def test_cli_build_and_parse(capsys):
    assert main(["pix", "build", "--key", "123e4567-e12b-12d1-a456-426655440000", "--name", "Fulano de Tal",
                 "--city", "BRASILIA"]) == 0
    assert json.loads(capsys.readouterr().out) == {"payload": BCB_STATIC_EXAMPLE}

    assert main(["pix", "parse", BCB_STATIC_EXAMPLE]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["crc_valid"] is True
    assert out["fields"]["merchant_name"] == "Fulano de Tal"

    assert main(["pix", "parse", BCB_STATIC_EXAMPLE[:-1] + "E"]) == 0
    assert json.loads(capsys.readouterr().out)["crc_valid"] is False


def test_cli_invalid_input_exits_1(capsys):
    assert main(["pix", "build", "--key", "nope", "--name", "A", "--city", "B"]) == 1
    assert json.loads(capsys.readouterr().out)["code"] == "invalid_key"
    assert main(["pix", "parse", "0002"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False and out["code"] == "malformed_payload" and "BR Code" in out["error"]
