"""Steps the payment tests share: an account with a boleto or card invoice, signed gateway
deliveries, invoices seeded with a boleto's nosso número, reading what settlement wrote."""
import json
from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.gateways.fake import stripe_payment_succeeded, stripe_signature_header
from chalicelib.domain.nosso_numero import nosso_numero_key
from chalicelib.services.invoicing.orders import BilledPeriod, Line, invoice_items, with_account_credit
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import InvoiceItem, invoice_sk, nosso_numero_item
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.steps.billing_steps import VALID_CARD, at
from tests.support import VALID_BILLING_DATA

STRIPE_SECRET = "whsec_local"  # the local stage's default STRIPE_WEBHOOK_SECRET
ASAAS_TOKEN = "local-asaas-token"


@dataclass
class Customer:
    account_id: str
    token: str
    subscription_id: str
    invoice_id: str

    @property
    def path(self) -> str:
        return f"/v1/accounts/{self.account_id}"


def customer(client, user: str = "owner", *, method: str = "boleto", product: str = "operand-pro",
             quantity: int = 2, day: str | None = None) -> Customer:
    """An account with billing data and one subscription whose first invoice is open."""
    if day:
        at(client, day)
    account_id, token = client.create_account(user, f"Conta de {user}")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, VALID_BILLING_DATA).status_code == 200
    if method == "card":
        assert client.call("PUT", f"/v1/accounts/{account_id}/card", token, VALID_CARD).status_code == 200
    body = {"product_id": product, "periodicity": "monthly", "quantity": quantity, "payment_method": method}
    if product != "operand-pro" and product != "promob-cats-mandatory":
        body.pop("quantity")
    response = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, body)
    assert response.status_code == 201, response.data
    return Customer(account_id, token, response.data["id"], response.data["invoice_id"])


def dev_pay(client, invoice_id: str, method: str, amount_cents: int | None = None):
    body = {"invoice_id": invoice_id, "method": method}
    if amount_cents is not None:
        body["amount_cents"] = amount_cents
    return client.call("POST", "/v1/_dev/gateway/pay", None, body)


def stripe_event(invoice_id: str, account_id: str, amount_cents: int, **ids) -> bytes:
    return stripe_payment_succeeded(invoice_id, account_id, amount_cents, **ids)


def stripe_payload(event_type: str, obj: dict, event_id: str) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "created": 1_700_000_000,
                       "data": {"object": obj}}).encode()


def deliver_stripe(client, raw: bytes, *, timestamp: int | None = None, secret: str = STRIPE_SECRET,
                   signature: str | None = None):
    header = signature if signature is not None else stripe_signature_header(raw, secret, timestamp)
    return client.call("POST", "/v1/webhooks/stripe", raw=raw,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def deliver_asaas(client, payload: dict | bytes, token: str | None = ASAAS_TOKEN):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["asaas-access-token"] = token
    return client.call("POST", "/v1/webhooks/asaas", raw=raw, headers=headers)


def asaas_payload(event: str, payment_id: str, invoice_id: str, value: str, event_id: str,
                  billing_type: str = "BOLETO") -> dict:
    return {"id": event_id, "event": event, "dateCreated": "2026-12-01 10:00:00",
            "payment": {"id": payment_id, "object": "payment", "value": float(value) if "." in value else int(value),
                        "billingType": billing_type, "status": "RECEIVED", "externalReference": invoice_id}}


def invoice(account_id: str, invoice_id: str) -> InvoiceItem:
    return InvoiceItem.get(account_pk(account_id), invoice_sk(invoice_id), consistent_read=True)


def subscription(account_id: str, subscription_id: str) -> SubscriptionItem:
    return SubscriptionItem.get(account_pk(account_id), subscription_sk(subscription_id), consistent_read=True)


def payments(client, c: Customer) -> list[dict]:
    response = client.call("GET", f"{c.path}/payments?limit=100", c.token)
    assert response.status_code == 200, response.data
    return response.data["items"]


def outbox(client) -> list[dict]:
    return client.call("GET", "/v1/_dev/outbox?limit=100").data["items"]


def subjects(client, to: str | None = None) -> list[str]:
    return [m["subject"] for m in outbox(client) if to is None or to in m["to"]]


def credit(client, c: Customer) -> int:
    return client.call("GET", c.path, c.token).data["credit_cents"]


def write_invoice(aws, account_id: str, lines: list[Line], *, method: str = "boleto", now: datetime,
                  billed: list[BilledPeriod] = (), origin: str = "renewal") -> InvoiceItem:
    """An open invoice written as invoicing writes one (with its live summary and markers)."""
    order = with_account_credit(lines, 0)
    number = aws.billing_repository.snapshot(account_id, consistent=True).next_invoice_number(now.date())
    item, related = invoice_items(account_id, order, origin=origin, payment_method=method, now=now,
                                  billed=list(billed), number=number)
    writes = aws.billing_repository.writes()
    writes.create(item)
    for extra in related:
        writes.create(extra)
    writes.commit()
    return item


def with_boleto(aws, invoice: InvoiceItem, bank: str, printed_nosso_numero: str, now: datetime) -> str:
    """Give the invoice a boleto: the nosso número lookup that bank files and settlement read."""
    key = nosso_numero_key(bank, printed_nosso_numero)
    nosso_numero_item(invoice.account_id, invoice.invoice_id, bank, printed_nosso_numero, key, now).save()
    return key


def itau_return(payments: list[tuple[str, int]], occurred_on: str, reference: bytes) -> bytes:
    """A CNAB 400 Itaú return paying each (8-digit nosso número, amount) on `occurred_on` (DDMMYY),
    written over the first detail record of the reference file (positions of the bank's layout)."""
    lines = reference.replace(b"\r\n", b"\n").split(b"\n")
    header, detail, trailer = lines[0].ljust(400), lines[1].ljust(400), next(l for l in lines if l.startswith(b"9"))
    fee = 210
    records = [header[:394] + b"000001"]
    for index, (nosso_numero, amount) in enumerate(payments, start=2):
        record = bytearray(detail)
        record[62:70] = nosso_numero.encode()  # nosso número (63-70)
        record[108:110] = b"06"  # liquidação
        record[110:116] = occurred_on.encode()
        record[152:165] = f"{amount:013d}".encode()  # valor do título
        record[175:188] = f"{fee:013d}".encode()  # tarifa
        record[253:266] = f"{amount - fee:013d}".encode()  # principal credited: paid minus the tariff
        record[394:400] = f"{index:06d}".encode()
        records.append(bytes(record))
    end = bytearray(trailer.ljust(400))
    end[212:220] = f"{len(payments):08d}".encode()
    end[394:400] = f"{len(payments) + 2:06d}".encode()
    records.append(bytes(end))
    return b"\r\n".join(records) + b"\r\n"
