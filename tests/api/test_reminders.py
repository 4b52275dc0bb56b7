"""The send-reminders job end to end through HTTP with the dev clock and the local fake gateway
(docs/reminders.md): a pt-BR e-mail 3 days before an open boleto invoice falls due, with the amount,
the due date, the linha digitável, the Pix code and the invoice's page; never for a paid, card or
superseded invoice; once per invoice, whatever runs twice, overlaps or dies halfway; missed days
caught up while the boleto is not due yet."""
from datetime import date

import pytest

from chalicelib.store.audit import AuditItem, audit_pk
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem, invoice_sk, open_invoice_sk
from tests import ddblocal
from tests.steps.billing_steps import add_card, at, subscribe
from tests.steps.dynamodb_calls import dynamodb_calls
from tests.steps.invoicing_steps import BILLING_EMAIL, billable_account, invoice, outbox, pay, run_job
from tests.faults.jobs import killed_and_rerun

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

PROMOB = "promob-cats-mandatory"
MONTHLY = 19_900  # R$ 199,00
ISSUE_DAY, REMINDER_DAY, DUE_DAY = "2026-05-08", "2026-05-12", "2026-05-15"


def run_reminders(client, day: str | None = None, time: str = "09:00:00") -> dict:
    return run_job(client, day, time, job="send-reminders")


def reminders(client) -> list[dict]:
    return outbox(client, "invoice_reminder")


def renewal_due_on_the_15th(client, user: str = "lembrete-owner", method: str = "boleto") -> dict:
    return renewals_due_on_the_15th(client, (user, method))[0]


def renewals_due_on_the_15th(client, *accounts: tuple[str, str]) -> list[dict]:
    """Due day 15; for each (user, payment method), a monthly license bought on 20 April (paid)
    renews on 15 May: the issue-invoices run of 8 May issues its invoice, due on 15 May (a boleto,
    or the card on the due date)."""
    made = []
    for user, method in accounts:
        account_id, token = billable_account(client, user, due_day=15, name=f"Marcenaria {user}")
        at(client, "2026-04-20", "10:00:00")
        if method == "card":
            add_card(client, account_id, token)
        sub = subscribe(client, account_id, token, payment_method=method, product_id=PROMOB, periodicity="monthly")
        pay(client, sub["invoice_id"], method="card" if method == "card" else "pix")
        made.append((account_id, token))
    issued = run_job(client, ISSUE_DAY)
    assert issued["invoices_issued"] == len(accounts), issued
    worlds = []
    for account_id, token in made:
        [renewal] = [i for i in _open_invoices(client, account_id, token) if i["due_date"] == DUE_DAY]
        worlds.append({"account_id": account_id, "token": token,
                       "invoice": invoice(client, account_id, token, renewal["id"])})
    return worlds


def _open_invoices(client, account_id, token) -> list[dict]:
    response = client.call("GET", f"/v1/accounts/{account_id}/invoices?status=open&limit=100", token)
    assert response.status_code == 200, response.data
    return response.data["items"]


def audit_actions(account_id: str, action: str) -> list[AuditItem]:
    return [item for item in AuditItem.query(audit_pk(account_id)) if item.action == action]


def summary_of(account_id: str, invoice_id: str) -> OpenInvoiceItem:
    return OpenInvoiceItem.get(account_pk(account_id), open_invoice_sk(invoice_id), consistent_read=True)


def test_three_days_before_the_due_date_a_pt_br_reminder_with_the_boleto_goes_to_the_billing_list_and_owner(client):
    world = renewal_due_on_the_15th(client)
    boleto = world["invoice"]["boleto"]
    assert run_reminders(client, "2026-05-11")["sent"] == 0  # 4 days before: not yet
    assert reminders(client) == []

    summary = run_reminders(client, REMINDER_DAY)

    assert (summary["job"], summary["date"]) == ("send-reminders", REMINDER_DAY)
    assert (summary["processed"], summary["sent"], summary["skipped"], summary["failed"]) == (1, 1, 0, 0)
    [mail] = reminders(client)
    assert sorted(mail["to"]) == sorted([BILLING_EMAIL, "lembrete-owner@example.com"])
    assert mail["subject"] == (f"Lembrete: o boleto da fatura {world['invoice']['number']}, de R$ 199,00, vence "
                               "em 3 dias (15/05/2026) — Marcenaria lembrete-owner")
    text = mail["text"]
    assert "Valor: R$ 199,00" in text and "Vencimento: 15/05/2026" in text
    assert boleto["formatted_line"] in text and boleto["pix_payload"] in text
    assert f"/contas/{world['account_id']}/faturas/{world['invoice']['id']}" in text
    assert "Linha digitável" in text and "Pix (copia e cola)" in text
    [entry] = audit_actions(world["account_id"], "invoice.reminded")
    assert (entry.actor, entry.target) == ("job:send-reminders", world["invoice"]["id"])
    assert entry.after.as_dict()["due_date"] == DUE_DAY
    stored = summary_of(world["account_id"], world["invoice"]["id"])
    assert stored.reminded_on == date(2026, 5, 12) and stored.reminder_claimed_at is None

    # Run again the same day, the next days: still one e-mail.
    again = run_reminders(client, REMINDER_DAY, "15:00:00")
    assert (again["processed"], again["sent"], again["skipped"]) == (1, 0, 1)
    for day in ("2026-05-13", "2026-05-14", DUE_DAY):
        assert run_reminders(client, day)["sent"] == 0
    assert len(reminders(client)) == 1 and len(audit_actions(world["account_id"], "invoice.reminded")) == 1


def test_a_paid_invoice_gets_no_reminder(client):
    world = renewal_due_on_the_15th(client)
    at(client, "2026-05-10", "14:00:00")
    pay(client, world["invoice"]["id"], method="boleto")
    summary = run_reminders(client, REMINDER_DAY)
    assert (summary["processed"], summary["sent"]) == (0, 0)  # its summary left the list with the payment
    assert reminders(client) == []


def test_a_card_invoice_is_charged_on_the_due_date_and_gets_no_reminder(client):
    card, boleto = renewals_due_on_the_15th(client, ("cartao-owner", "card"), ("boleto-owner", "boleto"))
    assert card["invoice"]["payment_method"] == "card" and card["invoice"]["boleto"] is None
    summary = run_reminders(client, REMINDER_DAY)
    assert (summary["processed"], summary["sent"]) == (1, 1)
    [mail] = reminders(client)
    assert "boleto-owner@example.com" in mail["to"] and "cartao-owner@example.com" not in mail["to"]
    assert not audit_actions(card["account_id"], "invoice.reminded")
    assert audit_actions(boleto["account_id"], "invoice.reminded")


def test_a_superseded_or_void_invoice_still_listed_gets_no_reminder(client):
    """Consolidation and voiding delete the live summary with the status change; should a summary
    outlive it, the invoice itself decides: nothing is sent for a boleto that is not payable."""
    superseded, void = renewals_due_on_the_15th(client, ("superseded-owner", "boleto"), ("void-owner", "boleto"))
    for world, status in ((superseded, "superseded"), (void, "void")):
        item = InvoiceItem.get(account_pk(world["account_id"]), invoice_sk(world["invoice"]["id"]))
        item.update(actions=[InvoiceItem.status.set(status)])
    summary = run_reminders(client, REMINDER_DAY)
    assert (summary["processed"], summary["sent"], summary["skipped"]) == (2, 0, 2)
    assert reminders(client) == []
    assert summary_of(superseded["account_id"], superseded["invoice"]["id"]).reminded_on is None


def test_partly_paid_the_old_boleto_is_not_reminded_the_2a_via_for_what_is_owed_is(client):
    world = renewal_due_on_the_15th(client)
    account_id, token, invoice_id = world["account_id"], world["token"], world["invoice"]["id"]
    at(client, "2026-05-10", "14:00:00")
    pay(client, invoice_id, method="pix", amount_cents=5_000)
    assert invoice(client, account_id, token, invoice_id)["status"] == "partially_paid"

    first = run_reminders(client, REMINDER_DAY)
    assert (first["processed"], first["sent"], first["skipped"]) == (1, 0, 1)  # the boleto asks R$ 199,00
    assert reminders(client) == []

    response = client.call("POST", f"/v1/accounts/{account_id}/invoices/{invoice_id}/second-copy", token)
    assert response.status_code < 300, response.data
    new_boleto = response.data["boleto"]
    assert (new_boleto["amount_cents"], new_boleto["due_date"]) == (14_900, DUE_DAY)

    later = run_reminders(client, REMINDER_DAY, "16:00:00")  # today's list is read again
    assert later["sent"] == 1
    [mail] = reminders(client)
    assert "R$ 149,00" in mail["subject"] and new_boleto["formatted_line"] in mail["text"]
    assert world["invoice"]["boleto"]["formatted_line"] not in mail["text"]


def test_days_missed_are_caught_up_while_the_boleto_is_not_due_yet(client):
    world = renewal_due_on_the_15th(client)
    run_reminders(client, "2026-05-09")  # the last run before an outage
    summary = run_reminders(client, "2026-05-14")  # missed 10 to 13 May
    # 9 and 10 May remind invoices due on 12 and 13 May, already past: skipped; 11 May (due today)
    # to 14 May are run.
    assert (summary["past_due_days"], summary["sent"]) == (2, 1)
    [mail] = reminders(client)
    assert "vence amanhã (15/05/2026)" in mail["subject"] and "vence amanhã" in mail["text"]
    assert world["invoice"]["boleto"]["formatted_line"] in mail["text"]
    assert run_reminders(client, "2026-05-14", "18:00:00")["sent"] == 0


def test_a_reminder_whose_due_date_passed_during_the_outage_is_not_sent(client):
    renewal_due_on_the_15th(client)
    run_reminders(client, "2026-05-09")
    summary = run_reminders(client, "2026-05-16")  # the boleto fell due yesterday: check-overdue's turn
    assert (summary["processed"], summary["sent"]) == (0, 0)
    assert summary["past_due_days"] == 4  # 9 to 12 May (due 12 to 15 May)
    assert reminders(client) == []


def test_reviewed_early_for_another_debt_an_invoice_due_on_a_saturday_is_still_reminded(client):
    """check-overdue reviews the account on Tuesday 11 August for another subscription's unpaid
    order. The renewal due on Saturday 15 August keeps its first look, Sunday 16 (once it was moved
    on past the boleto's fee-free Monday, and send-reminders never saw it); on Sunday it goes to
    Wednesday 19 — a boleto paid on the fee-free Monday is compensated by the end of Tuesday — and
    its subscription stays active through Tuesday."""
    account_id, token = billable_account(client, "sabado-owner", due_day=15, name="Marcenaria Sábado")
    at(client, "2026-07-20", "10:00:00")
    renewing = subscribe(client, account_id, token, payment_method="boleto", product_id=PROMOB, periodicity="monthly")
    pay(client, renewing["invoice_id"], method="pix")
    assert run_job(client, "2026-08-08")["invoices_issued"] == 1
    [renewal] = [i for i in _open_invoices(client, account_id, token) if i["due_date"] == "2026-08-15"]
    at(client, "2026-08-10", "10:00:00")
    unpaid = subscribe(client, account_id, token, payment_method="boleto", product_id="operand-pro",
                       periodicity="monthly")  # its order's boleto, due today, is never paid

    reviewed = run_job(client, "2026-08-11", job="check-overdue")
    assert reviewed["accounts_reviewed"] == 1, reviewed
    # Its boleto was due on Monday 10: paid then, it is compensated by the end of Tuesday.
    assert status_of(client, account_id, token, unpaid["id"]) == "active"
    assert summary_of(account_id, renewal["id"]).due_pk.startswith("REVIEW#2026-08-16#")

    assert run_reminders(client, "2026-08-12")["sent"] == 1
    [mail] = reminders(client)
    assert "15/08/2026" in mail["subject"]

    run_job(client, "2026-08-16", job="check-overdue")
    assert summary_of(account_id, renewal["id"]).due_pk.startswith("REVIEW#2026-08-19#")
    run_job(client, "2026-08-17", job="check-overdue")
    assert status_of(client, account_id, token, renewing["id"]) == "active"  # Monday: still fee-free
    run_job(client, "2026-08-18", job="check-overdue")
    assert status_of(client, account_id, token, renewing["id"]) == "active"  # Tuesday: compensating


def status_of(client, account_id: str, token: str, subscription_id: str) -> str:
    response = client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}", token)
    assert response.status_code == 200, response.data
    return response.data["status"]


def test_a_crash_between_the_claim_and_the_e_mail_is_resent_by_the_next_run(client, aws):
    world = renewal_due_on_the_15th(client)
    at(client, REMINDER_DAY)
    real_send = aws.mailer.send
    aws.mailer.send = lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("SES down"))
    failed = aws.reminders.run_due(date(2026, 5, 12))
    aws.mailer.send = real_send
    assert (failed.failed, failed.sent) == (1, 0)
    assert summary_of(world["account_id"], world["invoice"]["id"]).reminder_claimed_at is not None
    assert reminders(client) == []

    retried = run_reminders(client, REMINDER_DAY, "10:00:00")

    assert (retried["resent"], retried["sent"], retried["failed"]) == (1, 0, 0)
    assert len(reminders(client)) == 1
    assert summary_of(world["account_id"], world["invoice"]["id"]).reminder_claimed_at is None
    assert len(audit_actions(world["account_id"], "invoice.reminded")) == 1
    assert run_reminders(client, REMINDER_DAY, "11:00:00")["resent"] == 0
    assert len(reminders(client)) == 1


def test_killed_at_any_write_and_run_again_it_ends_like_one_clean_run(client, aws):
    renewals_due_on_the_15th(client, ("fault-one", "boleto"), ("fault-two", "boleto"))
    run_reminders(client, "2026-05-11")
    at(client, REMINDER_DAY)
    report = killed_and_rerun(aws, "send-reminders", date(2026, 5, 12))
    assert report["differences"] == {}, report
    assert report["writes"] > 2  # the claims, e-mails and clears were crashed at, not only the checkpoint


def test_dynamodb_calls_per_reminder_and_per_empty_run(client):
    renewals_due_on_the_15th(client, ("calls-one", "boleto"), ("calls-two", "boleto"))
    run_reminders(client, "2026-05-11")
    at(client, REMINDER_DAY)
    with dynamodb_calls() as busy:
        assert client.call("POST", "/v1/_dev/jobs/send-reminders").data["sent"] == 2
    at(client, "2026-05-13")
    with dynamodb_calls() as empty:
        assert client.call("POST", "/v1/_dev/jobs/send-reminders").data["sent"] == 0

    def counted(calls):
        ops = {}
        for operation, _ in calls:
            ops[operation] = ops.get(operation, 0) + 1
        return ops

    busy_ops, empty_ops = counted(busy), counted(empty)
    assert "Scan" not in busy_ops and "Scan" not in empty_ops
    # A run reads yesterday's and today's lists (8 shards each) and the checkpoint, and the same two
    # days of the trials' reminder list (services/subscriptions/trials.py); the local stage's
    # settable clock adds a GetItem per clock read (production reads the system clock).
    assert empty_ops["Query"] == 16 + 16 and empty_ops.get("TransactWriteItems", 0) == 0
    per_reminder = {op: (busy_ops.get(op, 0) - empty_ops.get(op, 0)) / 2 for op in busy_ops}
    # Per reminder: GetItem invoice, live-state Query, TransactWrite (claim + audit), UpdateItem
    # (claim cleared); the local outbox's PutItem and the claim's clock read come on top locally.
    assert per_reminder["Query"] == 1 and per_reminder["TransactWriteItems"] == 1
    assert per_reminder["UpdateItem"] == 1


@pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass")
def test_two_runs_at_once_send_one_reminder(client, aws):
    from tests.integration.test_ddblocal_concurrency import race
    from tests.integration.test_ddblocal_webhooks import RecordingMailer

    renewals_due_on_the_15th(client, ("race-one", "boleto"), ("race-two", "boleto"))
    run_reminders(client, "2026-05-11")
    at(client, REMINDER_DAY)
    mailer = RecordingMailer()
    aws.__dict__["mailer"] = mailer  # e-mails in memory: moto's SES is not thread-safe either
    aws.__dict__.pop("reminders", None)

    outcomes = race(4, lambda _: aws.reminders.run_due(date(2026, 5, 12)))

    assert [status for status, _ in outcomes] == ["ok"] * 4, outcomes
    assert sum(run.sent + run.resent for _, run in outcomes) == 2
    assert len(mailer.sent) == 2
