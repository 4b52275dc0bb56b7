"""Choosing Pix Automático where a payment method is chosen: at subscribe, and as a subscription's
payment-method change. Both start the authorisation (PixAutomaticoService.authorise) for the customer
to approve in their bank app; the renewals move to Pix Automático only once the bank approves.

At subscribe, the subscription is made first, its first invoice payable by boleto (and the boleto's
Pix) as any other; the authorisation then carries that invoice in journey 3's composed QR, so one scan
pays it and authorises the renewals. Billing data are checked before anything is written (the
recurrence names the payer). If the PSP does not answer, the subscription stands, paid by boleto, and
the authorisation can be asked again from Meu Plano: the answer says so (`pix_automatico_pending`)."""
import logging
from dataclasses import dataclass

from chalicelib.errors import ServiceUnavailable
from chalicelib.observability.logging import get_logger, log_event

PIX_AUTOMATICO = "pix_automatico"
FIRST_INVOICE_METHOD = "boleto"
_log = get_logger("pix_enrolment")


@dataclass(frozen=True)
class Enrolled:
    subscribed: object  # subscribing.Subscribed
    authorisation: object | None  # PixRecurrenceItem, None when the PSP did not answer


class PixEnrolment:
    def __init__(self, subscriptions, pix_automatico):
        """`subscriptions`: SubscriptionService; `pix_automatico`: PixAutomaticoService."""
        self._subscriptions = subscriptions
        self._pix = pix_automatico

    def subscribe(self, account_id: str, request, actor: str) -> Enrolled:
        """`request`: a SubscribeRequest whose payment_method is pix_automatico."""
        from dataclasses import replace

        self._pix.require_billing_data(account_id)
        done = self._subscriptions.subscribe(account_id, replace(request, payment_method=FIRST_INVOICE_METHOD),
                                             actor)
        try:
            item = self._pix.authorise(account_id, done.subscription.subscription_id, actor)
        except ServiceUnavailable:
            log_event(_log, "subscribed without pix automatico authorisation", level=logging.WARNING,
                      account_id=account_id, subscription_id=done.subscription.subscription_id)
            item = None
        return Enrolled(done, item)

    def choose(self, account_id: str, subscription_id: str, actor: str):
        """The payment-method change to Pix Automático: the authorisation, for the bank to approve."""
        return self._pix.authorise(account_id, subscription_id, actor)
