"""Pix Automático use cases on the in-memory fakes: authorise (journey 2, or journey 3 when an invoice
is due now), the payer's answers (approve, reject, expire, revoke) mirrored once whatever order and how
many times they arrive, cancel, and the PSP being down (503, nothing written)."""
import json

import pytest

from chalicelib.domain.enums import Periodicity
from chalicelib.errors import Conflict, NotFound, ServiceUnavailable
from chalicelib.services.payments.pix_automatico import Notification
from chalicelib.services.subscriptions.subscribing import SubscribeRequest
from chalicelib.store.invoices import InvoiceItem
from tests.usecases.steps import pay


def _subscribed(world, product_id="operand-pro", periodicity=Periodicity.MONTHLY, quantity=2, paid=True):
    """A boleto subscription; its first invoice paid unless `paid` is False (then due now)."""
    account_id = world.account()
    done = world.subscriptions.subscribe(account_id, SubscribeRequest(product_id, periodicity, quantity,
                                                                       payment_method="boleto"), actor="u-owner")
    if paid:
        pay(world, account_id, done.invoice.invoice_id)
    return account_id, done.subscription.subscription_id


def _subscription(world, account_id, subscription_id):
    return world.billing_repository.snapshot(account_id).subscription(subscription_id)


def test_authorise_sends_a_valid_recurrence_and_keeps_its_qr(world):
    account_id, subscription_id = _subscribed(world, periodicity=Periodicity.ANNUAL)
    item = world.pix_automatico.authorise(account_id, subscription_id, "u-owner")
    assert item.status == "CRIADA" and item.qr_payload.startswith("000201")
    received = world.pix_psp.fake.requests_log()
    assert [r["kind"] for r in received] == ["rec", "locrec"]  # newest first
    body = received[0]["body"]
    assert body["calendario"] == {"dataInicial": item.start, "periodicidade": "ANUAL"}
    assert body["vinculo"]["contrato"] == subscription_id and body["loc"] == item.location_id
    with pytest.raises(Conflict) as exists:
        world.pix_automatico.authorise(account_id, subscription_id, "u-owner")
    assert exists.value.code == "pix_automatico_exists"


def test_a_psp_outage_answers_503_and_writes_nothing(world):
    account_id, subscription_id = _subscribed(world)
    world.pix_psp.down = True
    with pytest.raises(ServiceUnavailable) as down:
        world.pix_automatico.authorise(account_id, subscription_id, "u-owner")
    assert down.value.code == "pix_psp_unavailable" and down.value.status == 503
    with pytest.raises(NotFound):
        world.pix_automatico.read(account_id, subscription_id)


@pytest.mark.parametrize("order", [("APROVADA", "APROVADA", "CRIADA"), ("APROVADA", "CRIADA", "APROVADA")])
def test_approval_applies_once_whatever_the_replays_and_order(world, order):
    account_id, subscription_id = _subscribed(world)
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    outcomes = [world.pix_automatico.apply(Notification(rec_id, status)) for status in order]
    assert outcomes[0] == "applied" and set(outcomes[1:]) <= {"duplicate", "stale"}
    subscription = _subscription(world, account_id, subscription_id)
    assert subscription.payment_method == "boleto" and subscription.pending_payment_method == "pix_automatico"
    assert not [t for t in world.mailer.templates() if t.startswith("pix_automatico")]


@pytest.mark.parametrize("status", ["REJEITADA", "EXPIRADA"])
def test_rejection_or_expiry_keeps_the_method_and_emails_once(world, status):
    account_id, subscription_id = _subscribed(world)
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    sent_before = len(world.mailer.sent)
    assert world.pix_automatico.apply(Notification(rec_id, status, "AP13")) == "applied"
    assert world.pix_automatico.apply(Notification(rec_id, status, "AP13")) == "duplicate"
    assert world.pix_automatico.apply(Notification(rec_id, "APROVADA")) == "stale"
    assert _subscription(world, account_id, subscription_id).pending_payment_method is None
    emails = world.mailer.sent[sent_before:]
    assert len(emails) == 1 and "não autorizado" in emails[0].email.subject


def test_revocation_by_the_payer_moves_renewals_to_boleto_even_from_card(world):
    account_id, subscription_id = _subscribed(world)
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    world.pix_automatico.apply(Notification(rec_id, "APROVADA"))
    subscription = _subscription(world, account_id, subscription_id)
    subscription.payment_method, subscription.pending_payment_method = "pix_automatico", None  # renewed by it
    writes = world.billing_repository.writes()
    writes.save(subscription)
    writes.commit()
    assert world.pix_automatico.apply(Notification(rec_id, "CANCELADA", "ACCL", "USUARIO_PAGADOR")) == "applied"
    assert _subscription(world, account_id, subscription_id).pending_payment_method == "boleto"
    assert "cancelado no banco" in world.mailer.sent[-1].email.subject


def test_cancel_cancels_at_the_psp_and_restores_the_previous_method(world):
    account_id, subscription_id = _subscribed(world)
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    world.pix_automatico.apply(Notification(rec_id, "APROVADA"))
    item = world.pix_automatico.cancel(account_id, subscription_id, "u-owner")
    assert item.status == "CANCELADA" and world.pix_psp.fake.recs[rec_id]["status"] == "CANCELADA"
    assert _subscription(world, account_id, subscription_id).pending_payment_method is None
    # The PSP's own notification of the cancellation arriving afterwards changes nothing.
    assert world.pix_automatico.apply(Notification(rec_id, "CANCELADA")) == "duplicate"
    with pytest.raises(Conflict):
        world.pix_automatico.cancel(account_id, subscription_id, "u-owner")


def test_another_accounts_subscription_is_not_found(world):
    account_id, subscription_id = _subscribed(world)
    other = world.account(name="Outra", owner="u-other")
    with pytest.raises(NotFound):
        world.pix_automatico.authorise(other, subscription_id, "u-other")
    with pytest.raises(NotFound):
        world.pix_automatico.read(other, subscription_id)


def test_approval_of_a_subscription_cancelled_meanwhile_changes_only_the_recurrence(world):
    account_id, subscription_id = _subscribed(world)
    rec_id = world.pix_automatico.authorise(account_id, subscription_id, "u-owner").rec_id
    subscription = _subscription(world, account_id, subscription_id)
    subscription.status = "cancelled"
    writes = world.billing_repository.writes()
    writes.save(subscription)
    writes.commit()
    assert world.pix_automatico.apply(Notification(rec_id, "APROVADA")) == "applied"
    assert _subscription(world, account_id, subscription_id).pending_payment_method is None
    assert world.pix_automatico.read(account_id, subscription_id).status == "APROVADA"


def _first_invoice(world, account_id) -> InvoiceItem:
    [invoice] = [i for i in world.store.billing.query(f"ACCOUNT#{account_id}", model=InvoiceItem)
                 if isinstance(i, InvoiceItem)]
    return invoice


def test_with_an_invoice_due_now_the_qr_also_pays_it_journey_3(world):
    account_id, subscription_id = _subscribed(world, paid=False)
    invoice = _first_invoice(world, account_id)
    item = world.pix_automatico.authorise(account_id, subscription_id, "u-owner")
    assert item.journey == "JORNADA_3" and item.first_invoice_id == invoice.invoice_id
    assert item.first_cents == invoice.total_cents
    [rec, _, cob] = world.pix_psp.fake.requests_log()  # newest first: rec, locrec, cob
    assert (cob["kind"], cob["body"]["valor"]["original"]) == ("cob", f"{invoice.total_cents / 100:.2f}")
    assert cob["body"]["chave"] == world.settings.pix_key and cob["body"]["devedor"]["cnpj"]
    assert rec["body"]["ativacao"] == {"dadosJornada": {"txid": item.first_txid}}
    # The composed QR: the immediate charge's location (26) and the recurrence's (80).
    location = world.pix_psp.fake.cobs[item.first_txid]["loc"]["location"]
    assert location in item.qr_payload and item.location in item.qr_payload

    # The payer scans it: the invoice is paid and the recurrence approved, each once.
    notification, outcomes = world.dev_pix_automatico.answer(item.rec_id, "approve")
    assert [(o.kind, o.outcome) for o in outcomes] == [("pix", "settled"), ("rec", "applied")]
    paid = _first_invoice(world, account_id)
    assert (paid.status, paid.paid_cents) == ("paid", invoice.total_cents)
    assert world.pix_recurrences.get(account_id, subscription_id).status == "APROVADA"
    replayed = world.pix_webhooks.receive(json.dumps({"pix": notification["pix"]}).encode(),
                                          world.settings.pix_webhook_token)
    assert [o.outcome for o in replayed] == ["duplicate"]
    assert _first_invoice(world, account_id).paid_cents == invoice.total_cents


def test_a_pix_for_a_charge_we_never_made_is_unmatched(world):
    forged = {"pix": [{"endToEndId": "E12345678202612010000abcdef12345", "txid": "x" * 35, "valor": "10.00"}]}
    [outcome] = world.pix_webhooks.receive(json.dumps(forged).encode(), world.settings.pix_webhook_token)
    assert outcome.outcome == "unmatched"


def test_without_anything_due_now_the_qr_carries_the_recurrence_only(world):
    account_id, subscription_id = _subscribed(world)
    item = world.pix_automatico.authorise(account_id, subscription_id, "u-owner")
    assert (item.journey, item.first_txid) == ("JORNADA_2", None)
    assert world.pix_psp.fake.cobs == {}
