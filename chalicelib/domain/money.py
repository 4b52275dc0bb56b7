"""Money is integer centavos. Division happens only here, rounded half-up, once per invoice line."""
from dataclasses import dataclass

from chalicelib.domain.errors import DomainError

BASIS_POINTS = 10_000  # 100% expressed in basis points: 2% = 200 bps


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, ties away from zero (half-up)."""
    if denominator <= 0:
        raise DomainError("O divisor deve ser positivo.")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def prorate(amount_cents: int, part: int, whole: int) -> int:
    """amount × part ÷ whole, computed exactly and rounded once."""
    return round_half_up(amount_cents * part, whole)


def apply_basis_points(amount_cents: int, bps: int) -> int:
    """A percentage of an amount: apply_basis_points(10000, 200) == 200 (2% of R$ 100,00)."""
    return round_half_up(amount_cents * bps, BASIS_POINTS)


def format_brl(cents: int) -> str:
    """Format for people: 123456 -> 'R$ 1.234,56'; -5 -> '-R$ 0,05'."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError("cents must be an int")
    reais, centavos = divmod(abs(cents), 100)
    grouped = f"{reais:,}".replace(",", ".")
    sign = "-" if cents < 0 else ""
    return f"{sign}R$ {grouped},{centavos:02d}"


@dataclass(frozen=True)
class CreditApplication:
    applied_cents: int
    remaining_credit_cents: int
    amount_due_cents: int


def apply_account_credit(invoice_total_cents: int,
                         available_credit_cents: int) -> CreditApplication:
    """Account credit pays an invoice first; what it does not cover is still due."""
    if invoice_total_cents < 0 or available_credit_cents < 0:
        raise DomainError("Valores de fatura e crédito não podem ser negativos.")
    applied = min(invoice_total_cents, available_credit_cents)
    return CreditApplication(
        applied_cents=applied,
        remaining_credit_cents=available_credit_cents - applied,
        amount_due_cents=invoice_total_cents - applied,
    )
