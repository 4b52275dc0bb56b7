"""Vocabulary shared by every layer: the closed sets of values the product rules speak of."""
from enum import StrEnum


class Periodicity(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return _MONTHS[self]


_MONTHS = {
    Periodicity.MONTHLY: 1,
    Periodicity.QUARTERLY: 3,
    Periodicity.SEMIANNUAL: 6,
    Periodicity.ANNUAL: 12,
}


class Contract(StrEnum):
    MANDATORY = "mandatory"
    OPTIONAL = "optional"
    FIXED_TERM = "fixed_term"


class Pricing(StrEnum):
    PER_SEAT = "per_seat"
    FLAT = "flat"
    PER_GB = "per_gb"


class ProductKind(StrEnum):
    SUBSCRIPTION = "subscription"
    BATCH = "batch"
    ADDON = "addon"


class Consolidation(StrEnum):
    CARRY = "carry"
    SEPARATE = "separate"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    FINANCE = "finance"
    MEMBER = "member"


class PaymentMethod(StrEnum):
    CARD = "card"
    BOLETO = "boleto"
    PIX = "pix"


class SubscriptionStatus(StrEnum):
    # Shown, never stored: an active subscription whose current period is still its trial
    # (domain.promotions.trial_unpaid).
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    PENDING_CANCELLATION = "pending_cancellation"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    VOID = "void"
    SUPERSEDED = "superseded"
    REFUNDED = "refunded"


class LicenseStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    NONE = "none"


class RenewalMode(StrEnum):
    ALL = "all"
    ACTIVE_ONLY = "active_only"


ALLOWED_DUE_DAYS = (8, 15, 22)


class CancellationKind(StrEnum):
    """How a cancellation ends a subscription (domain/cancellation.py decides which)."""
    WITHDRAWAL = "withdrawal"
    AT_PERIOD_END = "at_period_end"
    AFTER_NEXT_PERIOD = "after_next_period"
    EARLY_TERMINATION = "early_termination"
    TRIAL = "trial"  # during a trial: ended at once, nothing billed (services/subscriptions/trials.py)
