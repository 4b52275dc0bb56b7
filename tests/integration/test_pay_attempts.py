"""The invoice's "pay now" attempt claimed in the database before the gateway is called
(services/payments/pay_attempts.py): one holder at a time, a finished attempt gives the next request
a new number, and a hold that ran out (its request died) is taken over with the SAME number, so the
gateway's idempotency key repeats and the gateway answers with the charge already made. Runs on moto
and on DynamoDB Local (RENOVA_TEST_BACKEND=ddblocal)."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.services.payments.pay_attempts import (
    DECLINED, PAID, PAY_ATTEMPT_HOLD, PayAttempts, PaymentInProgress, attempt_to_claim,
)
from chalicelib.store.payments import PayAttemptItem

pytestmark = pytest.mark.ddblocal

ACCOUNT, INVOICE = "acc_attempts", "inv_attempts"


class Clock:
    def __init__(self):
        self.instant = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)

    def now(self):
        return self.instant


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def attempts(aws, clock):
    return PayAttempts(aws.payment_repository, clock)


def stored(aws) -> PayAttemptItem:
    return aws.payment_repository.pay_attempt(ACCOUNT, INVOICE)


def test_one_pay_now_attempt_at_a_time(aws, attempts):
    claim = attempts.claim(ACCOUNT, INVOICE)
    assert (claim.attempt, claim.idempotency_key) == (1, f"{INVOICE}:manual-1")

    with pytest.raises(PaymentInProgress) as refused:
        attempts.claim(ACCOUNT, INVOICE)
    assert (refused.value.status, refused.value.code) == (409, "payment_in_progress")
    assert "em andamento" in refused.value.message
    assert attempts.claim(ACCOUNT, "inv_another").attempt == 1  # each invoice has its own


def test_a_finished_attempt_lets_the_next_request_take_a_new_number(aws, attempts):
    declined = attempts.claim(ACCOUNT, INVOICE)
    attempts.finish(declined, DECLINED)
    assert (stored(aws).finished, stored(aws).outcome, stored(aws).held_by) == (True, "declined", None)

    retry = attempts.claim(ACCOUNT, INVOICE)
    assert (retry.attempt, retry.idempotency_key) == (2, f"{INVOICE}:manual-2")
    attempts.finish(retry, PAID)
    assert stored(aws).outcome == "paid"


def test_an_attempt_let_go_without_an_answer_is_claimed_again_with_the_same_key(aws, attempts):
    lost = attempts.claim(ACCOUNT, INVOICE)
    attempts.release(lost)  # the gateway did not answer: it may have charged

    again = attempts.claim(ACCOUNT, INVOICE)
    assert again.idempotency_key == lost.idempotency_key == f"{INVOICE}:manual-1"


def test_a_hold_of_a_request_that_died_runs_out_and_is_taken_over_with_the_same_key(aws, attempts, clock):
    dead = attempts.claim(ACCOUNT, INVOICE)  # claimed, then the request died before letting go
    clock.instant += PAY_ATTEMPT_HOLD - timedelta(seconds=1)
    with pytest.raises(PaymentInProgress):
        attempts.claim(ACCOUNT, INVOICE)

    clock.instant += timedelta(seconds=2)
    heir = attempts.claim(ACCOUNT, INVOICE)
    assert heir.idempotency_key == dead.idempotency_key and heir.holder != dead.holder

    attempts.finish(dead, PAID)  # the late first request cannot let go of what is no longer its own
    assert (stored(aws).held_by, stored(aws).finished) == (heir.holder, False)
    with pytest.raises(PaymentInProgress):
        attempts.claim(ACCOUNT, INVOICE)


def test_of_two_requests_that_read_the_same_attempt_only_one_claims_it(aws, attempts, clock):
    repository = aws.payment_repository
    first = attempts.claim(ACCOUNT, INVOICE)
    attempts.finish(first, DECLINED)
    read_by_a, read_by_b = repository.pay_attempt(ACCOUNT, INVOICE), repository.pay_attempt(ACCOUNT, INVOICE)
    for item, holder in ((read_by_a, "a"), (read_by_b, "b")):
        item.attempt, item.held_by, item.held_until, item.finished = 2, holder, clock.now() + PAY_ATTEMPT_HOLD, False

    assert repository.save_pay_attempt(read_by_a) is True
    assert repository.save_pay_attempt(read_by_b) is False  # version check: b must read again
    assert stored(aws).held_by == "a"


def test_the_number_to_claim_follows_the_stored_attempt(clock):
    now = clock.now()

    def item(**fields):
        return PayAttemptItem(account_id=ACCOUNT, invoice_id=INVOICE, **fields)

    assert attempt_to_claim(None, now) == 1
    assert attempt_to_claim(item(attempt=3, held_by="x", held_until=now + timedelta(seconds=1)), now) is None
    assert attempt_to_claim(item(attempt=3, held_by="x", held_until=now), now) == 3  # ran out
    assert attempt_to_claim(item(attempt=3, finished=True), now) == 4
    assert attempt_to_claim(item(attempt=3, finished=False), now) == 3
