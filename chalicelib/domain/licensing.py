"""Software licenses of desktop products: license keys, what a license file says, and the windows
the activation routes are rate-limited in. Pure rules: no clock, no randomness source of its own.

Keys are Crockford base32 (digits and letters without I, L, O, U), so a person can read one aloud or
type it back: `RNV-` then four groups of four symbols and one check symbol, e.g.
`RNV-7K3Q-9XW2-M4TD-F0QA-Z`. The check symbol is the value of the 16 symbols modulo 37 in Crockford's
check alphabet (the 32 symbols plus `*~$=U`), so any single mistyped symbol and any swap of two
neighbours is caught before a key reaches the store. Reading is forgiving the way Crockford asks:
lower case, `I`/`L` for 1 and `O` for 0, and no hyphens are all accepted.

License file claims follow the seed's rules (domain/overdue.py entitlements): a mandatory contract's
file ends (`exp`) at the paid period's end plus the overdue policy's grace; an optional contract's
perpetual license has no end, and its updates stop at the last paid period's end (`upd_until`)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from chalicelib.domain.bank_calendar import add_business_days
from chalicelib.domain.enums import Contract, LicenseStatus
from chalicelib.domain.overdue import Entitlements, OverduePolicy

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
PREFIX = "RNV"
GROUPS, GROUP_SIZE = 4, 4
BODY_SYMBOLS = GROUPS * GROUP_SIZE
BODY_BITS = BODY_SYMBOLS * 5  # 80 random bits
_READ_AS = {"I": "1", "L": "1", "O": "0"}
_VALUES = {symbol: value for value, symbol in enumerate(CHECK_ALPHABET)}


class InvalidKey(ValueError):
    """Not a license key: wrong shape, unknown symbol or wrong check symbol."""


def check_symbol(body: str) -> str:
    value = 0
    for symbol in body:
        value = value * 32 + _VALUES[symbol]
    return CHECK_ALPHABET[value % 37]


def format_key(number: int) -> str:
    """The key of an 80-bit number (the caller draws it from a secure random source)."""
    if not 0 <= number < 1 << BODY_BITS:
        raise ValueError("a key body is an 80-bit number")
    body = "".join(ALPHABET[(number >> (5 * (BODY_SYMBOLS - 1 - i))) & 31] for i in range(BODY_SYMBOLS))
    groups = [body[i:i + GROUP_SIZE] for i in range(0, BODY_SYMBOLS, GROUP_SIZE)]
    return "-".join([PREFIX, *groups, check_symbol(body)])


def normalize_key(text: str) -> str:
    """The canonical form of a key as a person may type it; InvalidKey when it is not one."""
    if not isinstance(text, str) or len(text) > 64:
        raise InvalidKey("not a key")
    compact = "".join(ch for ch in text.upper() if ch not in "- ")
    if not compact.startswith(PREFIX):
        raise InvalidKey("not a key")
    symbols = "".join(_READ_AS.get(ch, ch) for ch in compact[len(PREFIX):])
    if len(symbols) != BODY_SYMBOLS + 1:
        raise InvalidKey("not a key")
    body, check = symbols[:-1], symbols[-1]
    if any(ch not in ALPHABET for ch in body) or check not in CHECK_ALPHABET:
        raise InvalidKey("not a key")
    if check_symbol(body) != check:
        raise InvalidKey("wrong check symbol")
    groups = [body[i:i + GROUP_SIZE] for i in range(0, BODY_SYMBOLS, GROUP_SIZE)]
    return "-".join([PREFIX, *groups, check])


def is_key(text: str) -> bool:
    try:
        normalize_key(text)
    except InvalidKey:
        return False
    return True


# --- seats and keys -------------------------------------------------------------------------------
# The live keys of a subscription hold the seat numbers 1..quantity, one each. Seats bought get the
# numbers missing; seats removed retire the keys of the highest numbers (the seats added last), so a
# key whose number is over the quantity is already out of force, even before it is marked retired.

def seats_to_create(live_seats: list[int], seats: int) -> list[int]:
    taken = set(live_seats)
    return [number for number in range(1, max(seats, 0) + 1) if number not in taken]


def seats_to_retire(live_seats: list[int], seats: int) -> list[int]:
    return sorted((number for number in live_seats if number > seats), reverse=True)


def in_force(seat: int, seats: int) -> bool:
    return 1 <= seat <= seats


# --- license files --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LicenseTerms:
    """What one key's license file says, before it is signed."""
    license: LicenseStatus
    support: bool
    updates: bool
    updates_until: date | None
    expires_at: datetime | None  # None: perpetual (an optional contract's license)


SAO_PAULO = timezone(timedelta(hours=-3))  # Brazil has kept UTC-3 all year since 2019


def offline_until(paid_through: date, policy: OverduePolicy) -> datetime:
    """The end of offline use of a paid period: the end of its last grace day, in São Paulo."""
    last_day = add_business_days(paid_through, policy.grace_business_days)
    return datetime.combine(last_day + timedelta(days=1), time(0), SAO_PAULO).astimezone(timezone.utc)


def license_terms(contract: Contract, grants: Entitlements, paid_through: date | None,
                  policy: OverduePolicy, retired: bool = False) -> LicenseTerms:
    """mandatory (and fixed_term): usable offline until the paid period's end plus the grace, never
    later, whatever the status; optional: the license is perpetual, updates are covered up to the
    last paid period's end. A retired key (its seat removed) holds nothing."""
    if retired or grants.license is LicenseStatus.NONE:
        return LicenseTerms(LicenseStatus.NONE, False, False, paid_through, _epoch_if(paid_through, policy))
    if Contract(contract) is Contract.OPTIONAL:
        return LicenseTerms(LicenseStatus.ACTIVE, grants.support, grants.updates, paid_through, None)
    return LicenseTerms(grants.license, grants.support, grants.updates, paid_through,
                        _epoch_if(paid_through, policy))


def _epoch_if(paid_through: date | None, policy: OverduePolicy) -> datetime:
    if paid_through is None:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)
    return offline_until(paid_through, policy)


def license_claims(terms: LicenseTerms, *, key: str, account_id: str, product_id: str, fingerprint: str,
                   issued_at: datetime, kid: str) -> dict:
    """The JWT claims of a license file. `exp` is never extended past what was paid for: a suspended
    license's file may be born expired. One whose license is gone says so with `lic: none` and
    expires at once."""
    iat = int(issued_at.timestamp())
    claims = {
        "sub": key, "acc": account_id, "prd": product_id, "fpr": fingerprint,
        "lic": terms.license.value, "sup": terms.support, "upd": terms.updates,
        "upd_until": terms.updates_until.isoformat() if terms.updates_until else None,
        "iat": iat, "kid": kid,
    }
    if terms.expires_at is not None:
        claims["exp"] = int(terms.expires_at.timestamp()) if terms.license is not LicenseStatus.NONE else iat
    return claims


# --- rate limits ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RateLimits:
    """Calls of the program's routes per fixed window: per key (every call), per source address
    (every call, and failed ones — an unknown key — far fewer, which is what stops guessing)."""
    window_seconds: int = 600
    per_key: int = 30
    per_source: int = 120
    failures_per_source: int = 10

    def __post_init__(self) -> None:
        if min(self.window_seconds, self.per_key, self.per_source, self.failures_per_source) < 1:
            raise ValueError("rate limits must be positive")

    def window(self, now: datetime) -> int:
        return int(now.timestamp()) // self.window_seconds

    def window_end(self, window: int) -> int:
        return (window + 1) * self.window_seconds
