"""Invoice lists: open, paid and all, newest first, pages through signed cursors."""
import pytest

from tests.steps.billing_steps import at, subscribe
from tests.steps.invoicing_steps import billable_account, invoices, pay, run_job

pytestmark = pytest.mark.ddblocal


@pytest.fixture
def history(client):
    """Three invoices: the first period (paid), March's renewal (paid), April's (open)."""
    account_id, token = billable_account(client, "lists-owner", due_day=15)
    at(client, "2026-02-20", "10:00:00")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    for month in ("03",):
        run_job(client, f"2026-{month}-08")
        (issued,) = invoices(client, account_id, token, "open")
        pay(client, issued["id"])
    run_job(client, "2026-04-08")
    return account_id, token


def _page(client, account_id, token, status, cursor=None, limit=2):
    query = f"status={status}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    return client.call("GET", f"/v1/accounts/{account_id}/invoices?{query}", token)


def test_lists_by_status_newest_first(client, history):
    account_id, token = history
    everything = invoices(client, account_id, token, "all")
    assert [i["due_date"] for i in everything] == ["2026-04-15", "2026-03-15", "2026-02-20"]
    assert [i["status"] for i in invoices(client, account_id, token, "open")] == ["open"]
    paid = invoices(client, account_id, token, "paid")
    assert [i["due_date"] for i in paid] == ["2026-03-15", "2026-02-20"]
    assert all(i["currency"] == "BRL" for i in everything)


def test_pages_follow_signed_cursors(client, history):
    account_id, token = history
    seen, cursor = [], None
    while True:
        response = _page(client, account_id, token, "all", cursor)
        assert response.status_code == 200, response.data
        seen.extend(i["due_date"] for i in response.data["items"])
        cursor = response.data["next_cursor"]
        if cursor is None:
            break
    assert seen == ["2026-04-15", "2026-03-15", "2026-02-20"]


def test_a_cursor_edited_or_from_another_list_is_refused(client, history):
    account_id, token = history
    cursor = _page(client, account_id, token, "paid", limit=1).data["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for status, bad in (("paid", tampered), ("all", cursor)):
        response = _page(client, account_id, token, status, bad)
        assert (response.status_code, response.data["error"]["code"]) == (400, "invalid_cursor")


def test_unknown_status_is_a_422(client, history):
    account_id, token = history
    response = _page(client, account_id, token, "late")
    assert response.status_code == 422
