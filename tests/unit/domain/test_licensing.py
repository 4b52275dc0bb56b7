"""License keys (Crockford base32 with a check symbol), seats and keys, license file terms."""
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st

from chalicelib.domain.enums import Contract, LicenseStatus, SubscriptionStatus
from chalicelib.domain.licensing import (
    ALPHABET, BODY_BITS, InvalidKey, RateLimits, format_key, in_force, is_key, license_claims, license_terms,
    normalize_key, offline_until, seats_to_create, seats_to_retire,
)
from chalicelib.domain.overdue import OverduePolicy, entitlements_for
from tests.examples import examples

numbers = st.integers(min_value=0, max_value=(1 << BODY_BITS) - 1)


@settings(max_examples=examples(300))
@given(numbers)
def test_a_key_is_prefix_four_groups_and_a_check_symbol_and_reads_back(number):
    key = format_key(number)
    prefix, *groups, check = key.split("-")
    assert prefix == "RNV" and [len(g) for g in groups] == [4, 4, 4, 4] and len(check) == 1
    assert all(ch in ALPHABET for ch in "".join(groups))
    assert normalize_key(key) == key
    assert normalize_key(key.lower().replace("-", "")) == key  # typed without care


@settings(max_examples=examples(300))
@given(numbers, st.data())
def test_any_single_mistyped_symbol_is_caught(number, data):
    key = format_key(number)
    body_positions = [i for i, ch in enumerate(key) if i > 3 and ch != "-"][:-1]
    position = data.draw(st.sampled_from(body_positions))
    typo = data.draw(st.sampled_from([ch for ch in ALPHABET if ch != key[position]]))
    assert not is_key(key[:position] + typo + key[position + 1:])


@settings(max_examples=examples(300))
@given(numbers, st.data())
def test_any_swap_of_two_different_neighbours_is_caught(number, data):
    symbols = format_key(number).replace("-", "")[3:-1]
    pairs = [i for i in range(len(symbols) - 1) if symbols[i] != symbols[i + 1]]
    if not pairs:
        return
    i = data.draw(st.sampled_from(pairs))
    swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2:]
    assert not is_key("RNV" + swapped + format_key(number)[-1])


def test_crockford_reading_of_ambiguous_letters():
    key = format_key(1 << 5)  # a body of 0s and one 1
    assert normalize_key(key.replace("0", "O").replace("1", "l")) == key


@pytest.mark.parametrize("text", ["", "RNV", "ABC-0000-0000-0000-0000-0", "RNV-0000-0000-0000-000U-0",
                                  "RNV-0000-0000-0000-0000-00", "x" * 65, "RNV-ÄÄÄÄ-0000-0000-0000-0"])
def test_what_is_not_a_key(text):
    with pytest.raises(InvalidKey):
        normalize_key(text)


@given(st.lists(st.integers(min_value=1, max_value=40), unique=True), st.integers(min_value=0, max_value=40))
def test_live_keys_end_up_holding_seats_one_to_quantity(live, seats):
    kept = sorted(set(live) - set(seats_to_retire(live, seats)))
    assert sorted(kept + seats_to_create(kept, seats)) == list(range(1, seats + 1))
    assert all(not in_force(n, seats) for n in seats_to_retire(live, seats))


def test_seats_removed_retire_the_seats_added_last():
    assert seats_to_retire([1, 2, 3, 4], 2) == [4, 3]
    assert seats_to_create([1, 3], 4) == [2, 4]


POLICY = OverduePolicy(grace_business_days=3)


def test_offline_use_ends_after_the_grace_business_days_in_sao_paulo():
    # Paid through Friday 5 February 2027; Carnival Monday 8 and Tuesday 9: grace through the 12th.
    assert offline_until(date(2027, 2, 5), POLICY) == datetime(2027, 2, 13, 3, tzinfo=timezone.utc)


@pytest.mark.parametrize("status, lic, perpetual_lic", [
    (SubscriptionStatus.ACTIVE, "active", "active"),
    (SubscriptionStatus.PAST_DUE, "active", "active"),
    (SubscriptionStatus.SUSPENDED, "suspended", "active"),
    (SubscriptionStatus.CANCELLED, "none", "active"),
])
def test_the_seed_mandatory_loses_the_license_optional_keeps_it(status, lic, perpetual_lic):
    paid = date(2027, 2, 5)
    mandatory = license_terms(Contract.MANDATORY, entitlements_for(Contract.MANDATORY, status), paid, POLICY)
    optional = license_terms(Contract.OPTIONAL, entitlements_for(Contract.OPTIONAL, status), paid, POLICY)
    assert mandatory.license.value == lic and optional.license.value == perpetual_lic
    assert optional.expires_at is None and optional.updates_until == paid
    if status is not SubscriptionStatus.CANCELLED:
        assert mandatory.expires_at == offline_until(paid, POLICY)  # never extended by the status
    blocked = status in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CANCELLED)
    assert optional.updates is optional.support is (not blocked)


def test_claims_of_a_file_and_of_one_whose_license_is_gone():
    now = datetime(2027, 2, 1, 12, tzinfo=timezone.utc)
    terms = license_terms(Contract.MANDATORY, entitlements_for(Contract.MANDATORY, SubscriptionStatus.ACTIVE),
                          date(2027, 2, 5), POLICY)
    claims = license_claims(terms, key="RNV-K", account_id="acc", product_id="p", fingerprint="f",
                            issued_at=now, kid="k1")
    assert set(claims) == {"sub", "acc", "prd", "fpr", "lic", "sup", "upd", "upd_until", "exp", "iat", "kid"}
    assert claims["upd_until"] == "2027-02-05" and claims["exp"] == int(offline_until(date(2027, 2, 5), POLICY).timestamp())
    gone = license_terms(Contract.MANDATORY, entitlements_for(Contract.MANDATORY, SubscriptionStatus.ACTIVE),
                         date(2027, 2, 5), POLICY, retired=True)
    assert gone.license is LicenseStatus.NONE
    assert license_claims(gone, key="k", account_id="a", product_id="p", fingerprint="f", issued_at=now,
                          kid="k1")["exp"] == int(now.timestamp())


def test_rate_windows():
    limits = RateLimits(window_seconds=600)
    at = datetime(2027, 1, 1, 12, 5, tzinfo=timezone.utc)
    assert limits.window_end(limits.window(at)) - int(at.timestamp()) == 300
    with pytest.raises(ValueError):
        RateLimits(per_key=0)
