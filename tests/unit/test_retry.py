"""The optimistic-concurrency retry: only ConcurrentUpdate re-runs the use case, a fixed number of times."""
import pytest

from chalicelib.errors import AppError, ConcurrentUpdate, Conflict
from chalicelib.services.shared.retry import ATTEMPTS, retrying


class Script:
    """An attempt that raises the scripted errors in turn, then returns its number."""

    def __init__(self, *errors: BaseException):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.calls


def test_the_first_success_is_returned_without_another_run():
    attempt = Script()
    assert retrying(attempt) == 1
    assert attempt.calls == 1


def test_a_concurrent_update_runs_the_attempt_again_until_it_succeeds():
    attempt = Script(ConcurrentUpdate(), ConcurrentUpdate())
    assert retrying(attempt) == 3
    assert attempt.calls == 3


@pytest.mark.parametrize("error", [
    Conflict("A fatura já está paga.", code="invoice_already_paid"),
    Conflict("Entrega já registrada.", code="duplicate_receipt"),
    # What the store answers when DynamoDB stays busy: it resent the transaction itself already.
    Conflict("Outra operação alterava os mesmos dados ao mesmo tempo; tente novamente.", code="transaction_conflict"),
    AppError("Requisição inválida."),
    ValueError("bug"),
], ids=["business-conflict", "duplicate", "transaction-conflict", "app-error", "other"])
def test_any_other_error_goes_straight_through_without_a_retry(error):
    attempt = Script(error)
    with pytest.raises(type(error)) as raised:
        retrying(attempt)
    assert raised.value is error
    assert attempt.calls == 1


def test_a_business_conflict_after_a_concurrent_update_is_not_retried():
    business = Conflict("A assinatura está cancelada.", code="subscription_cancelled")
    attempt = Script(ConcurrentUpdate(), business, ConcurrentUpdate())
    with pytest.raises(Conflict) as raised:
        retrying(attempt)
    assert raised.value is business
    assert attempt.calls == 2


def test_it_gives_up_after_the_attempts_and_re_raises_the_last_concurrent_update():
    errors = [ConcurrentUpdate(f"vez {n}") for n in range(1, ATTEMPTS + 2)]
    attempt = Script(*errors)
    with pytest.raises(ConcurrentUpdate) as raised:
        retrying(attempt)
    assert attempt.calls == ATTEMPTS
    assert raised.value is errors[ATTEMPTS - 1]


@pytest.mark.parametrize("attempts", [1, 2, 5])
def test_the_number_of_attempts_can_be_given(attempts):
    attempt = Script(*[ConcurrentUpdate() for _ in range(attempts)])
    with pytest.raises(ConcurrentUpdate):
        retrying(attempt, attempts=attempts)
    assert attempt.calls == attempts


def test_a_success_on_the_last_attempt_is_returned():
    attempt = Script(*[ConcurrentUpdate() for _ in range(ATTEMPTS - 1)])
    assert retrying(attempt) == ATTEMPTS


def test_on_retry_is_told_each_failed_attempt_but_not_the_last():
    first, second = ConcurrentUpdate("um"), ConcurrentUpdate("dois")
    told = []
    assert retrying(Script(first, second), on_retry=lambda number, error: told.append((number, error))) == 3
    assert told == [(1, first), (2, second)]

    told.clear()
    with pytest.raises(ConcurrentUpdate):
        retrying(Script(*[ConcurrentUpdate() for _ in range(3)]), attempts=3,
                 on_retry=lambda number, error: told.append(number))
    assert told == [1, 2]


def test_at_least_one_attempt():
    with pytest.raises(ValueError):
        retrying(Script(), attempts=0)


def test_a_concurrent_update_that_escapes_answers_the_same_409_as_before():
    error = ConcurrentUpdate()
    assert isinstance(error, Conflict)
    assert (error.status, error.code) == (409, "concurrent_update")
    assert error.message == "O registro foi alterado por outra operação ao mesmo tempo; confira e tente novamente."
    custom = ConcurrentUpdate("A solicitação foi alterada por outra operação; tente novamente.")
    assert (custom.status, custom.code) == (409, "concurrent_update")
