"""Refunds within the 7-day withdrawal window: card payments through the gateway, boleto and Pix
payments as a refund request for the finance team; refused after the window, with the reason."""
import pytest

from chalicelib.errors import Conflict
from chalicelib.store.payments import PaymentItem
from tests.steps.billing_steps import add_card, at
from tests.steps.payment_steps import (
    credit, customer, deliver_stripe, dev_pay, invoice, payments, stripe_payload, subjects,
)
from tests.support import make_token

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

FINANCE = "financeiro@renova.local"


@pytest.fixture
def staff():
    return make_token("fin-1", "carla@vendor.example", groups=["finance"])


def refund(client, staff, c, payment_id: str, reason: str = "Cliente desistiu da compra"):
    return client.call("POST", f"/v1/admin/accounts/{c.account_id}/payments/{payment_id}/refund", staff,
                       {"reason": reason})


def card_payment(client, day: str = "2026-12-01"):
    c = customer(client, day=day)
    add_card(client, c.account_id, c.token)
    paid = client.call("POST", f"{c.path}/invoices/{c.invoice_id}/pay", c.token)
    assert paid.status_code == 201, paid.data
    return c, paid.data["payment"]["id"]


def test_a_card_refund_on_day_6_goes_through_the_gateway(aws, client, staff):
    c, payment_id = card_payment(client)
    at(client, "2026-12-07")  # day 6 after the payment
    response = refund(client, staff, c, payment_id)
    assert response.status_code == 201, response.data
    assert (response.data["status"], response.data["amount_cents"], response.data["deadline"]) == \
        ("refunded", 19_800, "2026-12-08")
    [payment] = payments(client, c)
    assert (payment["status"], payment["refunded_cents"]) == ("refunded", 19_800)
    assert invoice(c.account_id, c.invoice_id).status == "refunded"
    entries = client.call("GET", f"{c.path}/audit", c.token).data["items"]
    refunded = next(e for e in entries if e["action"] == "payment.refunded")
    assert refunded["reason"] == "Cliente desistiu da compra" and refunded["actor"] == "fin-1"
    # Stripe then tells us about the refund we made: nothing changes twice.
    stored = aws.payment_repository.payment(c.account_id, payment_id)
    echo = stripe_payload("charge.refunded", {"id": "ch_9", "object": "charge", "amount": 19_800,
                                              "amount_refunded": 19_800, "payment_intent": stored.gateway_payment_id},
                          "evt_refund_echo")
    assert deliver_stripe(client, echo).data["outcome"] == "already_refunded"


def test_a_refund_on_day_8_is_refused_with_the_reason(client, staff):
    c, payment_id = card_payment(client)
    at(client, "2026-12-09")  # day 8
    response = refund(client, staff, c, payment_id)
    assert response.status_code == 409
    error = response.data["error"]
    assert error["code"] == "refund_window_closed"
    assert error["message"] == ("O estorno só é possível até 7 dias após o pagamento: este foi pago em 01/12/2026 "
                                "e o prazo terminou em 08/12/2026.")
    assert error["details"] == {"paid_on": "2026-12-01", "deadline": "2026-12-08"}
    assert payments(client, c)[0]["status"] == "settled"


def test_a_boleto_refund_becomes_a_request_for_the_finance_team(aws, client, staff):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "boleto")
    [payment] = payments(client, c)
    at(client, "2026-12-03")
    response = refund(client, staff, c, payment["id"])
    assert response.status_code == 201
    assert (response.data["status"], response.data["method"]) == ("requested", "boleto")
    assert payments(client, c)[0]["status"] == "refund_requested"
    [request] = aws.payment_repository.refunds(c.account_id)
    assert (request.status, request.amount_cents, request.payment_id) == ("requested", 19_800, payment["id"])
    mail = next(m for m in client.call("GET", "/v1/_dev/outbox").data["items"] if FINANCE in m["to"])
    assert mail["subject"] == "[Renova] Pedido de estorno para devolver" and "R$ 198,00" in mail["text"]


def test_a_payment_is_refunded_once(client, staff):
    c, payment_id = card_payment(client)
    assert refund(client, staff, c, payment_id).status_code == 201
    again = refund(client, staff, c, payment_id)
    assert again.status_code == 409 and again.data["error"]["code"] == "payment_not_refundable"
    assert refund(client, staff, c, "pay_nao_existe").status_code == 404


def test_the_credit_a_payment_created_comes_back_only_while_unused(client, staff):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "pix", 20_300)  # R$ 5,00 too much
    assert credit(client, c) == 500
    response = refund(client, staff, c, payments(client, c)[0]["id"])
    assert response.data["amount_cents"] == 20_300 and credit(client, c) == 0


def test_only_the_finance_team_refunds_over_http(client):
    c, payment_id = card_payment(client)
    response = client.call("POST", f"/v1/admin/accounts/{c.account_id}/payments/{payment_id}/refund", c.token,
                           {"reason": "quero meu dinheiro"})
    assert response.status_code == 403


def test_the_service_the_cancellation_flow_calls(aws, client):
    c, payment_id = card_payment(client)
    at(client, "2026-12-05")
    outcome = aws.refunds.refund_payment(c.account_id, payment_id, "Cancelamento no prazo de arrependimento",
                                         actor="owner")
    assert (outcome.status, outcome.amount_cents, outcome.invoice_id) == ("refunded", 19_800, c.invoice_id)
    c2, other = card_payment(client, "2026-12-10")
    at(client, "2026-12-20")
    with pytest.raises(Conflict) as refused:
        aws.refunds.refund_payment(c2.account_id, other, "tarde demais", actor="owner")
    assert refused.value.code == "refund_window_closed"
    assert isinstance(aws.payment_repository.payment(c2.account_id, other), PaymentItem)
    assert "[Renova] Pedido de estorno para devolver" not in subjects(client, FINANCE)  # cards need no request


def test_refunding_part_of_an_invoice_leaves_nothing_open_on_it(client, staff):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "pix", 10_000)  # half of it
    response = refund(client, staff, c, payments(client, c)[0]["id"])
    assert (response.status_code, response.data["amount_cents"]) == (201, 10_000)
    assert invoice(c.account_id, c.invoice_id).status == "refunded"
    plan = client.call("GET", f"{c.path}/subscriptions/{c.subscription_id}", c.token).data
    assert plan["open_invoices"]["count"] == 0


def test_an_absurdly_long_payment_id_is_a_404(client, staff):
    c = customer(client, day="2026-12-01")
    assert refund(client, staff, c, "p" * 1500).status_code == 404
