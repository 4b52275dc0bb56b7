"""Webhook forgery and replay matrix (tests/security/webhooks.py) on every webhook route of API.md.

Each forged delivery answers 4xx in the error shape and writes nothing; the genuine delivery answers
200 and writes its receipt; the same genuine delivery again answers 200 and writes nothing more.
The event used records a receipt and nothing else (a failed payment), so the matrix does not depend
on invoices; payment events, which settle invoices, get the same replay check in
tests/api/test_webhooks.py and the fault runs in tests/faults/test_webhook_faults.py."""
import json
import secrets

import pytest

from chalicelib.api.access import Access
from tests.steps.routes import specs
from tests.faults.tables import dump_tables
from tests.faults.test_api_faults import changes
from tests.security.webhooks import ASAAS, PIX, PROFILES, STRIPE, forgeries, genuine

WEBHOOK_ROUTES = sorted(s.path for s in specs() if s.access is Access.WEBHOOK)


def failed_payment_event(profile) -> bytes:
    event_id = f"evt_matrix_{secrets.token_hex(6)}"
    if profile is STRIPE:
        event = {"id": event_id, "object": "event", "type": "payment_intent.payment_failed", "created": 1_790_000_000,
                 "data": {"object": {"id": f"pi_{secrets.token_hex(6)}", "object": "payment_intent",
                                     "amount": 19_800, "currency": "brl",
                                     "last_payment_error": {"code": "card_declined"}, "metadata": {}}}}
    else:
        event = {"id": event_id, "event": "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED", "dateCreated": "2026-12-01 10:00:00",
                 "payment": {"id": f"pay_{secrets.token_hex(6)}", "object": "payment", "value": 198,
                             "billingType": "CREDIT_CARD", "status": "REFUSED"}}
    return json.dumps(event).encode()


def test_every_webhook_route_of_the_api_has_a_matrix_profile():
    assert WEBHOOK_ROUTES == sorted(PROFILES), "API.md: /v1/webhooks/stripe, /asaas and /pix, each with a profile"


def test_forged_pix_deliveries_are_refused_and_write_nothing(client, aws):
    """The Pix PSP's notifications (recurrence approved): each forgery 4xx in the error shape, nothing
    written; the genuine one is accepted (tests/api/test_pix_automatico.py applies it, replays included)."""
    body = json.dumps({"recs": [{"idRec": "RR1234567820261201abcdefghijk", "status": "APROVADA"}]}).encode()
    before = dump_tables(aws)
    for case, headers, sent in forgeries(PIX, body):
        response = client.call("POST", PIX.path, headers=headers, raw=sent)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.data)
        assert set(response.data["error"]) == {"code", "message", "details"}, case
    assert changes(before, dump_tables(aws)) == {}
    accepted = client.call("POST", PIX.path, headers=genuine(PIX, body), raw=body)
    assert accepted.status_code == 200 and accepted.data["items"][0]["outcome"] == "unmatched"


@pytest.mark.parametrize("profile", [STRIPE, ASAAS], ids=["stripe", "asaas"])
def test_forged_deliveries_are_refused_and_write_nothing(client, aws, profile):
    body = failed_payment_event(profile)
    before = dump_tables(aws)
    for case, headers, sent in forgeries(profile, body):
        response = client.call("POST", profile.path, headers=headers, raw=sent)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.data)
        assert set(response.data["error"]) == {"code", "message", "details"}, case
    assert changes(before, dump_tables(aws)) == {}


@pytest.mark.parametrize("profile", [STRIPE, ASAAS], ids=["stripe", "asaas"])
def test_a_genuine_delivery_is_accepted_once_and_its_replay_changes_nothing(client, aws, profile):
    body = failed_payment_event(profile)
    before = dump_tables(aws)
    first = client.call("POST", profile.path, headers=genuine(profile, body), raw=body)
    assert first.status_code == 200, first.data
    written = changes(before, dump_tables(aws))
    assert written, "the genuine delivery recorded nothing"
    after_first = dump_tables(aws)
    for _ in range(3):
        again = client.call("POST", profile.path, headers=genuine(profile, body), raw=body)  # fresh signature
        assert again.status_code == 200, again.data
    assert changes(after_first, dump_tables(aws)) == {}
