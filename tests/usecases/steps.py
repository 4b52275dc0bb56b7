"""Arranging a use-case test on the fakes: subscribe, pay, by calling the services themselves."""
from datetime import datetime

from chalicelib.domain.enums import Periodicity
from chalicelib.services.payments.incoming_payments import IncomingPayment
from chalicelib.services.subscriptions.subscribing import SubscribeRequest

PROMOB = "promob-cats-mandatory"
OWNER = "u-owner"


def subscribe(world, account_id: str, product_id: str = PROMOB, periodicity: str = "monthly", quantity: int = 1,
              method: str = "boleto", storage_gb: int = 0):
    return world.subscriptions.subscribe(account_id, SubscribeRequest(
        product_id, Periodicity(periodicity), quantity=quantity, storage_gb=storage_gb, payment_method=method),
        actor=OWNER)


def incoming(world, invoice_id: str, amount_cents: int, key: str = "evt-1", account_id: str | None = None,
             method: str = "pix", paid_at: datetime | None = None) -> IncomingPayment:
    return IncomingPayment(receipt_key=key, amount_cents=amount_cents, method=method, source="gateway",
                           paid_at=paid_at or world.clock.now(), invoice_id=invoice_id, account_id=account_id,
                           gateway="asaas", gateway_payment_id=f"pay-{key}")


def pay(world, account_id: str, invoice_id: str, key: str | None = None, amount_cents: int | None = None):
    invoice = world.invoice_reads.get(account_id, invoice_id)
    amount = invoice.total_cents - (invoice.paid_cents or 0) if amount_cents is None else amount_cents
    return world.settlement.settle(incoming(world, invoice_id, amount, key or f"evt-{invoice_id}"))
