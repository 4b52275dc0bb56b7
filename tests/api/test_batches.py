"""Partner batches (Conta Azul Mais), end to end through HTTP with the dev clock: assign, substitute,
transfer billing responsibility, cancel with the 30-day rule."""
from datetime import date

import pytest

from chalicelib.store.base import account_pk
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.steps.billing_steps import at, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import (
    audit_actions, cancel_as_quoted, check_overdue, entitlements, issue_invoices, mails,
)
from tests.support import make_token

BATCH_MONTHLY, CLIENT_MONTHLY = 4900, 8900  # conta-azul-mais per license; conta-azul-pro, the client's own plan


class Partner:
    def __init__(self, client, quantity: int = 4, day: str = "2027-03-01", periodicity: str = "monthly"):
        self.client = client
        self.account_id, self.token = billable_account(client, "partner-owner", due_day=None,
                                                       name="Escritório Contábil Parceiro")
        at(client, day)
        sub = subscribe(client, self.account_id, self.token, product_id="conta-azul-mais", periodicity=periodicity,
                        quantity=quantity, payment_method="boleto")
        assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
        self.batch_id = sub["id"]

    @property
    def licenses_path(self) -> str:
        return f"/v1/accounts/{self.account_id}/batches/{self.batch_id}/licenses"

    def licenses(self) -> dict:
        response = self.client.call("GET", self.licenses_path, self.token)
        assert response.status_code == 200, response.data
        return response.data

    def license(self, license_id: str) -> dict:
        return next(item for item in self.licenses()["items"] if item["id"] == license_id)

    def act(self, license_id: str, action: str, body: dict | None = None):
        return self.client.call("POST", f"{self.licenses_path}/{license_id}/{action}", self.token, body)

    def assign(self, license_id: str, name: str, email: str) -> dict:
        response = self.act(license_id, "assign", {"name": name, "owner_email": email})
        assert response.status_code == 200, response.data
        return response.data


@pytest.fixture
def partner(client) -> Partner:
    return Partner(client)


def test_a_new_batch_lists_its_free_licenses(partner):
    listing = partner.licenses()
    assert (listing["quantity"], listing["current_period_end"]) == (4, "2027-04-01")
    assert [(item["id"], item["status"]) for item in listing["items"]] == [
        ("lic-001", "available"), ("lic-002", "available"), ("lic-003", "available"), ("lic-004", "available")]


def test_assign_creates_a_blank_client_account_the_partner_is_no_member_of(client, partner):
    assigned = partner.assign("lic-001", "Padaria Pão Quente", "dona@padaria.example")
    client_id = assigned["client_account_id"]
    assert (assigned["status"], assigned["client_name"]) == ("assigned", "Padaria Pão Quente")
    # The partner's owner manages the license here, but is not a member of the client's account.
    outsider = client.call("GET", f"/v1/accounts/{client_id}", partner.token)
    assert outsider.status_code == 404 and outsider.data["error"]["code"] == "account_not_found"
    [invite] = [m for m in mails(client, "member_invited") if m["to"] == ["dona@padaria.example"]]
    assert "Padaria Pão Quente" in invite["text"]
    owner = make_token("padaria-owner", "dona@padaria.example")
    mine = client.call("GET", f"/v1/accounts/{client_id}", owner)
    assert mine.status_code == 200 and mine.data["role"] == "owner"
    [granted] = entitlements(client, client_id, owner).values()
    assert (granted["product_id"], granted["license"], granted["source"]) == ("conta-azul-pro", "active", "batch_seat")
    taken = partner.act("lic-001", "assign", {"name": "Outro", "owner_email": "outro@example.com"})
    assert taken.status_code == 409 and taken.data["error"]["code"] == "license_in_use"
    missing = partner.act("lic-009", "assign", {"name": "Outro", "owner_email": "outro@example.com"})
    assert missing.status_code == 404 and missing.data["error"]["code"] == "license_not_found"


def test_substitute_gives_the_license_to_a_new_blank_account_and_retires_the_old_one(client, aws, partner):
    old_id = partner.assign("lic-001", "Cliente Antigo", "antigo@cliente.example")["client_account_id"]
    at(client, "2027-03-05")
    response = partner.act("lic-001", "substitute", {"name": "Cliente Novo", "owner_email": "novo@cliente.example"})
    assert response.status_code == 200, response.data
    new_id = response.data["client_account_id"]
    assert new_id != old_id and response.data["previous_client_account_id"] == old_id
    assert response.data["previous_client_purge_on"] == "2027-06-03"
    assert aws.retention.scheduled_purge(old_id) == date(2027, 6, 3)
    new_owner = make_token("novo-owner", "novo@cliente.example")
    assert client.call("GET", f"/v1/accounts/{new_id}/subscriptions", new_owner).data["items"] == []  # blank
    assert client.call("GET", f"/v1/accounts/{new_id}/invoices?status=all", new_owner).data["items"] == []
    old_owner = make_token("antigo-owner", "antigo@cliente.example")
    old = client.call("GET", f"/v1/accounts/{old_id}", old_owner).data
    assert old["status"] == "cancelled"  # kept for retention: the owner can still log in for a backup
    [gone] = entitlements(client, old_id, old_owner).values()
    assert gone["license"] == "none"
    assert partner.license("lic-001")["previous_client_account_ids"] == [old_id]


def test_transfer_bills_the_client_from_the_batch_period_end_and_the_batch_renews_fewer(client, partner):
    client_id = partner.assign("lic-002", "Mercado Central", "dono@mercado.example")["client_account_id"]
    at(client, "2027-03-10")
    response = partner.act("lic-002", "transfer")
    assert response.status_code == 200, response.data
    moved = response.data
    assert (moved["status"], moved["leave_reason"], moved["leaves_on"]) == ("leaving", "transfer", "2027-04-01")
    assert (moved["client_billed_from"], moved["batch_quantity_from_renewal"]) == ("2027-04-01", 3)

    issue_invoices(client, "2027-03-25")
    [batch_renewal] = invoices(client, partner.account_id, partner.token, status="open")
    assert batch_renewal["total_cents"] == 3 * BATCH_MONTHLY  # one license fewer at the renewal
    owner = make_token("mercado-owner", "dono@mercado.example")
    [own] = invoices(client, client_id, owner, status="open")
    own_invoice = invoice(client, client_id, owner, own["id"])
    assert (own_invoice["total_cents"], own_invoice["due_date"]) == (CLIENT_MONTHLY, "2027-04-01")
    assert (own_invoice["lines"][0]["period_start"], own_invoice["lines"][0]["period_end"]) == (
        "2027-04-01", "2027-05-01")
    # Partner staff never see the client's invoices.
    hidden = client.call("GET", f"/v1/accounts/{client_id}/invoices?status=all", partner.token)
    assert hidden.status_code == 404

    assert check_overdue(client, "2027-04-01")["licenses_released"] == 1
    assert partner.license("lic-002")["status"] == "left"
    granted = [e for e in entitlements(client, client_id, owner).values() if e["source"] == "subscription"]
    assert [(e["product_id"], e["license"]) for e in granted] == [("conta-azul-pro", "active")]
    assert "batch.license_transfer_scheduled" in audit_actions(client, partner.account_id, partner.token)


def test_a_license_cancelled_10_days_before_the_batch_renewal_is_billed_once_more(client, aws, partner):
    client_id = partner.assign("lic-003", "Oficina Motor", "dono@oficina.example")["client_account_id"]
    at(client, "2027-03-22")  # the batch renews on 1 April: 10 days' notice
    response = partner.act("lic-003", "cancel", {"reason": "Cliente encerrou a empresa"})
    assert response.status_code == 200, response.data
    cancelled = response.data
    assert (cancelled["billed_once_more"], cancelled["leaves_on"]) == (True, "2027-05-01")
    assert (cancelled["billed_period_start"], cancelled["billed_period_end"]) == ("2027-04-01", "2027-05-01")
    assert (cancelled["amount_owed_cents"], cancelled["batch_quantity_from_renewal"]) == (BATCH_MONTHLY, 3)
    once_more = invoice(client, partner.account_id, partner.token, cancelled["invoice_id"])
    assert (once_more["total_cents"], once_more["due_date"]) == (BATCH_MONTHLY, "2027-04-01")

    issue_invoices(client, "2027-03-25")  # one invoice for 1 April: 3 renewing + the one billed once more
    [renewal] = invoices(client, partner.account_id, partner.token, status="open")
    assert renewal["total_cents"] == 4 * BATCH_MONTHLY
    owner = make_token("oficina-owner", "dono@oficina.example")
    assert check_overdue(client, "2027-04-01")["licenses_released"] == 0  # still paid for April
    [granted] = entitlements(client, client_id, owner).values()
    assert granted["license"] == "active"
    assert check_overdue(client, "2027-05-01")["licenses_released"] == 1
    [granted] = entitlements(client, client_id, owner).values()
    assert granted["license"] == "none"
    assert aws.retention.scheduled_purge(client_id) == date(2027, 7, 30)


def test_a_license_cancelled_more_than_30_days_ahead_leaves_at_the_renewal_without_charge(client):
    partner = Partner(client, quantity=2, day="2027-01-10", periodicity="annual")
    at(client, "2027-11-20")  # 51 days before the renewal on 10 January 2028
    response = partner.act("lic-002", "cancel", {"reason": "Não precisamos"})
    assert response.status_code == 200, response.data
    assert (response.data["billed_once_more"], response.data["leaves_on"]) == (False, "2028-01-10")
    assert (response.data["invoice_id"], response.data["amount_owed_cents"]) == (None, 0)
    issue_invoices(client, "2028-01-03")
    [renewal] = invoices(client, partner.account_id, partner.token, status="open")
    assert renewal["total_cents"] == 49000  # one annual license left
    last = partner.act("lic-001", "cancel", {"reason": "Tudo"})
    assert last.status_code == 409 and last.data["error"]["code"] == "batch_last_license"


def test_batch_routes_refuse_a_subscription_that_is_not_a_batch(client, partner):
    at(client, "2027-03-02")
    single = subscribe(client, partner.account_id, partner.token, product_id="operand-pro", periodicity="monthly",
                       quantity=1, payment_method="boleto")
    response = client.call("GET", f"/v1/accounts/{partner.account_id}/batches/{single['id']}/licenses", partner.token)
    assert response.status_code == 404 and response.data["error"]["code"] == "batch_not_found"
    transfer_free = partner.act("lic-004", "transfer")
    assert transfer_free.status_code == 409 and transfer_free.data["error"]["code"] == "license_not_assigned"


def test_a_batch_withdrawn_within_7_days_ends_every_client_seat(client, aws, partner):
    client_id = partner.assign("lic-001", "Cliente do Lote", "dono@lote.example")["client_account_id"]
    at(client, "2027-03-05")  # four days after the batch was paid by boleto
    response = client.call("POST", f"/v1/accounts/{partner.account_id}/subscriptions/{partner.batch_id}/cancel",
                           partner.token, {"reason": "Desistimos do programa de parceiros"})
    assert response.status_code == 200, response.data
    assert (response.data["kind"], response.data["refund_cents"], response.data["refund_status"]) == (
        "withdrawal", 4 * BATCH_MONTHLY, "requested")  # a boleto: the finance team gives it back
    assert partner.license("lic-001")["status"] == "left"
    owner = make_token("lote-owner", "dono@lote.example")
    [granted] = entitlements(client, client_id, owner).values()
    assert granted["license"] == "none"
    assert client.call("GET", f"/v1/accounts/{client_id}", owner).data["status"] == "cancelled"
    assert aws.retention.scheduled_purge(client_id) == date(2027, 6, 3)
    assert aws.retention.scheduled_purge(partner.account_id) == date(2027, 6, 3)


def test_the_partner_holding_a_license_schedules_and_downloads_its_clients_backups(client, partner):
    """Conta Azul Mais: the partner makes the backup in its client's account, under the client's
    windows, without becoming a member of it; every other route of the client stays hidden."""
    client_id = partner.assign("lic-001", "Padaria Pão Quente", "dona@padaria.example")["client_account_id"]
    backups = f"/v1/accounts/{client_id}/backups"
    at(client, "2027-03-02", "14:00:00")  # a Tuesday, business hours: scheduling is always allowed
    scheduled = client.call("POST", backups, partner.token, {"run_at": "2027-03-02T20:00:00-03:00"})
    assert scheduled.status_code == 201, scheduled.data
    assert scheduled.data["run_at"] == "2027-03-02T20:00:00-03:00"
    at(client, "2027-03-02", "20:00:00")
    assert client.call("POST", "/v1/_dev/jobs/run-backups").data["generated"] == 1
    download = f"{backups}/{scheduled.data['id']}/download"
    assert client.call("GET", download, partner.token).status_code == 200
    at(client, "2027-03-03", "10:00:00")  # a business day between 5h and 19h: closed, as for the client
    closed = client.call("GET", download, partner.token)
    assert closed.status_code == 409 and closed.data["error"]["code"] == "download_window_closed"

    owner = make_token("padaria-owner", "dona@padaria.example")
    trail = client.call("GET", f"/v1/accounts/{client_id}/audit?limit=100", owner).data["items"]
    by_partner = [(e["action"], e["actor"], e["after"]["actor_account_id"]) for e in trail
                  if e["action"] in ("backup.scheduled", "backup.downloaded")]
    assert sorted(by_partner) == [("backup.downloaded", "partner-owner", partner.account_id),
                                  ("backup.scheduled", "partner-owner", partner.account_id)]
    members = client.call("GET", f"/v1/accounts/{client_id}/members", owner).data["items"]
    assert [m["email"] for m in members] == ["dona@padaria.example"]  # no member added

    for path in ("invoices?status=all", "subscriptions", "audit", ""):
        hidden = client.call("GET", f"/v1/accounts/{client_id}/{path}".rstrip("/"), partner.token)
        assert hidden.status_code == 404, (path, hidden.data)
    listing = client.call("GET", backups, partner.token)  # the list is a billing screen of the client
    assert listing.status_code == 404
    stranger_id, stranger = billable_account(client, "other-partner", due_day=None, name="Outro Escritório")
    for call in (("POST", backups, {"run_at": "2027-03-03T20:00:00-03:00"}), ("GET", download, None)):
        refused = client.call(call[0], call[1], stranger, call[2])
        assert refused.status_code == 404 and refused.data["error"]["code"] == "account_not_found"


def renew_months(client, partner: Partner, renewals: list[str]) -> None:
    """Each renewal issued 7 days ahead (the run day given) and paid by boleto."""
    for run_day in renewals:
        issue_invoices(client, run_day)
        [renewal] = invoices(client, partner.account_id, partner.token, status="open")
        assert dev_pay(client, renewal["id"], "boleto").status_code == 200


def cancel_batch(client, partner: Partner) -> dict:
    """Through the quote first: it must equal the cancel's answer (commitment fields included)."""
    return cancel_as_quoted(client, partner.account_id, partner.token, partner.batch_id, "Encerramos a parceria").data


RUNS_FROM_APRIL = ["2027-03-25", "2027-04-24", "2027-05-25", "2027-06-24"]


def test_full_value_on_early_termination_bills_nothing_extra_inside_the_withdrawal_window(client, partner):
    at(client, "2027-03-06")
    cancelled = cancel_batch(client, partner)
    assert (cancelled["kind"], cancelled["amount_owed_cents"], cancelled["invoice_id"]) == ("withdrawal", 0, None)
    assert (cancelled["commitment_ends_on"], cancelled["commitment_months_billed"]) == (None, 0)


def test_full_value_on_early_termination_in_month_5_of_12_bills_the_7_months_left(client, partner):
    renew_months(client, partner, RUNS_FROM_APRIL[:4])  # April, May, June, July paid: July is month 5
    at(client, "2027-07-12")
    cancelled = cancel_batch(client, partner)
    assert (cancelled["kind"], cancelled["effective_date"]) == ("early_termination", "2027-08-01")
    assert (cancelled["commitment_months_billed"], cancelled["commitment_ends_on"]) == (7, "2028-03-01")
    assert cancelled["amount_owed_cents"] == 7 * 4 * BATCH_MONTHLY
    billed = invoice(client, partner.account_id, partner.token, cancelled["invoice_id"])
    assert billed["total_cents"] == 7 * 4 * BATCH_MONTHLY and billed["status"] == "open"
    assert "7 mês(es) restante(s)" in billed["lines"][0]["description"]
    issue_invoices(client, "2027-07-25")  # nothing more: the batch does not renew
    assert [i["id"] for i in invoices(client, partner.account_id, partner.token, status="open")] == [
        cancelled["invoice_id"]]


def test_full_value_on_early_termination_bills_nothing_extra_after_the_commitment_ends(client, partner):
    # 13 months paid (the renewals as test_..._in_month_5 runs them, fast-forwarded in the store):
    # the commitment ended on 1 March 2028.
    batch = SubscriptionItem.get(account_pk(partner.account_id), subscription_sk(partner.batch_id))
    batch.current_period_start, batch.current_period_end = date(2028, 3, 1), date(2028, 4, 1)
    batch.billed_through, batch.renewals_billed = date(2028, 4, 1), 12
    batch.save()
    at(client, "2028-03-10")
    cancelled = cancel_batch(client, partner)
    assert (cancelled["kind"], cancelled["commitment_months_billed"], cancelled["commitment_ends_on"]) == (
        "after_next_period", 0, None)
    assert cancelled["amount_owed_cents"] == 4 * BATCH_MONTHLY  # the notice rule alone: April once more


def test_one_invoice_per_account_and_due_date_a_license_cancelled_late_joins_the_batch_renewal(client, partner):
    """Promob: one boleto per due date. The license's last charge, billed by the cancellation before
    the renewal was issued, goes on the renewal's invoice; its own invoice is superseded."""
    at(client, "2027-03-22")  # 10 days before the renewal on 1 April, 3 before its invoice is issued
    cancelled = partner.act("lic-003", "cancel", {"reason": "Cliente encerrou a empresa"}).data
    assert invoice(client, partner.account_id, partner.token, cancelled["invoice_id"])["due_date"] == "2027-04-01"
    issue_invoices(client, "2027-03-25")
    [renewal] = invoices(client, partner.account_id, partner.token, status="open")
    assert (renewal["due_date"], renewal["total_cents"]) == ("2027-04-01", 4 * BATCH_MONTHLY)
    earlier = invoice(client, partner.account_id, partner.token, cancelled["invoice_id"])
    assert earlier["status"] == "superseded"
    assert dev_pay(client, renewal["id"], "boleto").status_code == 200
    assert check_overdue(client, "2027-04-01")["licenses_released"] == 0  # still paid for April
    assert check_overdue(client, "2027-05-01")["licenses_released"] == 1


def test_one_invoice_per_account_and_due_date_a_license_cancelled_late_after_the_renewal_was_issued(client, partner):
    issue_invoices(client, "2027-03-25")  # the renewal of 1 April issued (D-7) with the 4 licenses
    at(client, "2027-03-27")
    response = partner.act("lic-003", "cancel", {"reason": "Cliente encerrou a empresa"})
    assert response.status_code == 200, response.data
    assert (response.data["invoice_id"], response.data["leaves_on"]) == (None, "2027-05-01")
    [renewal] = invoices(client, partner.account_id, partner.token, status="open")
    assert (renewal["due_date"], renewal["total_cents"]) == ("2027-04-01", 4 * BATCH_MONTHLY)
