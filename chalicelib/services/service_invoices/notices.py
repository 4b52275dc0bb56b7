"""Telling people and systems about an NFS-e: the domain events `service_invoice.issued`,
`.cancelled` and `.failed` (stable ids: a delivery repeated after a crash publishes the same event),
the "NFS-e emitida" e-mail to the account (billing list and owner), and the finance team's request
(Solicitações, type nota fiscal) when a person must act, which e-mails the team as any request does."""
from chalicelib.adapters.email import render
from chalicelib.domain.money import format_brl
from chalicelib.services.shared.recipients import billing_recipients

SYSTEM_ACTOR = "system:service-invoices"
REQUEST_TYPE = "nota_fiscal"


class ServiceInvoiceNotices:
    def __init__(self, events, mailer, accounts, requests, portal_url: str):
        self._events = events
        self._mailer = mailer
        self._accounts = accounts
        self._requests = requests
        self._portal_url = portal_url.rstrip("/")

    def invoice_url(self, account_id: str, invoice_id: str) -> str:
        return f"{self._portal_url}/contas/{account_id}/faturas/{invoice_id}"

    def issued(self, item, invoice, net_cents: int) -> None:
        self._events.publish("service_invoice.issued", item.account_id, {
            "invoice_id": item.invoice_id, "access_key": item.access_key, "number": item.number,
            "issued_at": item.issued_at.isoformat(), "amount_cents": net_cents,
            "substitutes": item.replaced_keys[-1] if item.replaced_keys else None,
        }, event_id=f"service_invoice.issued:{item.access_key}")
        account = self._accounts.get(item.account_id)
        if account is None:
            return
        email = render("service_invoice_issued", billing_recipients(self._accounts, account),
                       account_name=account.name, invoice_number=invoice.label if invoice else item.invoice_id,
                       nfse_number=item.number, access_key=item.access_key, amount=format_brl(net_cents),
                       substitutes=item.replaced_keys[-1] if item.replaced_keys else None,
                       invoice_url=self.invoice_url(item.account_id, item.invoice_id))
        self._mailer.send(email, item.account_id, message_key=f"service_invoice.issued:{item.access_key}")

    def cancelled(self, item, reason_code: str) -> None:
        self._events.publish("service_invoice.cancelled", item.account_id, {
            "invoice_id": item.invoice_id, "access_key": item.access_key, "number": item.number,
            "reason_code": reason_code, "cancelled_at": item.cancelled_at.isoformat(),
        }, event_id=f"service_invoice.cancelled:{item.access_key}")

    def failed(self, item) -> None:
        self._events.publish("service_invoice.failed", item.account_id, {
            "invoice_id": item.invoice_id, "error_code": item.error_code, "error": item.error,
        }, event_id=f"service_invoice.failed:{item.invoice_id}:{item.request_id}")

    def ask_finance(self, item, text: str) -> None:
        """The request recorded on the item (`request_id`), opened once."""
        if self._requests.opened(item.account_id, item.request_id):
            return
        self._requests.open(item.account_id, REQUEST_TYPE, text, SYSTEM_ACTOR, request_id=item.request_id)
