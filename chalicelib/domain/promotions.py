"""Trials and coupons (PRODUCT.md §15): pure rules, no I/O.

Trial: a product may offer `trial_days`. The trial is the subscription's first, unpaid period
[start, trial_end); the first paid period starts at `trial_end` and is billed as a renewal would be.

Coupon: percent or fixed amount off, for `once` (the first period it covers), `repeating` (the
periods that start within `duration_months` months of the first one it covers) or `forever`.
The discount is its own invoice line, never more than what it discounts: an invoice never goes
negative because of it.

Months are calendar months, clamped at month ends: a window opened on 31 January for 3 months ends
on 30 April (exclusive), so monthly periods starting 31/01, 28/02 and 31/03 are discounted and the one
starting 30/04 is not."""
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import round_half_up
from chalicelib.domain.periods import add_months

TRIAL_REMINDER_DAYS = 3  # the reminder e-mail goes this many days before the trial ends
MAX_TRIAL_DAYS = 90
MAX_DURATION_MONTHS = 36


class CouponDuration(StrEnum):
    ONCE = "once"
    REPEATING = "repeating"
    FOREVER = "forever"


class CouponRefusal(StrEnum):
    """Why a coupon cannot be redeemed: each has a stable code and its pt-BR message."""

    UNKNOWN = "coupon_invalid"
    INACTIVE = "coupon_inactive"
    EXPIRED = "coupon_expired"
    EXHAUSTED = "coupon_exhausted"
    NOT_APPLICABLE = "coupon_not_applicable"


REFUSAL_MESSAGES = {
    CouponRefusal.UNKNOWN: "Cupom inválido: não existe cupom com este código.",
    CouponRefusal.INACTIVE: "Cupom inválido: este cupom foi desativado e não aceita novos resgates.",
    CouponRefusal.EXPIRED: "Cupom expirado: o prazo para usar este cupom já terminou.",
    CouponRefusal.EXHAUSTED: "Cupom esgotado: todos os resgates deste cupom já foram usados.",
    CouponRefusal.NOT_APPLICABLE: "Este cupom não vale para este produto.",
}


@dataclass(frozen=True)
class CouponTerms:
    """What a coupon takes off and for how long (copied to the subscription when redeemed)."""

    duration: CouponDuration
    percent_off: int | None = None  # 1..100
    amount_off_cents: int | None = None  # per period it covers
    duration_months: int | None = None  # repeating only

    def __post_init__(self):
        if (self.percent_off is None) == (self.amount_off_cents is None):
            raise DomainError("Informe percent_off ou amount_off_cents (um dos dois).")
        if self.percent_off is not None and not 1 <= self.percent_off <= 100:
            raise DomainError("percent_off deve estar entre 1 e 100.")
        if self.amount_off_cents is not None and self.amount_off_cents <= 0:
            raise DomainError("amount_off_cents deve ser positivo.")
        repeating = CouponDuration(self.duration) is CouponDuration.REPEATING
        if repeating != (self.duration_months is not None):
            raise DomainError("duration_months vale só (e é obrigatório) para a duração repeating.")
        if repeating and not 1 <= self.duration_months <= MAX_DURATION_MONTHS:
            raise DomainError(f"duration_months deve estar entre 1 e {MAX_DURATION_MONTHS}.")

    def describe(self) -> str:
        """pt-BR, for the invoice line: "Cupom PROMO20 (20%)"."""
        if self.percent_off is not None:
            return f"{self.percent_off}%"
        reais, centavos = divmod(self.amount_off_cents, 100)
        return f"R$ {reais:,}".replace(",", ".") + f",{centavos:02d}"


def discount_cents(terms: CouponTerms, base_cents: int) -> int:
    """What the coupon takes off `base_cents` (a period's charges): half-up, never more than the base
    and never negative, so the discounted amount is always between 0 and the base."""
    if base_cents <= 0:
        return 0
    if terms.percent_off is not None:
        off = round_half_up(base_cents * terms.percent_off, 100)
    else:
        off = terms.amount_off_cents
    return max(0, min(off, base_cents))


@dataclass(frozen=True)
class DiscountWindow:
    """The periods a redeemed coupon covers: those starting in [starts, ends); `ends` None = forever."""

    starts: date
    ends: date | None

    def covers(self, period_start: date) -> bool:
        return self.starts <= period_start and (self.ends is None or period_start < self.ends)


def discount_window(terms: CouponTerms, first_period_start: date) -> DiscountWindow:
    """`first_period_start`: the start of the first period the coupon discounts (the first period at
    subscribing, the first paid period after a trial, the next renewal when applied later)."""
    duration = CouponDuration(terms.duration)
    if duration is CouponDuration.FOREVER:
        return DiscountWindow(first_period_start, None)
    if duration is CouponDuration.ONCE:
        return DiscountWindow(first_period_start, first_period_start + timedelta(days=1))
    return DiscountWindow(first_period_start, add_months(first_period_start, terms.duration_months))


def coupon_refusal(*, exists: bool, active: bool, redeem_by: date | None, today: date,
                   max_redemptions: int | None, redemptions: int, product_ids: list[str] | None,
                   product_id: str) -> CouponRefusal | None:
    """None when the coupon can be redeemed for `product_id` today. The redemption count is checked
    again by the database when the redemption is written (the last one cannot be taken twice)."""
    if not exists:
        return CouponRefusal.UNKNOWN
    if not active:
        return CouponRefusal.INACTIVE
    if redeem_by is not None and today > redeem_by:
        return CouponRefusal.EXPIRED
    if max_redemptions is not None and redemptions >= max_redemptions:
        return CouponRefusal.EXHAUSTED
    if product_ids and product_id not in product_ids:
        return CouponRefusal.NOT_APPLICABLE
    return None


def normalize_code(code: str) -> str:
    """Codes are case-insensitive: stored and looked up upper-case, surrounding spaces dropped."""
    return code.strip().upper()


# --- trials ---------------------------------------------------------------------------------------
def trial_end(start: date, trial_days: int) -> date:
    if not 1 <= trial_days <= MAX_TRIAL_DAYS:
        raise DomainError(f"trial_days deve estar entre 1 e {MAX_TRIAL_DAYS}.")
    return start + timedelta(days=trial_days)


def trial_unpaid(trial_ends: date | None, current_period_end: date) -> bool:
    """The subscription's current period is still its trial: the first paid period (from `trial_end`)
    has not been paid yet. Shown as status `trialing`."""
    return trial_ends is not None and current_period_end <= trial_ends


def in_trial(trial_ends: date | None, current_period_end: date, today: date) -> bool:
    """In trial today: before `trial_end`, and the first period not paid ahead yet (a first period paid
    before the trial's end is a purchase: cancelling it is a withdrawal, with its refund)."""
    return trial_unpaid(trial_ends, current_period_end) and today < trial_ends


def trial_reminder_date(trial_ends: date, days_before: int = TRIAL_REMINDER_DAYS) -> date:
    return trial_ends - timedelta(days=days_before)
