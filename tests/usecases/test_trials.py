"""Trials on the fakes (docs/promotions.md): subscribing starts the trial with nothing billed; its first
period is billed by the invoicing job as a renewal, 7 days before `trial_end`; one trial per account
and product, ever; cancelling in trial bills nothing; a plan change keeps the trial's end; the
reminder goes 3 days before the end."""
from datetime import date

import pytest

from chalicelib.domain.enums import Periodicity
from chalicelib.errors import Conflict
from chalicelib.services.subscriptions.cards import CardData
from chalicelib.services.subscriptions.change_terms import ChangeRequest
from chalicelib.services.subscriptions.subscribing import SubscribeRequest
from chalicelib.services.subscriptions.views import shown_status
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.subscriptions import TrialItem, trial_sk
from tests.usecases.steps import OWNER, pay

TRIAL_PRODUCT = "operand-start"  # 14 days free, R$ 49,00 a license a month
TODAY = date(2026, 4, 20)
TRIAL_END = date(2026, 5, 4)


def start_trial(world, account_id, method="boleto", quantity=1, **extra):
    if method == "card" and world.billing_repository.snapshot(account_id).card is None:
        world.cards.set_card(account_id, CardData("pm_card_visa", "visa", "4242", 12, 2030), actor=OWNER)
    return world.subscriptions.subscribe(account_id, SubscribeRequest(
        TRIAL_PRODUCT, Periodicity.MONTHLY, quantity=quantity, payment_method=method, **extra), actor=OWNER)


def invoices(world, account_id) -> list[InvoiceItem]:
    return [item for item in world.store.billing.query(f"ACCOUNT#{account_id}", model=InvoiceItem)
            if isinstance(item, InvoiceItem)]


def test_subscribing_starts_the_trial_with_no_invoice_and_the_license_active(world):
    account_id = world.account()
    done = start_trial(world, account_id, quantity=3)
    subscription = done.subscription
    assert done.invoice_id is None and invoices(world, account_id) == []
    assert (subscription.trial_end, subscription.current_period_start, subscription.current_period_end) == (
        TRIAL_END, TODAY, TRIAL_END)
    assert shown_status(subscription) == "trialing" and subscription.paid_cents == 0
    [entitlement] = world.entitlements.for_account(account_id)
    assert (entitlement.grants.license, entitlement.seats) == ("active", 3)


def test_a_second_trial_of_the_same_product_is_refused_even_after_cancelling_the_first(world):
    account_id = world.account()
    first = start_trial(world, account_id)
    world.trials.end_if_in_trial(account_id, first.subscription.subscription_id, OWNER)
    with pytest.raises(Conflict) as refused:
        start_trial(world, account_id)
    assert refused.value.code == "trial_already_used"
    paying = start_trial(world, account_id, trial=False)  # subscribing without the trial is still possible
    assert paying.invoice_id and paying.subscription.trial_end is None


def test_the_database_refuses_a_second_trial_marker_even_when_the_read_missed_it(world, monkeypatch):
    account_id = world.account()
    start_trial(world, account_id)
    real = world.billing_repository.snapshot

    def without_marker(*args, **kwargs):  # a read that does not see the first trial (a race)
        snapshot = real(*args, **kwargs)
        snapshot.others = [item for item in snapshot.others if not isinstance(item, TrialItem)]
        return snapshot

    monkeypatch.setattr(world.billing_repository, "snapshot", without_marker)
    with pytest.raises(Conflict) as refused:
        start_trial(world, account_id)
    assert refused.value.code == "trial_already_used"
    assert world.store.billing.get(f"ACCOUNT#{account_id}", trial_sk(TRIAL_PRODUCT), TrialItem) is not None


def test_by_boleto_the_first_period_is_invoiced_7_days_before_trial_end_as_a_renewal(world):
    account_id = world.account()
    start_trial(world, account_id, method="boleto", quantity=2)
    issue_day = date(2026, 4, 27)
    assert world.invoice_reads.accounts_to_issue(issue_day, _shard(account_id))[0] == [account_id]
    world.at("2026-04-27", "06:00:00")
    world.invoicing.issue_for_account(account_id, issue_day)
    [invoice] = invoices(world, account_id)
    assert (invoice.origin, invoice.due_date, invoice.total_cents, invoice.payment_method) == (
        "renewal", TRIAL_END, 2 * 4900, "boleto")
    assert invoice.nosso_numero  # issued with its boleto
    assert [(line.period_start, line.period_end) for line in invoice.lines] == [(TRIAL_END, date(2026, 6, 4))]
    assert "invoice_issued" in world.mailer.templates(account_id)
    world.at("2026-05-04")
    pay(world, account_id, invoice.invoice_id)
    subscription = world.billing_repository.snapshot(account_id).subscriptions[0]
    assert (subscription.current_period_start, subscription.current_period_end, shown_status(subscription)) == (
        TRIAL_END, date(2026, 6, 4), "active")
    assert subscription.paid_cents == 2 * 4900


def test_by_card_the_first_period_is_due_and_charged_on_trial_end(world):
    account_id = world.account()
    start_trial(world, account_id, method="card")
    world.at("2026-04-27", "06:00:00")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    [invoice] = invoices(world, account_id)
    assert (invoice.due_date, invoice.payment_method, invoice.total_cents) == (TRIAL_END, "card", 4900)
    [summary] = world.billing_repository.snapshot(account_id).open_invoices
    assert summary.due_pk.startswith("CHARGE#2026-05-04")  # on the charge-cards list of trial_end


def test_cancelling_in_trial_ends_it_at_once_and_bills_nothing(world):
    account_id = world.account()
    done = start_trial(world, account_id)
    world.at("2026-04-28")  # after the first invoice was issued ahead
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    [issued] = invoices(world, account_id)
    ended = world.trials.end_if_in_trial(account_id, done.subscription.subscription_id, OWNER)
    assert ended.effective_date == date(2026, 4, 28) and ended.voided_invoice_ids == (issued.invoice_id,)
    snapshot = world.billing_repository.snapshot(account_id)
    subscription = snapshot.subscriptions[0]
    assert (subscription.status, subscription.auto_renew, subscription.due_pk) == ("cancelled", False, None)
    assert snapshot.open_invoices == []
    assert [i.status for i in invoices(world, account_id)] == ["void"]
    [entitlement] = world.entitlements.for_account(account_id)
    assert entitlement.grants.license == "none"


def test_outside_the_trial_the_trial_service_leaves_cancelling_to_the_cancellation_rules(world):
    account_id = world.account()
    done = start_trial(world, account_id, trial=False)
    assert world.trials.end_if_in_trial(account_id, done.subscription.subscription_id, OWNER) is None


def test_a_plan_change_in_trial_changes_the_plan_not_the_trial_end_and_charges_nothing(world):
    account_id = world.account()
    done = start_trial(world, account_id)
    subscription_id = done.subscription.subscription_id
    world.at("2026-04-25")
    request = ChangeRequest(periodicity=Periodicity.ANNUAL, quantity=2)
    preview = world.plan_changes.preview(account_id, subscription_id, request)
    applied, invoice_id = world.plan_changes.apply(account_id, subscription_id, request, actor=OWNER)
    assert (preview.charge_now_cents, preview.new_period.end) == (applied.charge_now_cents, applied.new_period.end)
    assert (applied.charge_now_cents, invoice_id, applied.new_period.end) == (0, None, TRIAL_END)
    subscription = world.billing_repository.snapshot(account_id).subscription(subscription_id)
    assert (subscription.periodicity, subscription.quantity, subscription.trial_end,
            subscription.current_period_end) == ("annual", 2, TRIAL_END, TRIAL_END)
    world.at("2026-04-27", "06:00:00")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    [invoice] = invoices(world, account_id)
    assert (invoice.due_date, invoice.total_cents) == (TRIAL_END, 2 * 49000)  # the new plan, from trial_end


def test_the_reminder_goes_3_days_before_the_trial_ends_once_saying_what_will_be_charged(world):
    account_id = world.account()
    start_trial(world, account_id, method="card", quantity=2)
    assert world.trials.remind_due(date(2026, 4, 30)).sent == 0
    world.at("2026-05-01", "09:00:00")
    run = world.trials.remind_due(date(2026, 5, 1))
    assert run.sent == 1
    [email] = [e for e in world.mailer.sent if e.email.template == "trial_ending"]
    assert "04/05/2026" in email.email.subject
    assert "R$ 98,00" in email.email.text and "cartão" in email.email.text
    assert world.trials.remind_due(date(2026, 5, 1)).sent == 0  # claimed: never twice


def test_a_cancelled_trial_gets_no_reminder(world):
    account_id = world.account()
    done = start_trial(world, account_id)
    world.trials.end_if_in_trial(account_id, done.subscription.subscription_id, OWNER)
    world.at("2026-05-01", "09:00:00")
    assert world.trials.remind_due(date(2026, 5, 1)).sent == 0
    assert "trial_ending" not in world.mailer.templates(account_id)


def _shard(account_id: str) -> int:
    from chalicelib.store.due import shard_of

    return shard_of(account_id)


def test_a_plan_change_in_trial_after_the_first_invoice_was_issued_rebills_the_new_plan(world):
    account_id = world.account()
    done = start_trial(world, account_id)
    subscription_id = done.subscription.subscription_id
    world.at("2026-04-27", "06:00:00")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    [first] = invoices(world, account_id)
    world.at("2026-04-28")
    applied, invoice_id = world.plan_changes.apply(account_id, subscription_id,
                                                   ChangeRequest(periodicity=Periodicity.ANNUAL), actor=OWNER)
    assert (applied.charge_now_cents, invoice_id, applied.new_period.end) == (0, None, TRIAL_END)
    assert world.invoice_reads.get(account_id, first.invoice_id).status == "superseded"
    world.at("2026-04-29", "06:00:00")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 29))
    [rebilled] = [i for i in invoices(world, account_id) if i.status == "open"]
    assert (rebilled.lines[0].period_start, rebilled.total_cents) == (TRIAL_END, 49000)


def test_licenses_added_in_trial_after_the_first_invoice_re_price_it_and_charge_nothing_now(world):
    account_id = world.account()
    done = start_trial(world, account_id)
    world.at("2026-04-27", "06:00:00")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    world.at("2026-04-28")
    applied, invoice_id = world.plan_changes.apply(account_id, done.subscription.subscription_id,
                                                   ChangeRequest(quantity=3), actor=OWNER)
    assert (applied.charge_now_cents, invoice_id) == (0, None)
    [reissued] = [i for i in invoices(world, account_id) if i.status == "open"]
    assert (reissued.due_date, reissued.total_cents) == (TRIAL_END, 3 * 4900)


def test_a_coupon_given_with_a_trial_discounts_the_first_paid_period(world):
    from chalicelib.services.subscriptions.coupons import NewCoupon

    world.coupons.create(NewCoupon(code="TESTE50", duration="once", percent_off=50), actor="fin-1")
    account_id = world.account()
    done = start_trial(world, account_id, coupon="teste50")
    assert (done.subscription.discount.starts, done.invoice_id) == (TRIAL_END, None)
    world.at("2026-04-27", "06:00:00")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    [invoice] = invoices(world, account_id)
    assert (invoice.total_cents, [line.kind for line in invoice.lines]) == (2450, ["subscription", "discount"])
