"""Steps the invoicing tests share: a billable account, the job, the invoices, paying."""
from datetime import date

from chalicelib.domain.settlement import extended_period
from chalicelib.domain.periods import Period
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem, invoice_sk, open_invoice_sk
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem, subscription_sk
from tests.api.billing_steps import at
from tests.support import VALID_BILLING_DATA

BILLING_EMAIL = "financeiro@exemplo.com.br"


def billable_account(client, user: str, due_day: int | None = 15, name: str = "Cliente") -> tuple[str, str]:
    """An account with billing data (boletos need it) and, when given, its due day."""
    account_id, token = client.create_account(user, name)
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token,
                       VALID_BILLING_DATA).status_code == 200
    if due_day:
        assert client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token,
                           {"due_day": due_day}).status_code == 200
    return account_id, token


def run_job(client, day: str | None = None, time: str = "06:00:00") -> dict:
    if day:
        at(client, day, time)
    response = client.call("POST", "/v1/_dev/jobs/issue-invoices")
    assert response.status_code == 200, response.data
    return response.data


def invoices(client, account_id: str, token: str, status: str = "all", **query) -> list[dict]:
    params = "&".join(f"{k}={v}" for k, v in {"status": status, "limit": 100, **query}.items())
    response = client.call("GET", f"/v1/accounts/{account_id}/invoices?{params}", token)
    assert response.status_code == 200, response.data
    return response.data["items"]


def invoice(client, account_id: str, token: str, invoice_id: str) -> dict:
    response = client.call("GET", f"/v1/accounts/{account_id}/invoices/{invoice_id}", token)
    assert response.status_code == 200, response.data
    return response.data


def stored_invoices(account_id: str) -> list[InvoiceItem]:
    return list(InvoiceItem.query(account_pk(account_id), InvoiceItem.sk.startswith(invoice_sk(""))))


def outbox(client, template: str = "invoice_issued") -> list[dict]:
    items = client.call("GET", "/v1/_dev/outbox?limit=100").data["items"]
    return [item for item in items if item["template"] == template]


def pay_in_store(account_id: str, invoice_id: str, paid_on: date) -> None:
    """What settlement does to a paid invoice, written straight to the store: the invoice paid, its
    summary gone, each subscription it bills extended over the paid periods and back to active."""
    pk = account_pk(account_id)
    item = InvoiceItem.get(pk, invoice_sk(invoice_id), consistent_read=True)
    item.status, item.paid_cents = "paid", item.total_cents
    item.save()
    OpenInvoiceItem(pk=pk, sk=open_invoice_sk(invoice_id)).delete()
    periods: dict[str, list[Period]] = {}
    for line in item.lines:
        if line.subscription_id and line.kind == "subscription":
            periods.setdefault(line.subscription_id, []).append(Period(line.period_start, line.period_end))
    for subscription_id, paid in periods.items():
        subscription = SubscriptionItem.get(pk, subscription_sk(subscription_id), consistent_read=True)
        current = Period(subscription.current_period_start, subscription.current_period_end)
        extended = extended_period(current, paid)
        if extended != current:
            subscription.current_period_start, subscription.current_period_end = extended.start, extended.end
            subscription.period_payments = [PaymentPart(amount_cents=item.total_cents, since=extended.start)]
        subscription.status = "active"
        subscription.save()
