"""Telling people and systems that an invoice was issued: the e-mail to the billing list and the
owner (PRODUCT.md §4: with the boleto's linha digitável, its Pix code and the link to the invoice)
and the `invoice.issued` domain event.

The e-mail links to the invoice in the portal, where the PDF is a fresh 15-minute link: a presigned
S3 link in an e-mail would outlive the Lambda credentials that signed it."""
from chalicelib.adapters.email import render
from chalicelib.domain.boleto import format_line
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod
from chalicelib.domain.money import format_brl
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.notices import NoticeItem

TEMPLATE = "invoice_issued"
REPLACED_TEMPLATE = "boleto_replaced"


def recipients(snapshot: AccountSnapshot) -> list[str]:
    """The billing list plus the owner, always (PRODUCT.md §1), from the account's live state."""
    account = snapshot.account
    billing = account.billing_data.as_dict() if account.billing_data else {}
    emails = list(billing.get("billing_emails") or [])
    emails.extend(m.email for m in snapshot.members if m.user_id == account.owner_user_id)
    return list(dict.fromkeys(email.lower() for email in emails))


class InvoiceNotices:
    def __init__(self, mailer, events, portal_url: str, billing):
        self._mailer = mailer
        self._events = events
        self._portal_url = portal_url.rstrip("/")
        self._billing = billing  # BillingRepository: drops a delivered notice

    def issued(self, snapshot: AccountSnapshot, invoice: InvoiceItem, superseded: list[InvoiceItem] = ()) -> None:
        """E-mail first, then the event: a failure leaves the notice pending and the worker's retry
        sends both again (the event with the same id)."""
        self._mailer.send(self._email(snapshot, invoice, [old.label for old in superseded]),
                          account_id=invoice.account_id)
        self.issued_event(invoice, superseded)

    def issued_event(self, invoice: InvoiceItem, superseded: list[InvoiceItem] = ()) -> None:
        """`invoice.issued` alone: an order's invoice without a boleto (card, Pix) has no e-mail to send
        but was issued all the same (billed, docs/metrics.md)."""
        self._events.publish("invoice.issued", invoice.account_id, {
            "invoice_id": invoice.invoice_id, "due_date": invoice.due_date.isoformat(),
            "total_cents": invoice.total_cents, "currency": "BRL", "payment_method": invoice.payment_method,
            "nosso_numero": invoice.nosso_numero, "superseded_invoice_ids": [old.invoice_id for old in superseded],
        }, event_id=f"invoice.issued:{invoice.invoice_id}")

    def replaced(self, snapshot: AccountSnapshot, superseded: InvoiceItem, replacement: InvoiceItem | None,
                 order_invoice_number: str | None = None) -> None:
        """A plan change superseded an issued invoice (the next period at the old plan): the customer
        is told its boleto was replaced, and by what; the replacement's `invoice.issued` event.
        order_invoice_number: the label of the invoice that charges the change, if any."""
        email = render(
            REPLACED_TEMPLATE, recipients(snapshot), account_name=snapshot.account.name,
            old_invoice_number=superseded.label, old_total=format_brl(superseded.total_cents),
            old_due_date=f"{superseded.due_date:%d/%m/%Y}", had_boleto=bool(superseded.documents),
            replacement=None if replacement is None else {
                "number": replacement.label, "total": format_brl(replacement.total_cents),
                "due_date": f"{replacement.due_date:%d/%m/%Y}", "url": self.invoice_url(replacement),
                "paid": replacement.status == InvoiceStatus.PAID, "boleto": _boleto(replacement),
                "lines": [{"description": line.description, "amount": format_brl(line.amount_cents)}
                          for line in replacement.lines]},
            order_invoice_number=order_invoice_number)
        self._mailer.send(email, account_id=superseded.account_id)
        if replacement is not None:
            self._events.publish("invoice.issued", replacement.account_id, {
                "invoice_id": replacement.invoice_id, "due_date": replacement.due_date.isoformat(),
                "total_cents": replacement.total_cents, "currency": "BRL",
                "payment_method": replacement.payment_method, "nosso_numero": replacement.nosso_numero,
                "superseded_invoice_ids": [superseded.invoice_id],
            }, event_id=f"invoice.issued:{replacement.invoice_id}")

    def publish_events(self, item: NoticeItem) -> None:
        """The domain events a change recorded as a notice (store/notices.py EVENTS_KIND), published
        with their stable ids, then the notice dropped; left behind by a crash, the check-overdue
        run delivers it."""
        for event in item.data.get("events", []):
            self._events.publish(event["type"], item.account_id, event["data"], event_id=event["id"])
        self._billing.drop_notice(item)

    def invoice_url(self, invoice: InvoiceItem) -> str:
        return f"{self._portal_url}/contas/{invoice.account_id}/faturas/{invoice.invoice_id}"

    def _email(self, snapshot: AccountSnapshot, invoice: InvoiceItem, superseded: list[str]):
        card = snapshot.card if invoice.payment_method == PaymentMethod.CARD else None
        return render(
            TEMPLATE, recipients(snapshot), account_name=snapshot.account.name, invoice_number=invoice.label,
            total=format_brl(invoice.total_cents), due_date=f"{invoice.due_date:%d/%m/%Y}",
            lines=[{"description": line.description, "amount": format_brl(line.amount_cents),
                    "carried": bool(line.source_invoice_id)} for line in invoice.lines],
            boleto=_boleto(invoice), card={"brand": card.brand.capitalize(), "last4": card.last4} if card else None,
            paid=invoice.status == InvoiceStatus.PAID, invoice_url=self.invoice_url(invoice), superseded=superseded,
        )


def _boleto(invoice: InvoiceItem) -> dict | None:
    """What an e-mail shows of the invoice's boleto: the linha digitável and the Pix code."""
    if not invoice.digitable_line:
        return None
    return {"line": format_line(invoice.digitable_line), "pix": invoice.pix_payload}
