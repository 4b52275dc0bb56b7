"""Rules of the NFS-e a paid invoice gets (PRODUCT.md §12), pure: what the DPS declares from the
invoice's lines, the B2B withholdings, whether the taker's billing data can go on a DPS, when to try
again, and what a refund does to an NFS-e already issued.

Amounts are integer centavos; rates are basis points (1.5% = 150)."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.money import apply_basis_points
from chalicelib.domain.service_invoices import TaxRegime, Withholdings

# Lines that are not the price of the service: late fees and interest (multa e juros) compensate the
# delay and are left out of the service's value.
NOT_SERVICE_KINDS = frozenset({"fee"})
# Federal withholdings are not made when the amount to retain is R$ 10,00 or less (IRRF: Lei
# 9.430/1996 art. 67; PIS/COFINS/CSLL together: Lei 10.833/2003 art. 31 §3, as Lei 13.137/2015 wrote it).
FEDERAL_MINIMUM_CENTS = 1000
# Backoff while the SEFIN is unreachable: 5 minutes, doubling, at most 6 hours apart.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
# A rejection (or billing data that cannot go on a DPS) waits for a person: tried again once a day, in
# case the data were fixed, for this long after the first failure.
REJECTED_RETRY = timedelta(days=1)
REJECTED_RETRY_FOR = timedelta(days=30)
# The layout's reasons (TSCodJustCanc): a refund within the withdrawal window is a service not
# provided; 1 (erro na emissão) and 9 (outros) are for a person to choose.
CANCEL_SERVICE_NOT_PROVIDED = "2"


class RefundEffect(StrEnum):
    NOTHING = "nothing"  # nothing declared yet, or nothing changes
    CANCEL = "cancel"  # the whole payment went back: the NFS-e is cancelled
    SUBSTITUTE = "substitute"  # part of it: a new NFS-e with the amount kept replaces it


@dataclass(frozen=True)
class LineFacts:
    amount_cents: int
    kind: str
    declared: bool  # the line's product issues NFS-e (a line without a product follows the invoice)


@dataclass(frozen=True)
class DeclaredAmounts:
    service_cents: int  # vServ
    discount_cents: int  # vDescIncond

    @property
    def net_cents(self) -> int:
        return self.service_cents - self.discount_cents


def declared_amounts(lines: list[LineFacts]) -> DeclaredAmounts:
    """vServ is the sum of the declared positive lines; coupons, credits and other negative lines
    are unconditional discounts, never more than the service itself. Late fees are left out."""
    service = sum(line.amount_cents for line in lines
                  if line.declared and line.amount_cents > 0 and line.kind not in NOT_SERVICE_KINDS)
    discount = -sum(line.amount_cents for line in lines if line.declared and line.amount_cents < 0)
    return DeclaredAmounts(service, min(discount, service))


@dataclass(frozen=True)
class WithholdingPolicy:
    """The vendor's settings: whether its company customers withhold, and at which rates."""
    enabled: bool = False
    iss_retained: bool = False
    irrf_bps: int = 150
    csll_bps: int = 100
    pis_bps: int = 65
    cofins_bps: int = 300


def withholdings_for(net_cents: int, taker_is_company: bool, regime: TaxRegime,
                     policy: WithholdingPolicy) -> Withholdings:
    """What a company customer retains from what it pays. A person retains nothing; a provider in the
    Simples Nacional (or MEI) suffers no federal withholding; each federal group under its minimum is
    not withheld."""
    if not policy.enabled or not taker_is_company:
        return Withholdings()
    iss = policy.iss_retained
    if regime is not TaxRegime.NOT_SIMPLES:
        return Withholdings(iss_retained=iss)
    irrf = apply_basis_points(net_cents, policy.irrf_bps)
    csll, pis, cofins = (apply_basis_points(net_cents, bps)
                         for bps in (policy.csll_bps, policy.pis_bps, policy.cofins_bps))
    if irrf <= FEDERAL_MINIMUM_CENTS:
        irrf = 0
    if csll + pis + cofins <= FEDERAL_MINIMUM_CENTS:
        csll = pis = cofins = 0
    return Withholdings(iss_retained=iss, irrf_cents=irrf, csll_cents=csll, pis_cents=pis, cofins_cents=cofins)


def next_attempt_after_outage(attempts: int, now: datetime) -> datetime:
    """When to try again after `attempts` tries that found the SEFIN unreachable (1, 2, ...)."""
    wait = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return now + min(wait, LONGEST_RETRY)


def next_attempt_after_rejection(first_failed_at: datetime, now: datetime) -> datetime | None:
    """Tomorrow, while the failure is younger than REJECTED_RETRY_FOR; then None (a person acts)."""
    when = now + REJECTED_RETRY
    return when if when - first_failed_at <= REJECTED_RETRY_FOR else None


def refund_effect(declared_net_cents: int, kept_cents: int) -> RefundEffect:
    """What a refund does to the NFS-e of an invoice that now keeps `kept_cents` of what was paid."""
    if kept_cents <= 0:
        return RefundEffect.CANCEL
    if kept_cents < declared_net_cents:
        return RefundEffect.SUBSTITUTE
    return RefundEffect.NOTHING


# --- the taker ---------------------------------------------------------------------------------
_STATES = frozenset("AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split())


def document_digits(document: str | None) -> str:
    return re.sub(r"[.\-/\s]", "", document or "")


def valid_document(digits: str) -> bool:
    from validate_docbr import CNPJ, CPF  # loaded by the first NFS-e, not at import

    if len(digits) == 11 and digits.isdigit():
        return CPF().validate(digits)
    if len(digits) == 14 and digits.isdigit():
        return CNPJ().validate(digits)
    return False


def taker_problems(billing: dict) -> list[str]:
    """Why the account's billing data cannot name the customer on a DPS (pt-BR), or []."""
    problems = []
    if len(" ".join((billing.get("legal_name") or "").split())) < 2:
        problems.append("a razão social ou o nome está em branco")
    if not valid_document(document_digits(billing.get("document"))):
        problems.append("o CPF ou CNPJ é inválido")
    address = billing.get("address") or {}
    for field, label in (("street", "a rua"), ("number", "o número"), ("district", "o bairro"),
                         ("city", "a cidade")):
        if not (address.get(field) or "").strip():
            problems.append(f"falta {label} no endereço")
    if (address.get("state") or "").strip().upper() not in _STATES:
        problems.append("a UF do endereço é inválida")
    if not re.fullmatch(r"\d{8}", re.sub(r"\D", "", address.get("cep") or "")):
        problems.append("o CEP é inválido")
    return problems


def describe_problems(problems: list[str]) -> str:
    """One pt-BR sentence for the invoice's `error` and the finance team's request."""
    return ("Dados de cobrança incompletos para a NFS-e: " + "; ".join(problems)
            + ". Corrija os dados de faturamento da conta; a emissão é tentada de novo automaticamente.")
