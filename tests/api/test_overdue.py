"""Overdue and entitlements (PRODUCT.md §7), end to end through HTTP with the dev clock: the
check-overdue job, the portal's and the vendor's entitlements, payment through the dev gateway."""
from datetime import date

import pytest

from chalicelib.adapters.events import RecordingPublisher
from tests.steps.billing_steps import at, subscribe
from tests.steps.invoicing_steps import billable_account, invoices
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import (
    audit_actions, check_overdue, entitlements, internal_entitlements, issue_invoices, mails, status_of,
    stored_subscription,
)

PROMOB = "promob-cats-mandatory"


@pytest.fixture
def published(aws):
    recorder = RecordingPublisher(aws.clock)
    aws.__dict__["events"] = recorder
    return recorder.published


def _promob_renewal_due_friday_before_carnival(client):
    """Promob Studio monthly by boleto from 5 January 2027, first month paid; the renewal invoice,
    due Friday 5 February (Carnival: Monday 8 and Tuesday 9), is issued on 29 January."""
    account_id, token = billable_account(client, "promob-owner", due_day=None, name="Marcenaria Exemplo")
    at(client, "2027-01-05")
    sub = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", quantity=1,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    assert issue_invoices(client, "2027-01-29")["invoices_issued"] == 1
    [renewal] = invoices(client, account_id, token, status="open")
    assert renewal["due_date"] == "2027-02-05"
    return account_id, token, sub["id"], renewal["id"]


def test_promob_mandatory_unpaid_boleto_is_late_then_suspended_after_carnival_and_paying_restores_at_once(
        client, published):
    account_id, token, sub_id, invoice_id = _promob_renewal_due_friday_before_carnival(client)
    assert check_overdue(client, "2027-02-05")["past_due"] == 0  # due today: not late yet
    assert status_of(account_id, sub_id) == "active"
    # Paid on Friday, a boleto is compensated within one business day: Wednesday 10, after Carnival.
    assert check_overdue(client, "2027-02-10")["past_due"] == 0
    assert status_of(account_id, sub_id) == "active" and not mails(client, "invoice_overdue")

    assert check_overdue(client, "2027-02-11")["past_due"] == 1  # the day after the compensation deadline
    assert entitlements(client, account_id, token)[sub_id]["license"] == "active"  # late, not blocked yet
    [overdue_mail] = mails(client, "invoice_overdue")
    assert "Fatura vencida" in overdue_mail["subject"] and "12/02/2027" in overdue_mail["text"]

    # Grace of 3 business days: Carnival Monday and Tuesday do not count -> Wed 10, Thu 11, Fri 12.
    assert check_overdue(client, "2027-02-12")["suspended"] == 0
    assert status_of(account_id, sub_id) == "past_due"
    assert check_overdue(client, "2027-02-13")["suspended"] == 1
    granted = entitlements(client, account_id, token)[sub_id]
    assert (granted["status"], granted["license"], granted["support"], granted["updates"]) == (
        "suspended", "suspended", False, False)
    [vendor_view] = internal_entitlements(client, account_id, PROMOB)
    assert vendor_view["license"] == "suspended" and vendor_view["seats"] == 1
    assert len(mails(client, "license_suspended")) == 1
    assert [e["type"] for e in published if e["type"].startswith("license.")] == ["license.suspended"]

    at(client, "2027-02-15", "10:00:00")
    assert dev_pay(client, invoice_id, "boleto").status_code == 200
    assert status_of(account_id, sub_id) == "active"  # at once, not at the next job run
    restored = entitlements(client, account_id, token)[sub_id]
    assert (restored["license"], restored["support"], restored["paid_through"]) == ("active", True, "2027-03-05")
    assert "license.restored" in [e["type"] for e in published]
    assert check_overdue(client, "2027-02-16")["processed"] == 0  # the paid invoice left the list
    steps = [a for a in reversed(audit_actions(client, account_id, token))  # oldest first
             if a in ("subscription.past_due", "subscription.suspended", "payment.settled")]
    assert steps == ["payment.settled", "subscription.past_due", "subscription.suspended", "payment.settled"]


def test_unpaid_for_60_days_is_cancelled_and_the_account_kept_for_retention(client, aws, published):
    account_id, token = billable_account(client, "late-owner", due_day=None)
    at(client, "2027-02-05")  # a Friday: the first invoice is due today
    sub = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", quantity=1,
                    payment_method="boleto")
    assert check_overdue(client, "2027-02-11")["past_due"] == 1  # after the boleto's compensation deadline
    assert check_overdue(client, "2027-02-13")["suspended"] == 1
    assert check_overdue(client, "2027-04-06")["cancelled"] == 0  # day 60: still suspended
    result = check_overdue(client, "2027-04-07")
    assert result["cancelled"] == 1
    assert status_of(account_id, sub["id"]) == "cancelled"
    granted = entitlements(client, account_id, token)[sub["id"]]
    assert (granted["license"], granted["support"]) == ("none", False)
    assert aws.retention.scheduled_purge(account_id) == date(2027, 7, 6)  # 90 days after
    [cancelled_mail] = mails(client, "subscription_cancelled")
    assert "falta de pagamento" in cancelled_mail["text"] and "06/07/2027" in cancelled_mail["text"]
    cancelled = [e for e in published if e["type"] == "subscription.cancelled"]
    assert [e["data"]["reason"] for e in cancelled] == ["overdue"]
    plan = client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}", token).data
    assert plan["auto_renew"] is False and plan["next_renewal"] is None  # never billed again
    assert check_overdue(client, "2027-04-08")["processed"] == 0  # nothing more to move: off the list


def test_the_job_run_twice_the_same_day_changes_nothing_the_second_time(client, aws, published):
    account_id, token, sub_id, _ = _promob_renewal_due_friday_before_carnival(client)
    check_overdue(client, "2027-02-06")
    first = check_overdue(client, "2027-02-13")
    assert first["suspended"] == 1
    state = (audit_actions(client, account_id, token), client.call("GET", "/v1/_dev/outbox?limit=100").data,
             stored_version(account_id, sub_id), len(published))
    second = check_overdue(client, "2027-02-13")
    assert {key: second[key] for key in ("past_due", "suspended", "cancelled", "restored")} == {
        "past_due": 0, "suspended": 0, "cancelled": 0, "restored": 0}
    assert second["processed"] == 0  # what the first run handled left today's list
    assert state == (audit_actions(client, account_id, token), client.call("GET", "/v1/_dev/outbox?limit=100").data,
                     stored_version(account_id, sub_id), len(published))


def test_missed_days_are_caught_up_from_the_checkpoint(client):
    account_id, token, sub_id, _ = _promob_renewal_due_friday_before_carnival(client)
    check_overdue(client, "2027-02-04")
    result = check_overdue(client, "2027-02-20")  # the job did not run for two weeks
    assert (result["past_due"], result["suspended"]) == (0, 1)  # straight to where the policy is today
    assert status_of(account_id, sub_id) == "suspended"
    assert len(mails(client, "license_suspended")) == 1 and not mails(client, "invoice_overdue")


def test_promob_optional_unpaid_stops_support_and_updates_but_keeps_the_license(client):
    account_id, token = billable_account(client, "plus-owner", due_day=None)
    at(client, "2027-03-01")
    sub = subscribe(client, account_id, token, product_id="promob-cats-optional", periodicity="monthly",
                    payment_method="boleto")
    check_overdue(client, "2027-03-02")
    assert check_overdue(client, "2027-03-05")["suspended"] == 1
    granted = entitlements(client, account_id, token)[sub["id"]]
    assert (granted["status"], granted["license"], granted["support"], granted["updates"]) == (
        "suspended", "active", False, False)
    [mail] = mails(client, "license_suspended")
    assert "suporte e atualizações interrompidos; a licença de uso continua válida" in mail["text"]


def test_a_subscription_paid_through_next_year_is_not_blocked_by_an_overdue_monthly_one(client):
    account_id, token = billable_account(client, "mixed-owner", due_day=None)
    at(client, "2027-03-01")
    annual = subscribe(client, account_id, token, product_id="operand-pro", periodicity="annual", quantity=2,
                       payment_method="boleto")
    assert dev_pay(client, annual["invoice_id"], "boleto").status_code == 200
    monthly = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", quantity=1,
                        payment_method="boleto")
    check_overdue(client, "2027-03-02")
    assert check_overdue(client, "2027-03-05")["suspended"] == 1
    granted = entitlements(client, account_id, token)
    assert (granted[monthly["id"]]["license"], granted[annual["id"]]["license"]) == ("suspended", "active")
    assert granted[annual["id"]]["paid_through"] == "2028-03-01" and granted[annual["id"]]["support"] is True
    assert (status_of(account_id, annual["id"]), status_of(account_id, monthly["id"])) == ("active", "suspended")


def test_entitlements_are_for_billing_roles_and_the_vendors_product_only(client):
    account_id, token = billable_account(client, "roles-owner", due_day=None)
    refused = client.call("GET", f"/v1/internal/accounts/{account_id}/entitlements",
                          headers={"X-Internal-Token": "wrong", "Content-Type": "application/json"})
    assert refused.status_code == 401
    assert internal_entitlements(client, account_id) == []
    unknown = client.call("GET", "/v1/internal/accounts/acc_unknown/entitlements",
                          headers={"X-Internal-Token": "local-internal-token", "Content-Type": "application/json"})
    assert unknown.status_code == 404 and unknown.data["error"]["code"] == "account_not_found"


def stored_version(account_id: str, subscription_id: str) -> int:
    return stored_subscription(account_id, subscription_id).version


def test_a_crash_after_the_commit_loses_no_e_mail_the_next_run_sends_it_once(client, aws):
    from chalicelib.jobs.registry import run_job
    from tests.faults.injection import DynamoFaults, SimulatedCrash, crash_after

    account_id, token, sub_id, _ = _promob_renewal_due_friday_before_carnival(client)
    check_overdue(client, "2027-02-10")
    at(client, "2027-02-11", "07:00:00")  # the boleto's first late day (compensation by Wednesday 10)
    with DynamoFaults().add(crash_after(1)), pytest.raises(SimulatedCrash):  # dies right after the commit
        run_job("check-overdue", aws, date(2027, 2, 11))
    assert status_of(account_id, sub_id) == "past_due" and not mails(client, "invoice_overdue")
    assert check_overdue(client, "2027-02-11")["notices_delivered"] == 1
    assert len(mails(client, "invoice_overdue")) == 1
    assert check_overdue(client, "2027-02-11")["processed"] == 0


def _promob_renewal_due_on_a_plain_friday(client, user: str):
    """Promob monthly by boleto from Friday 5 February 2027, first month paid; the renewal invoice is
    due Friday 5 March (no holiday around it), its boleto compensated by the end of Monday 8."""
    account_id, token = billable_account(client, user, due_day=None)
    at(client, "2027-02-05")
    sub = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", quantity=1,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    assert issue_invoices(client, "2027-02-26")["invoices_issued"] == 1
    [renewal] = invoices(client, account_id, token, status="open")
    assert renewal["due_date"] == "2027-03-05"
    return account_id, token, sub["id"], renewal["id"]


def test_overdue_email_before_compensation_a_boleto_paid_on_its_friday_due_date_never_gets_it(client):
    account_id, token, sub_id, invoice_id = _promob_renewal_due_on_a_plain_friday(client, "friday-payer")
    assert check_overdue(client, "2027-03-06")["past_due"] == 0  # Saturday: paid yesterday, not settled yet
    assert check_overdue(client, "2027-03-08")["past_due"] == 0  # Monday 07:00: compensation still under way
    at(client, "2027-03-08", "11:00:00")  # the bank settles Friday's payment on Monday
    assert dev_pay(client, invoice_id, "boleto").status_code == 200
    assert check_overdue(client, "2027-03-09")["past_due"] == 0
    assert status_of(account_id, sub_id) == "active"
    assert mails(client, "invoice_overdue") == []
    assert "subscription.past_due" not in audit_actions(client, account_id, token)


def test_overdue_email_before_compensation_an_unpaid_boleto_gets_it_on_the_first_business_day_after(client):
    account_id, token, sub_id, _ = _promob_renewal_due_on_a_plain_friday(client, "friday-forgetter")
    assert check_overdue(client, "2027-03-06")["past_due"] == 0
    assert check_overdue(client, "2027-03-08")["past_due"] == 0  # Monday: it may still be compensating
    assert status_of(account_id, sub_id) == "active" and mails(client, "invoice_overdue") == []
    assert check_overdue(client, "2027-03-09")["past_due"] == 1  # Tuesday: nothing came, it is late
    assert status_of(account_id, sub_id) == "past_due"
    [mail] = mails(client, "invoice_overdue")
    assert "Fatura vencida" in mail["subject"]
