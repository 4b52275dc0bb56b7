"""Pix Automático's pure rules: periodicities, the payer as person or company, the amount, the
states that may follow each other, and the cycle charge's window (10 to 2 days before due)."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.pix_automatico import (
    PixAutomaticoError, RecurrenceStatus, charge_window, debtor, may_follow, periodicidade, recurrence_amount,
    recurrence_request, reais,
)


@pytest.mark.parametrize("periodicity, expected", [
    (Periodicity.MONTHLY, "MENSAL"), (Periodicity.QUARTERLY, "TRIMESTRAL"),
    (Periodicity.SEMIANNUAL, "SEMESTRAL"), (Periodicity.ANNUAL, "ANUAL"), ("annual", "ANUAL"),
])
def test_every_periodicity_maps_to_the_specifications(periodicity, expected):
    assert periodicidade(periodicity) == expected


def test_the_debtor_is_a_person_or_a_company():
    assert debtor("123.456.789-09", "Ana  Souza") == {"cpf": "12345678909", "nome": "Ana Souza"}
    assert debtor("11.222.333/0001-81", "Marcenaria") == {"cnpj": "11222333000181", "nome": "Marcenaria"}
    assert debtor("12.ABC.345/01DE-35", "Nova") == {"cnpj": "12ABC34501DE35", "nome": "Nova"}  # alphanumeric
    with pytest.raises(PixAutomaticoError):
        debtor("123", "Ana")
    with pytest.raises(PixAutomaticoError):
        debtor("12345678909", "  ")


def test_the_amount_is_fixed_or_a_floor_when_it_varies():
    assert recurrence_amount(3500, varies=False) == {"valorRec": "35.00"}
    assert recurrence_amount(500005, varies=True) == {"valorMinimoRecebedor": "5000.05"}
    assert reais(7) == "0.07"
    with pytest.raises(PixAutomaticoError):
        recurrence_amount(0, varies=False)
    with pytest.raises(PixAutomaticoError):
        reais(-1)


def test_the_request_carries_the_contract_and_retry_policy():
    body = recurrence_request(contract="sub_1", subject="Operand Pro — plano trimestral com suporte",
                              debtor_data={"cpf": "12345678909", "nome": "Ana"}, start=date(2026, 4, 15),
                              periodicity=Periodicity.QUARTERLY, amount={"valorRec": "10.00"}, location_id=7)
    assert body["vinculo"]["contrato"] == "sub_1" and len(body["vinculo"]["objeto"]) <= 35
    assert body["calendario"] == {"dataInicial": "2026-04-15", "periodicidade": "TRIMESTRAL"}
    assert body["politicaRetentativa"] == "PERMITE_3R_7D" and body["loc"] == 7
    with pytest.raises(PixAutomaticoError):
        recurrence_request(contract="x" * 36, subject="s", debtor_data={}, start=date(2026, 1, 1),
                           periodicity="monthly", amount={})


S = RecurrenceStatus


@pytest.mark.parametrize("current, new, allowed", [
    (S.CRIADA, S.APROVADA, True), (S.CRIADA, S.REJEITADA, True), (S.CRIADA, S.EXPIRADA, True),
    (S.CRIADA, S.CANCELADA, True), (S.APROVADA, S.CANCELADA, True),
    (S.APROVADA, S.APROVADA, False), (S.APROVADA, S.CRIADA, False), (S.APROVADA, S.REJEITADA, False),
    (S.REJEITADA, S.APROVADA, False), (S.EXPIRADA, S.APROVADA, False), (S.CANCELADA, S.APROVADA, False),
    (S.CANCELADA, S.CANCELADA, False),
])
def test_only_steps_forward_are_applied(current, new, allowed):
    assert may_follow(current, new) is allowed


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)), st.integers(min_value=-15, max_value=15))
def test_a_cycle_charge_is_sent_between_10_and_2_days_before_due(due, offset):
    day = due - timedelta(days=offset)
    assert charge_window(due).contains(day) is (2 <= offset <= 10)


def test_the_cycle_txid_is_deterministic_alphanumeric_and_names_its_invoice():
    from chalicelib.domain.pix_automatico import cycle_txid, invoice_of_txid

    rec_id, invoice_id = "RR1234567820260401abcdefghijk", "inv_0198a1b2c3d4e5f6a7b8c9d"
    txid = cycle_txid(rec_id, invoice_id)
    assert txid == cycle_txid(rec_id, invoice_id) and txid.isalnum() and 26 <= len(txid) <= 35
    assert cycle_txid("RR1234567820260401zzzzzzzzzzz", invoice_id) != txid
    assert invoice_of_txid(rec_id, txid) == invoice_id
    assert invoice_of_txid("RR1234567820260401zzzzzzzzzzz", txid) is None  # another recurrence's: refused
    assert invoice_of_txid(rec_id, "inv" + "0" * 32) is None


@pytest.mark.parametrize("offset", range(0, 13))
def test_a_cycle_charge_is_built_only_from_10_to_2_days_before_due(offset):
    from chalicelib.domain.pix_automatico import create_cycle_charge

    due = date(2026, 6, 2)
    build = lambda: create_cycle_charge(rec_id="RR1234567820260401abcdefghijk", due=due, amount_cents=9800,
                                        today=due - timedelta(days=offset),
                                        receiver={"conta": "1", "tipoConta": "CORRENTE"})
    if 2 <= offset <= 10:
        body = build()
        assert body["valor"] == {"original": "98.00"} and body["calendario"] == {"dataDeVencimento": "2026-06-02"}
    else:
        with pytest.raises(PixAutomaticoError):
            build()


def test_a_cycle_charge_only_moves_forward():
    from chalicelib.domain.pix_automatico import cents, charge_may_follow

    assert charge_may_follow(None, "ATIVA") and charge_may_follow("ATIVA", "CONCLUIDA")
    assert charge_may_follow("ATIVA", "REJEITADA") and charge_may_follow("CRIADA", "ATIVA")
    assert not charge_may_follow("CONCLUIDA", "ATIVA") and not charge_may_follow("CONCLUIDA", "REJEITADA")
    assert not charge_may_follow("ATIVA", "ATIVA")
    assert (cents("98.00"), cents("0.5"), cents("1234.56")) == (9800, 50, 123456)
