"""The NFS-e rules (domain/service_invoice_rules.py): declared amounts from an invoice's lines, B2B
withholdings and their minimums, backoff, what a refund does, whether billing data can name a taker."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from chalicelib.domain.service_invoice_rules import (
    FEDERAL_MINIMUM_CENTS, LONGEST_RETRY, LineFacts, RefundEffect, WithholdingPolicy, declared_amounts,
    next_attempt_after_outage, next_attempt_after_rejection, refund_effect, taker_problems, withholdings_for,
)
from chalicelib.domain.service_invoices import TaxRegime

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
ON = WithholdingPolicy(enabled=True, iss_retained=True)
ADDRESS = {"street": "Rua A", "number": "1", "district": "Centro", "city": "Caxias do Sul", "state": "RS",
           "cep": "95020-000"}

lines = st.lists(st.builds(LineFacts, st.integers(-50_000, 200_000),
                           st.sampled_from(["subscription", "addon", "proration", "discount", "credit", "fee"]),
                           st.booleans()), max_size=8)


def test_a_coupon_is_an_unconditional_discount_and_late_fees_are_left_out():
    amounts = declared_amounts([LineFacts(99_000, "subscription", True), LineFacts(-19_800, "discount", True),
                                LineFacts(1_980, "fee", True), LineFacts(5_000, "addon", False)])
    assert (amounts.service_cents, amounts.discount_cents, amounts.net_cents) == (99_000, 19_800, 79_200)


@given(lines)
def test_declared_amounts_are_never_negative_and_never_more_than_the_declared_lines(facts):
    amounts = declared_amounts(facts)
    positive = sum(f.amount_cents for f in facts if f.declared and f.amount_cents > 0)
    assert 0 <= amounts.discount_cents <= amounts.service_cents <= positive
    assert amounts.net_cents >= 0


def test_withholdings_of_a_company_under_the_normal_regime():
    w = withholdings_for(1_000_000, True, TaxRegime.NOT_SIMPLES, ON)
    assert (w.iss_retained, w.irrf_cents, w.csll_cents, w.pis_cents, w.cofins_cents) == (True, 15_000, 10_000,
                                                                                         6_500, 30_000)


def test_federal_withholdings_at_or_under_ten_reais_are_not_made():
    # R$ 600,00: IRRF R$ 9,00 (not withheld); CSRF 4,65% = R$ 27,90 (withheld).
    w = withholdings_for(60_000, True, TaxRegime.NOT_SIMPLES, ON)
    assert w.irrf_cents == 0 and w.csll_cents + w.pis_cents + w.cofins_cents == 2_790
    # R$ 200,00: CSRF R$ 9,30, IRRF R$ 3,00: neither.
    small = withholdings_for(20_000, True, TaxRegime.NOT_SIMPLES, ON)
    assert (small.irrf_cents, small.csll_cents, small.pis_cents, small.cofins_cents) == (0, 0, 0, 0)
    assert small.iss_retained


@given(st.integers(0, 10_000_000), st.booleans(), st.sampled_from(list(TaxRegime)), st.booleans())
def test_withholdings_follow_who_the_parties_are(net, company, regime, enabled):
    w = withholdings_for(net, company, regime, WithholdingPolicy(enabled=enabled, iss_retained=True))
    if not (enabled and company):
        assert not w.any
        return
    federal = (w.irrf_cents, w.csll_cents, w.pis_cents, w.cofins_cents)
    if regime is not TaxRegime.NOT_SIMPLES:
        assert federal == (0, 0, 0, 0)
    assert w.irrf_cents == 0 or w.irrf_cents > FEDERAL_MINIMUM_CENTS
    csrf = w.csll_cents + w.pis_cents + w.cofins_cents
    assert csrf == 0 or csrf > FEDERAL_MINIMUM_CENTS
    assert sum(federal) <= net


def test_the_backoff_doubles_from_five_minutes_up_to_six_hours():
    waits = [next_attempt_after_outage(n, NOW) - NOW for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert waits[-1] == LONGEST_RETRY and waits == sorted(waits)


def test_a_rejection_is_retried_daily_for_thirty_days_then_left_to_a_person():
    assert next_attempt_after_rejection(NOW, NOW) == NOW + timedelta(days=1)
    assert next_attempt_after_rejection(NOW, NOW + timedelta(days=29)) == NOW + timedelta(days=30)
    assert next_attempt_after_rejection(NOW, NOW + timedelta(days=30)) is None


def test_what_a_refund_does_to_the_nfse():
    assert refund_effect(19_900, 0) is RefundEffect.CANCEL
    assert refund_effect(19_900, 14_900) is RefundEffect.SUBSTITUTE
    assert refund_effect(19_900, 19_900) is RefundEffect.NOTHING


def test_billing_data_that_can_name_a_taker():
    good = {"legal_name": "Marcenaria Exemplo Ltda", "document": "11.222.333/0001-81", "address": ADDRESS}
    assert taker_problems(good) == []
    assert taker_problems({**good, "document": "529.982.247-25"}) == []
    bad = taker_problems({"legal_name": " ", "document": "123", "address": {**ADDRESS, "state": "XX", "cep": "1"}})
    assert bad == ["a razão social ou o nome está em branco", "o CPF ou CNPJ é inválido",
                   "a UF do endereço é inválida", "o CEP é inválido"]
