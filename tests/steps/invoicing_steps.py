"""Steps the invoicing tests share: a billable account, the job, the invoices, paying."""
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import InvoiceItem, invoice_sk
from tests.steps.billing_steps import at
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


def run_job(client, day: str | None = None, time: str = "06:00:00", job: str = "issue-invoices") -> dict:
    """A scheduled job run through the dev route at `day` `time` (São Paulo); its summary."""
    if day:
        at(client, day, time)
    response = client.call("POST", f"/v1/_dev/jobs/{job}")
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


def pay(client, invoice_id: str, method: str = "pix", amount_cents: int | None = None) -> dict:
    """The fake gateway pays the invoice through the real webhook path and settlement."""
    body = {"invoice_id": invoice_id, "method": method}
    if amount_cents is not None:
        body["amount_cents"] = amount_cents
    response = client.call("POST", "/v1/_dev/gateway/pay", None, body)
    assert response.status_code == 200, response.data
    return response.data
