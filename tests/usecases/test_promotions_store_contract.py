"""The coupon and trial repositories the use cases assume, checked on the fakes (tests/fakes) and on
the real repositories under moto alike: codes unique, the redemption counter's condition, the trial
reminder's list and its claim, a delivered notice dropped once."""
from datetime import date, datetime, timezone

import pytest

from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.base import account_pk
from chalicelib.store.coupons import new_coupon, redeem
from chalicelib.store.notices import new_notice
from chalicelib.store.subscriptions import TrialItem, trial_reminder_due, trial_sk
from tests.fakes.world import World, offline

NOW = datetime(2026, 4, 20, 13, 0, tzinfo=timezone.utc)
DAY = date(2026, 5, 1)
EXHAUSTED = ValidationFailed("Cupom esgotado.", code="coupon_exhausted")


@pytest.fixture(params=["fake", "moto"])
def services(request):
    if request.param == "moto":
        yield request.getfixturevalue("aws")
    else:
        with offline():
            yield World()


def _audit(services, action="coupon.created"):
    return audit_entry(services.clock, "vendor", actor="fin-1", action=action, target="X")


def _coupon(code="PROMO", **fields):
    return new_coupon(code, **({"duration": "once", "percent_off": 10, "redemptions": 0, "active": True,
                                "created_at": NOW} | fields))


def test_a_code_is_created_once(services):
    repository = services.coupon_repository
    repository.create(_coupon(), _audit(services))
    with pytest.raises(Conflict) as taken:
        repository.create(_coupon(percent_off=50), _audit(services))
    assert taken.value.code == "coupon_code_taken"
    assert [(c.code, c.percent_off) for c in repository.all()] == [("PROMO", 10)]


def test_the_redemption_counter_stops_at_its_limit_and_when_inactive(services):
    repository = services.coupon_repository
    repository.create(_coupon(max_redemptions=1), _audit(services))
    read = repository.get("PROMO")
    writes = services.billing_repository.writes()
    redeem(writes, read, EXHAUSTED)
    writes.commit()
    assert repository.get("PROMO").redemptions == 1
    again = services.billing_repository.writes()
    redeem(again, read, EXHAUSTED)  # the read still says 0 of 1
    with pytest.raises(ValidationFailed) as refused:
        again.commit()
    assert refused.value.code == "coupon_exhausted" and repository.get("PROMO").redemptions == 1
    repository.create(_coupon("SEMLIMITE"), _audit(services))
    unlimited = repository.get("SEMLIMITE")
    repository.deactivate(unlimited, _audit(services, "coupon.deactivated"))
    closed = services.billing_repository.writes()
    redeem(closed, repository.get("SEMLIMITE"), EXHAUSTED)
    with pytest.raises(ValidationFailed):
        closed.commit()


def test_a_trial_reminder_is_listed_on_its_day_and_claimed_once(services):
    account_id = "acc-1"
    trial = TrialItem(pk=account_pk(account_id), sk=trial_sk("operand-start"), account_id=account_id,
                      product_id="operand-start", subscription_id="sub-1", trial_end=date(2026, 5, 4),
                      created_at=NOW, **trial_reminder_due(account_id, "operand-start", DAY))
    writes = services.billing_repository.writes()
    writes.create(trial)
    writes.commit()
    repository = services.trial_repository
    [listed] = repository.due_on(DAY)
    assert listed.subscription_id == "sub-1" and repository.due_on(date(2026, 5, 2)) == []
    assert repository.claim_reminder(listed, DAY, _audit(services, "subscription.trial_reminded")) is True
    assert repository.claim_reminder(listed, DAY, _audit(services, "subscription.trial_reminded")) is False
    assert repository.due_on(DAY) == []
    twice = services.billing_repository.writes()
    twice.create(trial, conflict=Conflict("Já usou.", code="trial_already_used"))
    with pytest.raises(Conflict) as used:
        twice.commit()
    assert used.value.code == "trial_already_used"


def test_a_delivered_notice_is_dropped_and_dropping_it_again_is_fine(services):
    notice = new_notice("acc-1", "ntc-1", "events", {"events": []}, DAY, NOW)
    writes = services.billing_repository.writes()
    writes.create(notice)
    writes.commit()
    services.billing_repository.drop_notice(notice)
    services.billing_repository.drop_notice(notice)
    assert not [i for i in services.billing_repository.snapshot("acc-1").others if i.sk == notice.sk]
