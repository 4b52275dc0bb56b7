"""The finance team's work queues through the HTTP contract: every account's refunds, bank return
imports with what each file did, credits granted and failed NFS-e. Each list is for the `finance`
group only, pages with signed cursors, newest first, and refuses a filter outside its values with a
400 in pt-BR and a stable code."""
from pathlib import Path

import pytest

from tests.fakes.service_invoices import InMemorySefin, render_danfse
from tests.steps.billing_steps import at
from tests.steps.payment_steps import customer, dev_pay
from tests.support import make_token

# Also runs on AWS DynamoDB Local (second pass of `make test`): each list's index entry is written in
# the item's own transaction (refunds, credits) or conditional put (bank return imports).
pytestmark = pytest.mark.ddblocal

STAFF = make_token("fin-1", "carla@vendor.example", groups=["finance"])
CNAB = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cnab"
LISTS = ["/v1/admin/refunds", "/v1/admin/bank-returns", "/v1/admin/credits", "/v1/admin/service-invoices"]


def listed(client, path: str, token=STAFF) -> dict:
    response = client.call("GET", path, token)
    assert response.status_code == 200, response.data
    return response.data


def grant(client, account_id: str, cents: int, reason: str) -> dict:
    response = client.call("POST", f"/v1/admin/accounts/{account_id}/credits", STAFF,
                           {"amount_cents": cents, "reason": reason})
    assert response.status_code == 201, response.data
    return response.data


def refund(client, account_id: str, payment_id: str, reason: str = "Cliente desistiu da compra") -> dict:
    response = client.call("POST", f"/v1/admin/accounts/{account_id}/payments/{payment_id}/refund", STAFF,
                           {"reason": reason})
    assert response.status_code == 201, response.data
    return response.data


def minute(client, n: int) -> None:
    """The dev clock at 09:<n> on 2026-12-01: items made a minute apart list in a known order."""
    at(client, "2026-12-01", f"09:{n:02d}:00")


def paid_customer(client, user: str, method: str = "pix"):
    c = customer(client, user, day="2026-12-01")
    paid = dev_pay(client, c.invoice_id, method)
    assert paid.status_code == 200, paid.data
    return c, paid.data["payment_id"]


# --- who may read them ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", LISTS)
def test_the_lists_are_for_the_finance_team_only(client, path):
    account_id, owner = client.create_account("alice")
    # A member with the account's own "finance" role is a customer, not the vendor's finance team.
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": "fin@example.com", "role": "finance"})
    account_finance = make_token("fin-member", "fin@example.com")
    for token in (owner, account_finance):
        response = client.call("GET", path, token)
        assert response.status_code == 403, response.data
        assert response.data["error"]["code"] == "finance_only"
        assert response.data["error"]["message"] == "Apenas a equipe financeira pode usar esta rota."
    assert client.call("GET", path, None).status_code == 401


@pytest.mark.parametrize("path, query, code", [
    ("/v1/admin/refunds", "status=aprovado", "invalid_status"),
    ("/v1/admin/refunds", "status=", "invalid_status"),
    ("/v1/admin/service-invoices", "status=issued", "invalid_status"),
    ("/v1/admin/credits", "account_id=conta%20x", "invalid_account_id"),
])
def test_a_filter_outside_its_values_is_a_400_in_portuguese(client, path, query, code):
    response = client.call("GET", f"{path}?{query}", STAFF)
    assert response.status_code == 400, response.data
    error = response.data["error"]
    assert error["code"] == code
    assert error["message"].startswith("Situação inválida em status" if code == "invalid_status" else "Conta inválida")


@pytest.mark.parametrize("path", LISTS)
def test_a_bad_limit_or_a_forged_cursor_is_refused(client, path):
    assert client.call("GET", f"{path}?limit=0", STAFF).status_code == 422
    forged = client.call("GET", f"{path}?cursor=abc.def", STAFF)
    assert forged.status_code == 400 and forged.data["error"]["code"] == "invalid_cursor"


# --- refunds --------------------------------------------------------------------------------------
def test_refunds_of_every_account_are_listed_by_status_newest_first(client):
    first, first_payment = paid_customer(client, "ana")
    second, second_payment = paid_customer(client, "bia")
    minute(client, 10)
    made = [refund(client, first.account_id, first_payment, "Desistência no prazo")]
    minute(client, 11)
    made.append(refund(client, second.account_id, second_payment, "Cobrança em duplicidade"))
    items = listed(client, "/v1/admin/refunds")["items"]  # requested: Pix goes back by hand
    assert [(i["id"], i["account_id"], i["payment_id"], i["invoice_id"], i["amount_cents"], i["status"], i["reason"])
            for i in items] == [
        (r["refund_id"], c.account_id, r["payment_id"], r["invoice_id"], r["amount_cents"], "requested", reason)
        for r, c, reason in reversed(list(zip(made, (first, second),
                                              ("Desistência no prazo", "Cobrança em duplicidade"))))]
    assert all(i["method"] == "pix" and i["requested_by"] == "fin-1" and i["created_at"] for i in items)
    assert listed(client, "/v1/admin/refunds?status=refunded")["items"] == []


def test_the_refund_list_pages_with_a_cursor_bound_to_its_status(client):
    made = []
    for n, user in enumerate(("u1", "u2", "u3")):
        c, payment_id = paid_customer(client, user)
        minute(client, 10 + n)
        made.append(refund(client, c.account_id, payment_id)["refund_id"])
    page = listed(client, "/v1/admin/refunds?status=requested&limit=2")
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = listed(client, f"/v1/admin/refunds?status=requested&limit=2&cursor={page['next_cursor']}")
    assert [i["id"] for i in page["items"] + rest["items"]] == list(reversed(made))
    assert rest["next_cursor"] is None
    other = client.call("GET", f"/v1/admin/refunds?status=refunded&cursor={page['next_cursor']}", STAFF)
    assert other.status_code == 400 and other.data["error"]["code"] == "invalid_cursor"


# --- credits --------------------------------------------------------------------------------------
def test_credits_granted_are_listed_with_who_when_and_why(client):
    alice, _ = client.create_account("alice")
    bia, _ = client.create_account("bia")
    minute(client, 1)
    first = grant(client, alice, 2_550, "Compensação por indisponibilidade")
    minute(client, 2)
    second = grant(client, bia, 1_000, "Cortesia comercial")
    minute(client, 3)
    third = grant(client, alice, 450, "Ajuste")
    items = listed(client, "/v1/admin/credits")["items"]
    assert [(i["id"], i["account_id"], i["amount_cents"], i["reason"], i["granted_by"], i["balance_after_cents"])
            for i in items] == [
        (third["id"], alice, 450, "Ajuste", "fin-1", 3_000),
        (second["id"], bia, 1_000, "Cortesia comercial", "fin-1", 1_000),
        (first["id"], alice, 2_550, "Compensação por indisponibilidade", "fin-1", 2_550)]
    assert all(i["granted_at"] for i in items)
    only_alice = listed(client, f"/v1/admin/credits?account_id={alice}")["items"]
    assert [i["id"] for i in only_alice] == [third["id"], first["id"]]
    assert listed(client, "/v1/admin/credits?account_id=acc_nobody")["items"] == []


def test_the_credit_list_pages_newest_first(client):
    account_id, _ = client.create_account("alice")
    ids = []
    for n in (1, 2, 3):
        minute(client, n)
        ids.append(grant(client, account_id, 100 * n, f"Crédito {n}")["id"])
    for path in ("/v1/admin/credits", f"/v1/admin/credits?account_id={account_id}"):
        joiner = "&" if "?" in path else "?"
        page = listed(client, f"{path}{joiner}limit=2")
        rest = listed(client, f"{path}{joiner}limit=2&cursor={page['next_cursor']}")
        assert [i["id"] for i in page["items"] + rest["items"]] == list(reversed(ids))


# --- bank return imports --------------------------------------------------------------------------
def upload(client, content: bytes, name: str) -> dict:
    response = client.call("POST", f"/v1/admin/bank-returns?name={name}", STAFF, raw=content,
                           headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 200, response.data
    return response.data


def test_each_bank_return_import_is_listed_with_what_it_did(client):
    content = (CNAB / "CNAB240.RET").read_bytes()
    minute(client, 1)
    first = upload(client, content, "CNAB240.RET")
    minute(client, 2)
    again = upload(client, content, "CNAB240-de-novo.RET")
    items = listed(client, "/v1/admin/bank-returns")["items"]
    assert [i["id"] for i in items] == [again["id"], first["id"]]
    newest, oldest = items
    for shown, answered in ((oldest, first), (newest, again)):
        for key in ("name", "layout", "bank_code", "records", "settled", "credited", "duplicates", "unmatched",
                    "registered", "rejected", "ignored", "settled_cents"):
            assert shown[key] == answered[key], key
        assert shown["imported_by"] == "fin-1" and shown["imported_at"]
    # No invoice of ours matches this bank's file: every payment is unmatched, the lines to check named.
    assert oldest["unmatched"] == oldest["records"] == len(oldest["to_check"]) == 35
    assert {entry["kind"] for entry in oldest["to_check"]} == {"unmatched"}
    assert all(entry["nosso_numero"] and entry["line"] and entry["paid_cents"] for entry in oldest["to_check"])
    page = listed(client, "/v1/admin/bank-returns?limit=1")
    assert [i["id"] for i in page["items"]] == [again["id"]]
    rest = listed(client, f"/v1/admin/bank-returns?limit=1&cursor={page['next_cursor']}")
    assert [i["id"] for i in rest["items"]] == [first["id"]]


# --- failed NFS-e ---------------------------------------------------------------------------------
@pytest.fixture
def sefin(aws):
    fake = InMemorySefin(aws.clock)
    aws.__dict__["service_invoice_authority"] = fake
    aws.__dict__["render_danfse"] = render_danfse
    return fake


def run_job(client) -> dict:
    response = client.call("POST", "/v1/_dev/jobs/issue-service-invoices")
    assert response.status_code == 200, response.data
    return response.data


def test_a_failed_nfse_is_listed_with_its_reason_until_it_is_issued(client, sefin):
    rejected, _ = paid_customer(client, "ana")
    issued, _ = paid_customer(client, "bia")
    sefin.reject_next("E0312", "Código de tributação nacional inexistente para o município.")
    summary = run_job(client)
    assert (summary["failed"], summary["issued"]) == (1, 1), summary
    [item] = listed(client, "/v1/admin/service-invoices?status=failed")["items"]
    failed_invoice = rejected.invoice_id if item["account_id"] == rejected.account_id else issued.invoice_id
    assert item["invoice_id"] == failed_invoice and item["status"] == "failed"
    assert item["error_code"] == "E0312" and "Código de tributação nacional inexistente" in item["error"]
    assert item["failed_since"] and item["next_attempt_at"] and item["request_id"] and item["service_cents"] > 0
    shown = client.call("GET", f"/v1/accounts/{item['account_id']}/invoices/{item['invoice_id']}",
                        rejected.token if item["account_id"] == rejected.account_id else issued.token).data
    assert shown["service_invoice"]["error"] == item["error"]

    # The hourly job tries again the next day; issued, it leaves the list.
    client.call("PUT", "/v1/_dev/clock", None, {"now": "2026-12-02T12:00:00-03:00"})
    assert run_job(client)["issued"] == 1
    assert listed(client, "/v1/admin/service-invoices")["items"] == []
