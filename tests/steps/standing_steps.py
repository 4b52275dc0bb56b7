"""Steps the overdue, entitlements, cancellation and batch tests share."""
from chalicelib.store.base import account_pk
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.steps.billing_steps import at

INTERNAL_TOKEN = "local-internal-token"  # the local stage's default INTERNAL_API_TOKEN


def run(client, job: str, day: str | None = None, time: str = "07:00:00") -> dict:
    if day:
        at(client, day, time)
    response = client.call("POST", f"/v1/_dev/jobs/{job}")
    assert response.status_code == 200, response.data
    return response.data


def check_overdue(client, day: str | None = None) -> dict:
    return run(client, "check-overdue", day)


def issue_invoices(client, day: str) -> dict:
    return run(client, "issue-invoices", day, "06:00:00")


def entitlements(client, account_id: str, token: str) -> dict:
    """subscription_id -> its entitlement (the portal's route)."""
    response = client.call("GET", f"/v1/accounts/{account_id}/entitlements", token)
    assert response.status_code == 200, response.data
    return {item["subscription_id"]: item for item in response.data["items"]}


def internal_entitlements(client, account_id: str, product_id: str | None = None) -> list[dict]:
    query = f"?product_id={product_id}" if product_id else ""
    response = client.call("GET", f"/v1/internal/accounts/{account_id}/entitlements{query}",
                           headers={"X-Internal-Token": INTERNAL_TOKEN, "Content-Type": "application/json"})
    assert response.status_code == 200, response.data
    return response.data["items"]


def status_of(account_id: str, subscription_id: str) -> str:
    return stored_subscription(account_id, subscription_id).status


def stored_subscription(account_id: str, subscription_id: str) -> SubscriptionItem:
    return SubscriptionItem.get(account_pk(account_id), subscription_sk(subscription_id), consistent_read=True)


def audit_actions(client, account_id: str, token: str) -> list[str]:
    response = client.call("GET", f"/v1/accounts/{account_id}/audit?limit=100", token)
    assert response.status_code == 200, response.data
    return [entry["action"] for entry in response.data["items"]]


def mails(client, template: str) -> list[dict]:
    items = client.call("GET", "/v1/_dev/outbox?limit=100").data["items"]
    return [item for item in items if item["template"] == template]


def cancel(client, account_id: str, token: str, subscription_id: str, reason: str = "Não uso mais"):
    return client.call("POST", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}/cancel", token,
                       {"reason": reason})


def cancellation_quote(client, account_id: str, token: str, subscription_id: str):
    return client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}/cancellation-quote", token)


def cancel_as_quoted(client, account_id: str, token: str, subscription_id: str, reason: str = "Não uso mais"):
    """Asks the quote, then cancels: every field of the quote equals the cancel's answer."""
    quote = cancellation_quote(client, account_id, token, subscription_id)
    assert quote.status_code == 200, quote.data
    response = cancel(client, account_id, token, subscription_id, reason)
    assert response.status_code == 200, response.data
    assert quote.data == {field: response.data[field] for field in quote.data}, (quote.data, response.data)
    return response


def reactivate(client, account_id: str, token: str, subscription_id: str):
    return client.call("POST", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}/reactivate", token)
