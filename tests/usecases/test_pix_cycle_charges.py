"""Pix Automático cycle charges on the in-memory fakes: the issue-invoices worker charges a renewal
invoice of an approved recurrence once (reruns, a crash between the PSP's answer and our write,
concurrent workers), only inside the window of 10 to 2 days before the due date; above the payer's
maximum, or too late, the invoice goes to boleto with an e-mail; the paid charge settles the invoice
once through the webhook, whatever the replays and order; a refused one leaves it to the overdue rules;
cancelling the subscription cancels the recurrence."""
import json
from datetime import date, timedelta

import pytest

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.pix_automatico import cycle_txid, invoice_of_txid
from chalicelib.services.payments.pix_automatico import Notification
from chalicelib.services.subscriptions.subscribing import SubscribeRequest
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.payments import PaymentItem
from tests.usecases.steps import pay


def _approved(world, periodicity=Periodicity.MONTHLY):
    """A subscription paid for its first period, renewing by Pix Automático (approved recurrence)."""
    account_id = world.account()
    done = world.subscriptions.subscribe(account_id, SubscribeRequest("operand-pro", periodicity, 2,
                                                                       payment_method="boleto"), actor="u-owner")
    subscription_id = done.subscription.subscription_id
    for invoice in _invoices(world, account_id):
        pay(world, account_id, invoice.invoice_id)
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    world.pix_psp.fake.payer_answers(rec_id, "approve")
    assert world.pix_automatico.apply(Notification(rec_id, "APROVADA")) == "applied"
    end = world.billing_repository.snapshot(account_id).subscription(subscription_id).current_period_end
    return account_id, subscription_id, rec_id, end


def _invoices(world, account_id) -> list[InvoiceItem]:
    return sorted((item for item in world.store.billing.query(f"ACCOUNT#{account_id}", model=InvoiceItem)
                   if isinstance(item, InvoiceItem)), key=lambda item: item.invoice_id)


def _issue(world, account_id, day: date):
    world.at(day.isoformat(), "06:00:00")
    return world.invoicing.issue_for_account(account_id, day)


def _renewal(world, account_id) -> InvoiceItem:
    [invoice] = [i for i in _invoices(world, account_id) if i.origin == "renewal"]
    return invoice


def _cobr_puts(world) -> list[tuple[str, str]]:
    return [call for call in world.pix_psp.calls if call[0] == "PUT" and call[1].startswith("/cobr/")]


def test_the_renewal_invoice_is_charged_once_at_issue_inside_the_window(world):
    account_id, _, rec_id, end = _approved(world)
    issue_day = end - timedelta(days=7)
    outcome = _issue(world, account_id, issue_day)
    invoice = _renewal(world, account_id)
    assert invoice.payment_method == "pix_automatico" and invoice.due_date == end
    assert [(c.invoice_id, c.outcome) for c in outcome.pix_charges] == [(invoice.invoice_id, "charged")]
    txid = cycle_txid(rec_id, invoice.invoice_id)
    assert (invoice.pix_txid, invoice.pix_charge_status) == (txid, "ATIVA")
    assert invoice_of_txid(rec_id, txid) == invoice.invoice_id and len(txid) == 35
    cobr = world.pix_psp.fake.cobrs[txid]  # validated against the Central Bank's schema by the fake PSP
    assert cobr["idRec"] == rec_id and cobr["valor"] == {"original": f"{invoice.total_cents // 100}."
                                                                     f"{invoice.total_cents % 100:02d}"}
    assert cobr["calendario"] == {"dataDeVencimento": end.isoformat()}
    days_before = (end - issue_day).days
    assert 2 <= days_before <= 10
    [summary] = [s for s in world.billing_repository.snapshot(account_id).open_invoices
                 if s.invoice_id == invoice.invoice_id]
    assert summary.pix_charge_status == "ATIVA"

    # Reruns of the job, the same day and the next: nothing more is sent.
    for day in (issue_day, issue_day, issue_day + timedelta(days=1)):
        again = _issue(world, account_id, day)
        assert [c.outcome for c in again.pix_charges] == []
    assert len(_cobr_puts(world)) == 1 and len(world.pix_psp.fake.cobrs) == 1


def test_a_crash_between_the_psp_and_our_write_is_recovered_by_the_rerun_without_a_second_charge(world):
    account_id, _, rec_id, end = _approved(world)
    issue_day = end - timedelta(days=7)
    charges = world.pix_cycle_charges
    original = charges._record

    def crash(*args, **kwargs):
        raise RuntimeError("process died after the PSP answered")

    charges._record = crash
    first = _issue(world, account_id, issue_day)
    assert first.pix_charges == [] and len(world.pix_psp.fake.cobrs) == 1  # sent, not recorded
    assert _renewal(world, account_id).pix_txid is None
    charges._record = original
    rerun = _issue(world, account_id, issue_day)
    invoice = _renewal(world, account_id)
    assert [c.outcome for c in rerun.pix_charges] == ["recovered"]
    assert invoice.pix_txid == cycle_txid(rec_id, invoice.invoice_id) and invoice.pix_charge_status == "ATIVA"
    assert len(world.pix_psp.fake.cobrs) == 1  # the PSP refused the second PUT of the same txid
    assert [c[0] for c in world.pix_psp.calls[-2:]] == ["PUT", "GET"]


def test_an_unreachable_psp_records_nothing_and_the_rerun_charges(world):
    account_id, _, _, end = _approved(world)
    issue_day = end - timedelta(days=7)
    world.pix_psp.down = True
    assert [c.outcome for c in _issue(world, account_id, issue_day).pix_charges] == ["psp_unavailable"]
    world.pix_psp.down = False
    assert [c.outcome for c in _issue(world, account_id, issue_day).pix_charges] == ["charged"]
    assert len(world.pix_psp.fake.cobrs) == 1


@pytest.mark.parametrize("days_before, expected", [(11, "not_yet"), (10, "charged"), (2, "charged"),
                                                   (1, "boleto")])
def test_a_charge_is_sent_only_from_10_to_2_days_before_the_due_date(world, days_before, expected):
    account_id, _, _, end = _approved(world)
    _issue_without_charging(world, account_id, end - timedelta(days=7))
    invoice = _renewal(world, account_id)
    world.at((invoice.due_date - timedelta(days=days_before)).isoformat())
    outcome = world.pix_cycle_charges.charge(account_id, invoice.invoice_id)
    assert outcome.outcome == expected
    sent = len(world.pix_psp.fake.cobrs)
    assert sent == (1 if expected == "charged" else 0)
    invoice = _renewal(world, account_id)
    if expected == "boleto":  # too late for the PSP: the customer pays by boleto, and is told so
        assert invoice.payment_method == "boleto" and invoice.digitable_line
        assert "pix_automatico_boleto" in world.mailer.templates(account_id)


class _NoCharges:
    @staticmethod
    def uncharged(snapshot):
        return []


def _issue_without_charging(world, account_id, day):
    charges, world.invoicing._cycle_charges = world.invoicing._cycle_charges, _NoCharges()
    try:
        _issue(world, account_id, day)
    finally:
        world.invoicing._cycle_charges = charges


def _approved_with_maximum(world, maximum: str):
    """As `_approved`, the payer setting a maximum per payment in their bank app as they approve."""
    account_id = world.account()
    done = world.subscriptions.subscribe(account_id, SubscribeRequest("operand-pro", Periodicity.MONTHLY, 2,
                                                                      payment_method="boleto"), actor="u-owner")
    pay(world, account_id, done.invoice.invoice_id)
    subscription_id = done.subscription.subscription_id
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    world.pix_psp.fake.payer_answers(rec_id, "approve", {"valorMaximo": maximum})
    assert world.pix_automatico.apply(Notification(rec_id, "APROVADA")) == "applied"
    end = world.billing_repository.snapshot(account_id).subscription(subscription_id).current_period_end
    return account_id, end


def test_above_the_payers_maximum_the_payers_psp_refuses_and_the_invoice_goes_to_boleto(world):
    account_id, end = _approved_with_maximum(world, "1.00")
    outcome = _issue(world, account_id, end - timedelta(days=7))
    assert [c.outcome for c in outcome.pix_charges] == ["boleto"]
    invoice = _renewal(world, account_id)
    assert invoice.payment_method == "boleto" and invoice.nosso_numero
    [cobr] = world.pix_psp.fake.cobrs.values()  # sent once, refused by the payer's PSP with AM02
    assert cobr["status"] == "REJEITADA" and cobr["encerramento"]["rejeicao"]["codigo"] == "AM02"
    assert invoice.pix_txid == cobr["txid"] and invoice.pix_charge_status == "REJEITADA"
    [email] = [m for m in world.mailer.sent if m.template == "pix_automatico_boleto"]
    assert "máximo que você definiu" in email.email.text
    [summary] = [s for s in world.billing_repository.snapshot(account_id).open_invoices
                 if s.invoice_id == invoice.invoice_id]
    assert summary.payment_method == "boleto"
    _issue(world, account_id, end - timedelta(days=7))  # a rerun: no second charge, boleto or e-mail
    assert len(world.pix_psp.fake.cobrs) == 1
    assert world.mailer.templates(account_id).count("pix_automatico_boleto") == 1


def test_within_the_payers_maximum_the_charge_stays_live(world):
    account_id, end = _approved_with_maximum(world, "99999.00")
    outcome = _issue(world, account_id, end - timedelta(days=7))
    assert [c.outcome for c in outcome.pix_charges] == ["charged"]
    assert _renewal(world, account_id).payment_method == "pix_automatico"


def _save(world, item):
    writes = world.billing_repository.writes()
    writes.save(item)
    writes.commit()


def _charged(world):
    account_id, subscription_id, rec_id, end = _approved(world)
    _issue(world, account_id, end - timedelta(days=7))
    invoice = _renewal(world, account_id)
    assert invoice.pix_charge_status == "ATIVA"
    return account_id, subscription_id, rec_id, invoice


def _deliver(world, body: dict):
    import json

    return world.pix_webhooks.receive(json.dumps(body).encode(), world.settings.pix_webhook_token)


def test_the_concluded_charge_settles_the_invoice_once_whatever_the_replays_and_order(world):
    account_id, subscription_id, _, invoice = _charged(world)
    world.at(invoice.due_date.isoformat())
    notification, [outcome] = world.dev_pix_automatico.charge(invoice.pix_txid, "pay")
    assert (outcome.kind, outcome.outcome, outcome.invoice_id, outcome.invoice_status) == (
        "cobr", "settled", invoice.invoice_id, "paid")
    paid = _renewal(world, account_id)
    assert (paid.status, paid.paid_cents, paid.pix_charge_status) == ("paid", paid.total_cents, "CONCLUIDA")
    # The same delivery again, and a late ATIVA: nothing more is recorded.
    [again] = _deliver(world, notification)
    assert again.outcome == "duplicate"
    late = {"cobsr": [{**notification["cobsr"][0], "status": "ATIVA"}]}
    late["cobsr"][0].pop("pix")
    [stale] = _deliver(world, late)
    assert stale.outcome == "stale"
    after = _renewal(world, account_id)
    assert (after.status, after.paid_cents, after.pix_charge_status) == ("paid", paid.total_cents, "CONCLUIDA")
    payments = [p for p in world.store.billing.query(f"ACCOUNT#{account_id}", model=PaymentItem)
                if isinstance(p, PaymentItem) and p.invoice_id == invoice.invoice_id]
    assert [(p.method, p.amount_cents) for p in payments] == [("pix_automatico", paid.total_cents)]
    subscription = world.billing_repository.snapshot(account_id).subscription(subscription_id)
    assert subscription.current_period_end == invoice.lines[0].period_end  # the period paid for


def test_a_refused_charge_is_mirrored_and_the_invoice_goes_to_boleto_under_the_overdue_rules(world):
    account_id, _, _, invoice = _charged(world)
    world.at(invoice.due_date.isoformat())
    _, [outcome] = world.dev_pix_automatico.charge(invoice.pix_txid, "reject")
    assert (outcome.outcome, outcome.status) == ("applied", "REJEITADA")
    refused = _renewal(world, account_id)
    assert (refused.status, refused.pix_charge_status, refused.paid_cents) == ("open", "REJEITADA", 0)
    # Payable by boleto from now on, and the customer is told; still on the check-overdue job's list.
    assert refused.payment_method == "boleto" and refused.digitable_line
    assert world.mailer.templates(account_id).count("pix_automatico_boleto") == 1
    [summary] = [s for s in world.billing_repository.snapshot(account_id).open_invoices
                 if s.invoice_id == invoice.invoice_id]
    assert summary.due_pk and summary.due_pk.startswith("REVIEW#") and summary.payment_method == "boleto"
    # The same refusal delivered again changes nothing and sends no second e-mail.
    notification = world.pix_psp.fake.charge_notification(invoice.pix_txid)
    [again] = _deliver(world, notification)
    assert again.outcome == "duplicate"
    assert world.mailer.templates(account_id).count("pix_automatico_boleto") == 1
    # Not charged again by a later run of the worker.
    _issue(world, account_id, invoice.due_date - timedelta(days=7))
    assert len(world.pix_psp.fake.cobrs) == 1


def test_the_payers_psp_retrying_is_mirrored_attempt_by_attempt_and_the_retry_pays(world):
    account_id, _, _, invoice = _charged(world)
    world.at(invoice.due_date.isoformat())
    _, [first] = world.dev_pix_automatico.charge(invoice.pix_txid, "fail_attempt")
    assert (first.outcome, first.status) == ("applied", "ATIVA")
    after_one = _renewal(world, account_id)
    assert (after_one.pix_charge_status, after_one.pix_charge_attempts) == ("ATIVA", 1)
    assert json.loads(after_one.pix_last_attempt) == {"date": invoice.due_date.isoformat(), "type": "AGND",
                                                      "status": "REJEITADA", "code": "AC06"}
    assert after_one.payment_method == "pix_automatico"  # the PSP retries: no boleto yet
    [again] = _deliver(world, world.pix_psp.fake.charge_notification(invoice.pix_txid))
    assert again.outcome == "duplicate"
    world.dev_pix_automatico.charge(invoice.pix_txid, "fail_attempt")
    _, [paid] = world.dev_pix_automatico.charge(invoice.pix_txid, "pay")
    assert paid.outcome == "settled"
    done = _renewal(world, account_id)
    assert (done.status, done.pix_charge_status, done.pix_charge_attempts) == ("paid", "CONCLUIDA", 3)
    assert json.loads(done.pix_last_attempt)["type"] == "RIFL"
    assert world.mailer.templates(account_id).count("pix_automatico_boleto") == 0


def test_a_refusal_above_the_payers_maximum_by_webhook_tells_the_customer_why(world):
    """A PSP that answers the charge ATIVA and learns of the payer's refusal later sends it by webhook."""
    account_id, _, _, invoice = _charged(world)
    refusal = {"cobsr": [{"idRec": invoice_rec(world, invoice), "txid": invoice.pix_txid, "status": "REJEITADA",
                          "encerramento": {"rejeicao": {"codigo": "AM02", "descricao": "Valor acima do limite."}}}]}
    [outcome] = _deliver(world, refusal)
    assert (outcome.outcome, outcome.status) == ("applied", "REJEITADA")
    assert _renewal(world, account_id).payment_method == "boleto"
    [email] = [m for m in world.mailer.sent if m.template == "pix_automatico_boleto"]
    assert "máximo que você definiu" in email.email.text


def invoice_rec(world, invoice) -> str:
    return world.pix_psp.fake.cobrs[invoice.pix_txid]["idRec"]


def test_licenses_added_mid_cycle_are_paid_now_by_a_one_off_pix_and_renewals_stay_automatic(world):
    from chalicelib.services.subscriptions.change_terms import ChangeRequest

    account_id, subscription_id, _, invoice = _charged(world)
    world.at(invoice.due_date.isoformat())
    world.dev_pix_automatico.charge(invoice.pix_txid, "pay")  # the renewal paid: Pix Automático now renews
    assert world.billing_repository.snapshot(account_id).subscription(subscription_id).payment_method == \
        "pix_automatico"
    world.at((invoice.due_date + timedelta(days=5)).isoformat())
    applied, order_id = world.plan_changes.apply(account_id, subscription_id, ChangeRequest(quantity=3),
                                                 actor="u-owner")
    order = world.invoice_reads.get(account_id, order_id)
    assert order.payment_method == "boleto" and order.pix_payload and order.pix_txid is None
    assert world.billing_repository.snapshot(account_id).subscription(subscription_id).payment_method == \
        "pix_automatico"
    _issue(world, account_id, world.today())  # no cycle charge is sent for the order
    assert len(world.pix_psp.fake.cobrs) == 1


def test_a_notification_for_an_unknown_charge_is_unmatched(world):
    account_id, _, rec_id, invoice = _charged(world)
    forged = {"cobsr": [{"idRec": rec_id, "txid": "inv" + "0" * 32, "status": "CONCLUIDA",
                         "atualizacao": [{"status": "CONCLUIDA", "data": "2026-05-01T10:00:00Z"}]}]}
    [outcome] = _deliver(world, forged)
    assert outcome.outcome == "unmatched"
    assert _renewal(world, account_id).status == "open"


def _psp_status(world, rec_id):
    return world.pix_psp.fake.recs[rec_id]["status"]


def test_cancelling_the_subscription_cancels_its_recurrence_once(world):
    account_id, subscription_id, rec_id, end = _approved(world)
    world.at((end - timedelta(days=12)).isoformat())  # outside the withdrawal window: scheduled
    world.cancellations.cancel(account_id, subscription_id, "Não preciso mais", actor="u-owner")
    assert _psp_status(world, rec_id) == "CANCELADA"
    assert world.pix_recurrences.get(account_id, subscription_id).status == "CANCELADA"
    patches = [c for c in world.pix_psp.calls if c[0] == "PATCH"]
    assert len(patches) == 1
    # Again (the ending on the effective date calls it too): nothing more reaches the PSP.
    assert world.pix_automatico.end_with_subscription(account_id, subscription_id, "job") == "none"
    assert [c for c in world.pix_psp.calls if c[0] == "PATCH"] == patches
    # No renewal is billed, so nothing is charged.
    _issue(world, account_id, end - timedelta(days=7))
    assert world.pix_psp.fake.cobrs == {}


def test_a_cancellation_for_non_payment_cancels_the_recurrence(world):
    account_id, subscription_id, rec_id, invoice = _charged(world)
    world.at(invoice.due_date.isoformat())
    world.dev_pix_automatico.charge(invoice.pix_txid, "reject")  # unpaid, then by boleto, never paid
    status = None
    for _ in range(90):
        world.clock.advance(days=1)
        world.overdue.review_account(account_id)
        status = world.billing_repository.snapshot(account_id).subscription(subscription_id).status
        if status == "cancelled":
            break
    assert status == "cancelled"
    assert _psp_status(world, rec_id) == "CANCELADA"
    assert world.pix_recurrences.get(account_id, subscription_id).status == "CANCELADA"
    world.clock.advance(days=1)
    world.overdue.review_account(account_id)  # later reviews leave the PSP alone
    assert len([c for c in world.pix_psp.calls if c[0] == "PATCH"]) == 1


def test_a_withdrawal_cancels_the_recurrence_after_its_commit(world):
    account_id, subscription_id, rec_id, _ = _approved(world)  # still inside the 7-day window
    world.cancellations.cancel(account_id, subscription_id, "Desisti", actor="u-owner")
    snapshot = world.billing_repository.snapshot(account_id)
    assert snapshot.subscription(subscription_id).status == "cancelled"
    assert _psp_status(world, rec_id) == "CANCELADA"
    assert world.pix_recurrences.get(account_id, subscription_id).status == "CANCELADA"


def test_an_unreachable_psp_does_not_undo_the_cancellation(world):
    account_id, subscription_id, rec_id, end = _approved(world)
    world.at((end - timedelta(days=12)).isoformat())
    world.pix_psp.down = True
    world.cancellations.cancel(account_id, subscription_id, "Não preciso mais", actor="u-owner")
    assert world.billing_repository.snapshot(account_id).subscription(subscription_id).auto_renew is False
    assert world.pix_recurrences.get(account_id, subscription_id).status == "APROVADA"
    world.pix_psp.down = False  # the ending on the effective date tries again
    assert world.pix_automatico.end_with_subscription(account_id, subscription_id, "job") == "applied"
    assert _psp_status(world, rec_id) == "CANCELADA"


def test_the_daily_step_charges_next_day_what_the_worker_could_not_and_only_once(world):
    account_id, _, _, end = _approved(world)
    issue_day = end - timedelta(days=7)
    world.pix_psp.down = True
    _issue(world, account_id, issue_day)
    assert world.pix_cycle_charges.run_due(issue_day) == {"psp_unavailable": 1}
    world.pix_psp.down = False
    next_day = issue_day + timedelta(days=1)
    world.at(next_day.isoformat(), "06:00:00")
    assert world.pix_cycle_charges.run_due(next_day) == {"charged": 1}
    assert world.pix_cycle_charges.run_due(next_day) == {}  # charged: off the list
    assert _renewal(world, account_id).pix_charge_status == "ATIVA" and len(world.pix_psp.fake.cobrs) == 1


def test_the_daily_step_bills_by_boleto_an_invoice_whose_window_passed(world):
    account_id, _, _, end = _approved(world)
    world.pix_psp.down = True
    _issue(world, account_id, end - timedelta(days=7))
    world.pix_psp.down = False
    late = end - timedelta(days=1)
    world.at(late.isoformat(), "06:00:00")
    assert world.pix_cycle_charges.run_due(late) == {"boleto": 1}
    invoice = _renewal(world, account_id)
    assert invoice.payment_method == "boleto" and invoice.digitable_line and world.pix_psp.fake.cobrs == {}
    assert "pix_automatico_boleto" in world.mailer.templates(account_id)
    assert world.pix_cycle_charges.run_due(late) == {}
