"""The "pay now" attempt of an invoice (docs/payments.md "Paying now"): a request claims the
invoice's attempt in the database before it calls the gateway, so however many requests arrive at
once (a double click, a retrying client, 20 tabs), one charges the card and the others are told a
payment is under way.

- No attempt yet: the claim takes number 1.
- Held by another request whose hold has not run out: 409 `payment_in_progress`.
- Finished (the gateway answered: paid or declined): the claim takes the next number — a declined
  card may be tried again, with a new charge at the gateway.
- Let go without an answer (the gateway did not answer, or the request failed), or held by a request
  whose hold ran out (it died): the claim takes the SAME number. The gateway's idempotency key is made
  of the invoice and the number, so if the lost request did charge the card, the gateway answers with
  that same charge instead of making a second one, and settlement records it once.

Every write is version-checked: of two requests that read the same state, only one claims it."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.errors import Conflict
from chalicelib.services.shared.ids import sortable_id
from chalicelib.store.base import account_pk
from chalicelib.store.payments import PayAttemptItem, pay_attempt_sk

# Longer than any API request runs (the API's Lambda timeout is 30 s): a hold older than this
# belongs to a request that died, and the next request takes its attempt over.
PAY_ATTEMPT_HOLD = timedelta(minutes=2)
# Reads and conditional writes before giving up: each failed write means someone else claimed or
# let go meanwhile, and the next read tells which.
_CLAIM_TRIES = 4

PAID, DECLINED = "paid", "declined"


class PaymentInProgress(Conflict):
    code = "payment_in_progress"
    message = ("Já existe um pagamento desta fatura em andamento. Aguarde alguns instantes e confira a "
               "fatura antes de tentar de novo.")


@dataclass(frozen=True)
class Claim:
    account_id: str
    invoice_id: str
    attempt: int
    holder: str

    @property
    def idempotency_key(self) -> str:
        """The gateway's idempotency key: the same attempt always gets the same charge back. Kept apart
        from the charge-cards job's keys (`<invoice>:attempt-<n>`), which count their own attempts."""
        return f"{self.invoice_id}:manual-{self.attempt}"


def attempt_to_claim(current: PayAttemptItem | None, now: datetime) -> int | None:
    """The attempt number a request may claim now, or None while another request holds one."""
    if current is None:
        return 1
    if current.held_by and current.held_until and current.held_until > now:
        return None
    return current.attempt + 1 if current.finished else current.attempt


class PayAttempts:
    def __init__(self, payments, clock, hold: timedelta = PAY_ATTEMPT_HOLD):
        self._payments = payments
        self._clock = clock
        self._hold = hold

    def claim(self, account_id: str, invoice_id: str) -> Claim:
        """Hold the invoice's attempt for this request, or raise PaymentInProgress."""
        for _ in range(_CLAIM_TRIES):
            now = self._clock.now()
            current = self._payments.pay_attempt(account_id, invoice_id)
            number = attempt_to_claim(current, now)
            if number is None:
                raise _in_progress(current)
            holder = sortable_id("hold", now)
            item = current or PayAttemptItem(pk=account_pk(account_id), sk=pay_attempt_sk(invoice_id),
                                             account_id=account_id, invoice_id=invoice_id, created_at=now)
            item.attempt, item.held_by, item.held_until = number, holder, now + self._hold
            item.finished, item.outcome, item.updated_at = False, None, now
            if self._payments.save_pay_attempt(item):
                return Claim(account_id, invoice_id, number, holder)
        raise _in_progress(self._payments.pay_attempt(account_id, invoice_id))

    def finish(self, claim: Claim, outcome: str) -> None:
        """The gateway answered (`paid` or `declined`): the next claim takes a new number."""
        self._let_go(claim, finished=True, outcome=outcome)

    def release(self, claim: Claim) -> None:
        """No answer from the gateway, or none asked for: the next claim takes the same number."""
        self._let_go(claim, finished=False, outcome=None)

    def _let_go(self, claim: Claim, finished: bool, outcome: str | None) -> None:
        current = self._payments.pay_attempt(claim.account_id, claim.invoice_id)
        if current is None or current.held_by != claim.holder:
            return  # our hold ran out and another request took the attempt over: it is theirs now
        current.held_by, current.held_until = None, None
        current.finished, current.outcome, current.updated_at = finished, outcome, self._clock.now()
        # A failed version check means it was taken over between the read and this write: theirs.
        self._payments.save_pay_attempt(current)


def _in_progress(current: PayAttemptItem | None) -> PaymentInProgress:
    return PaymentInProgress(details={"attempt": current.attempt} if current is not None else {})
