"""The invoicing worker and planner beyond the article cases: the SQS path, card subscriptions, a
worker losing the race, a crash between the commit and the e-mail, account credit, accounts without
billing data, where the index puts a subscription, fixed-term contracts."""
import json
from datetime import date

import pytest
from botocore.exceptions import ClientError

from chalicelib.services.invoicing.job import IssueInvoicesJob, work_item
from chalicelib.store.schema import DUE_SHARDS
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.steps.billing_steps import add_card, at, change, subscribe
from tests.steps.invoicing_steps import (
    billable_account, invoice, invoices, outbox, pay, run_job, stored_invoices,
)
from tests.support import VALID_BILLING_DATA, make_token

pytestmark = pytest.mark.ddblocal

PROMOB = "promob-cats-mandatory"
STAFF = make_token("fin-1", "carla@vendor.example", groups=["finance"])


def _paid_subscription(client, account_id, token, day="2026-04-20", **body):
    at(client, day, "10:00:00")
    sub = subscribe(client, account_id, token, **{"product_id": PROMOB, "periodicity": "monthly",
                                                  "payment_method": "boleto", **body})
    pay(client, sub["invoice_id"])
    return sub


def _subscription(account_id, subscription_id) -> SubscriptionItem:
    return SubscriptionItem.get(account_pk(account_id), subscription_sk(subscription_id), consistent_read=True)


def _drain(sqs, url) -> list[str]:
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies.extend(m["Body"] for m in messages)
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)])
    return bodies


def test_the_planner_fans_out_through_the_queue_and_the_sqs_worker_issues_each_account_once(client, aws, monkeypatch):
    from chalice.test import Client

    import app as app_module
    from chalicelib.services.invoicing import job as invoicing_job

    accounts = [billable_account(client, f"queued-{n}") for n in range(3)]
    for account_id, token in accounts:
        _paid_subscription(client, account_id, token)
        _paid_subscription(client, account_id, token, product_id="promob-cats-optional")  # two subs, one item
    at(client, "2026-05-08", "06:00:00")
    monkeypatch.setattr(invoicing_job, "PAGE", 1)  # one index entry a page: the planning continues itself
    planner = IssueInvoicesJob(aws.invoice_reads, aws.checkpoints, aws.work_queue, in_process=False)
    aws.checkpoints.advance("issue-invoices", date(2026, 5, 7))
    run = planner.run(date(2026, 5, 8), worker=None)
    assert (run.queued, run.invoices_issued) == (DUE_SHARDS, 0)  # one planning item per shard, nothing issued

    sqs = aws.boto3_client("sqs")
    url = sqs.get_queue_url(QueueName=aws.settings.work_queue)["QueueUrl"]
    delivered = []
    with Client(app_module.app) as lambdas:
        def deliver(bodies):
            lambdas.lambda_.invoke("work-queue-worker", lambdas.events.generate_sqs_event(
                message_bodies=bodies, queue_name=aws.settings.work_queue))

        while bodies := _drain(sqs, url):
            delivered.extend(bodies)
            deliver(bodies)
        kinds = [json.loads(body)["kind"] for body in delivered]
        # One index entry a page: the eight shards and the follow-up pages of the shards with accounts.
        assert kinds.count("plan-issue-shard") > DUE_SHARDS and kinds.count("issue-invoice") >= 3
        deliver([body for body in delivered if json.loads(body)["kind"] == "issue-invoice"])  # at least once
    for account_id, _ in accounts:
        renewals = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
        assert len(renewals) == 1 and len(renewals[0].lines) == 2


def test_card_subscriptions_get_their_invoice_on_the_charge_index_without_a_boleto(client, aws):
    account_id, token = billable_account(client, "card-owner")
    add_card(client, account_id, token)
    _paid_subscription(client, account_id, token, product_id="operand-pro", payment_method="card")
    _paid_subscription(client, account_id, token)  # boleto: a second invoice, one per method
    run_job(client, "2026-05-08")
    by_method = {i["payment_method"]: invoice(client, account_id, token, i["id"])
                 for i in invoices(client, account_id, token, "open")}
    assert set(by_method) == {"card", "boleto"}
    card = by_method["card"]
    assert card["boleto"] is None and card["due_date"] == "2026-05-15"
    summary = OpenInvoiceItem.get(account_pk(account_id), open_invoice_sk(card["id"]), consistent_read=True)
    assert summary.due_pk.startswith("CHARGE#2026-05-15#")
    assert by_method["boleto"]["boleto"]["due_date"] == "2026-05-15"
    card_email = next(e for e in outbox(client) if card["id"] in e["text"])
    assert "cartão Visa final 4242" in card_email["text"]


def test_a_worker_that_loses_the_race_leaves_one_invoice_and_no_orphan_pdf(client, aws, monkeypatch):
    from chalicelib.jobs.work_queue import handle

    account_id, token = billable_account(client, "race-owner")
    _paid_subscription(client, account_id, token)
    at(client, "2026-05-08", "06:00:00")
    documents = aws.boleto_documents
    issue = documents.issue
    issued_pdfs = []

    def issue_while_another_worker_commits(**kwargs):
        document = issue(**kwargs)
        issued_pdfs.append(document.pdf_key)
        if len(issued_pdfs) == 1:
            assert len(handle(work_item(account_id, date(2026, 5, 8)))["invoice_ids"]) == 1  # the other worker
        return document

    monkeypatch.setattr(documents, "issue", issue_while_another_worker_commits)
    result = handle(work_item(account_id, date(2026, 5, 8)))
    assert (result["invoice_ids"], result["already_issued"]) == ([], True)
    (renewal,) = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    loser, winner = issued_pdfs
    assert renewal.pdf_key == winner and aws.files.get(winner).startswith(b"%PDF")
    with pytest.raises(ClientError):
        aws.files.get(loser)  # the losing worker's boleto PDF was discarded


def test_a_crash_between_the_commit_and_the_email_is_sent_by_the_retry(client, aws, monkeypatch):
    from chalicelib.jobs.work_queue import handle

    account_id, token = billable_account(client, "crash-owner")
    _paid_subscription(client, account_id, token)
    at(client, "2026-05-08", "06:00:00")
    sent = len(outbox(client))
    mailer, send = aws.mailer, aws.mailer.send

    def crash(*args, **kwargs):
        raise ConnectionError("SES unreachable")

    monkeypatch.setattr(mailer, "send", crash)
    with pytest.raises(ConnectionError):
        handle(work_item(account_id, date(2026, 5, 8)))
    monkeypatch.setattr(mailer, "send", send)
    retry = handle(work_item(account_id, date(2026, 5, 8)))
    assert (retry["invoice_ids"], retry["notices_resent"]) == ([], 1)
    assert len(outbox(client)) == sent + 1
    (issued,) = invoices(client, account_id, token, "open")
    summary = OpenInvoiceItem.get(account_pk(account_id), open_invoice_sk(issued["id"]), consistent_read=True)
    assert summary.notice_pending is None
    assert handle(work_item(account_id, date(2026, 5, 8)))["notices_resent"] == 0


def test_account_credit_pays_first_and_a_fully_covered_invoice_is_paid_without_a_boleto(client):
    account_id, token = billable_account(client, "credit-owner")
    _paid_subscription(client, account_id, token)
    granted = client.call("POST", f"/v1/admin/accounts/{account_id}/credits", STAFF,
                          {"amount_cents": 25000, "reason": "Cortesia"})
    assert granted.status_code in (200, 201), granted.data
    run_job(client, "2026-05-08")
    (issued,) = [i for i in invoices(client, account_id, token, "paid") if i["origin"] == "renewal"]
    detail = invoice(client, account_id, token, issued["id"])
    assert [line["amount_cents"] for line in detail["lines"]] == [19900, -19900]
    assert (detail["total_cents"], detail["boleto"]) == (0, None)
    assert client.call("GET", f"/v1/accounts/{account_id}", token).data["credit_cents"] == 25000 - 19900


def test_without_billing_data_the_invoice_waits_for_its_boleto_until_the_second_copy(client):
    account_id, token = client.create_account("nodata-owner", "Sem dados")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"due_day": 15}).status_code == 200
    _paid_subscription(client, account_id, token)
    run_job(client, "2026-05-08")
    (issued,) = invoices(client, account_id, token, "open")
    assert invoice(client, account_id, token, issued["id"])["boleto"] is None
    assert "dados de faturamento" in outbox(client)[0]["text"]
    path = f"/v1/accounts/{account_id}/invoices/{issued['id']}/second-copy"
    refused = client.call("POST", path, token)
    assert (refused.status_code, refused.data["error"]["code"]) == (409, "billing_data_required")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, VALID_BILLING_DATA).status_code == 200
    copy = client.call("POST", path, token).data
    boleto = copy["boleto"]
    assert (copy["new_boleto"], boleto["due_date"], boleto["amount_cents"]) == (True, "2026-05-15", 19900)


def test_the_index_follows_subscribing_billing_and_plan_changes(client):
    account_id, token = billable_account(client, "index-owner", due_day=None)
    at(client, "2026-04-03", "10:00:00")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", payment_method="boleto")
    assert _subscription(account_id, sub["id"]).due_pk.startswith("ISSUE#2026-04-26#")  # renews 3 May
    pay(client, sub["invoice_id"])
    run_job(client, "2026-04-26")
    billed = _subscription(account_id, sub["id"])
    assert billed.billed_through == date(2026, 6, 3) and billed.due_pk.startswith("ISSUE#2026-05-27#")
    at(client, "2026-04-10", "10:00:00")
    changed = change(client, account_id, token, sub["id"], {"periodicity": "annual", "payment_method": "boleto"})
    assert changed.status_code == 200, changed.data
    moved = _subscription(account_id, sub["id"])
    assert moved.billed_through is None and moved.due_pk.startswith("ISSUE#2027-04-03#")


def test_a_fixed_term_contract_stops_billing_after_its_installments(client, aws):
    account_id, token = billable_account(client, "term-owner")
    sub = _paid_subscription(client, account_id, token, product_id="mentoria-12")
    item = _subscription(account_id, sub["id"])
    item.renewals_billed = 10  # the first installment at subscribing, ten renewals since
    item.save()
    run_job(client, "2026-05-08")
    assert _subscription(account_id, sub["id"]).due_pk is None  # the twelfth was the last
    assert len([i for i in stored_invoices(account_id) if i.origin == "renewal"]) == 1
