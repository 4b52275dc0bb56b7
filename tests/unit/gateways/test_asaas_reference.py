"""Our Asaas charges name the account and the invoice in `externalReference`; a bare invoice id
(charges made before, or by hand in Asaas's panel) is still understood."""
import json

from chalicelib.adapters.gateways.asaas import asaas_event, external_reference, parse_external_reference


def test_the_reference_round_trips():
    reference = external_reference("acc_1a2b", "inv_3c4d")
    assert parse_external_reference(reference) == ("acc_1a2b", "inv_3c4d")


def test_a_bare_invoice_id_has_no_account():
    assert parse_external_reference("inv_3c4d") == (None, "inv_3c4d")
    assert parse_external_reference(None) == (None, None)


def test_the_event_carries_both():
    payload = {"id": "evt_1", "event": "PAYMENT_RECEIVED",
               "payment": {"id": "pay_1", "value": 10.5, "billingType": "PIX",
                           "externalReference": external_reference("acc_9", "inv_9")}}
    event = asaas_event(json.loads(json.dumps(payload)))
    assert (event.account_id, event.invoice_id, event.amount_cents, event.method) == ("acc_9", "inv_9", 1050, "pix")
