"""Property-based fuzzing of the webhook event schemas, in the fast pass: a genuine payment event of
each gateway, one field anywhere in its documented schema (components StripeEvent and AsaasEvent of
the OpenAPI document) replaced by a JSON value of any type, signed with the local stage's secrets and
posted through the Chalice test client. The schemathesis run (fuzz_openapi.py) signs its webhook
bodies too, through tests/fuzz/signing.py; this pass needs no running stack.

Whatever the value: never a 5xx, always 200 (the body is valid JSON and verified); a body the
document refuses for an event type we act on is a dead letter; a dead letter writes nothing but
itself."""
import json
import os
import secrets

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters.gateways.event_models import WEBHOOK_EVENT_MODELS
from chalicelib.store.payments import GatewayPaymentItem, PaymentItem, ReceiptItem
from tests.steps.payment_steps import asaas_payload, customer, stripe_event
from tests.security.webhooks import PROFILES, genuine

ACTED_ON = {  # the event types whose whole body is read (others need only id and type)
    "stripe": {"payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded",
               "charge.dispute.created"},
    "asaas": {"PAYMENT_CONFIRMED", "PAYMENT_RECEIVED", "PAYMENT_REFUNDED", "PAYMENT_CHARGEBACK_REQUESTED",
              "PAYMENT_REPROVED_BY_RISK_ANALYSIS", "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED"},
}
TYPE_FIELD = {"stripe": "type", "asaas": "event"}
EXAMPLES = int(os.environ.get("RENOVA_WEBHOOK_FUZZ_EXAMPLES", "40"))  # per gateway; about 0.4 s each

# Values that broke the webhooks before (1e300, 1e20, numbers for ids), and any JSON at all.
SHARP = st.sampled_from([1e300, -1e300, 1e20, 10**30, -1, 0, 2**63, 1.5, "", "x" * 300, "é", "1e300", [], {},
                         None, True, "pi_\u0000", "a:b:c"])
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)


def field_paths(schema: dict) -> list[tuple[str, ...]]:
    """Every property path of a JSON schema, through $ref and anyOf; () is the body itself."""
    definitions = schema.get("$defs", {})
    paths = [()]

    def walk(node: dict, prefix: tuple[str, ...]):
        if "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[1]]
        for option in node.get("anyOf", []):
            walk(option, prefix)
        for name, child in node.get("properties", {}).items():
            paths.append(prefix + (name,))
            walk(child, prefix + (name,))

    walk(schema, ())
    return sorted(set(paths))


def document_schema(gateway: str) -> dict:
    model = WEBHOOK_EVENT_MODELS[PATH[gateway]]
    return model.model_json_schema(mode="validation")


PATH = {"stripe": "/v1/webhooks/stripe", "asaas": "/v1/webhooks/asaas"}


def test_the_walk_reaches_the_fields_that_broke_the_webhooks():
    stripe = field_paths(document_schema("stripe"))
    asaas = field_paths(document_schema("asaas"))
    assert {("data",), ("data", "object"), ("data", "object", "metadata"), ("created",), ("id",),
            ("data", "object", "metadata", "invoice_id")} <= set(stripe)
    assert {("payment",), ("payment", "value"), ("payment", "externalReference"), ("id",)} <= set(asaas)


def _base_event(gateway: str, c, event_type: str) -> dict:
    """A genuine event of `event_type` (a payment's, refund's, chargeback's or failure's shape)."""
    event_id = f"evt_fz_{secrets.token_hex(6)}"
    if gateway == "stripe":
        event = json.loads(stripe_event(c.invoice_id, c.account_id, 19_800, event_id=event_id,
                                        payment_id=f"pi_{secrets.token_hex(6)}"))
        if event_type.startswith("charge."):
            event["data"]["object"].update(object="charge" if event_type == "charge.refunded" else "dispute",
                                           id=f"ch_{secrets.token_hex(6)}", payment_intent=event["data"]["object"]["id"],
                                           amount_refunded=19_800)
        if event_type == "payment_intent.payment_failed":
            event["data"]["object"]["last_payment_error"] = {"code": "card_declined"}
        event["type"] = event_type
        return event
    return asaas_payload(event_type, f"pay_{secrets.token_hex(6)}", c.invoice_id, "198.00", event_id, "PIX")


def _replace(event, path: tuple[str, ...], value):
    if not path:
        return value
    target = event
    for name in path[:-1]:
        if not isinstance(target.get(name), dict):
            target[name] = {}
        target = target[name]
    target[path[-1]] = value
    return event


def _written() -> tuple[int, int, int]:
    return (sum(1 for _ in PaymentItem.scan()), sum(1 for _ in ReceiptItem.scan()),  # test-only Scans
            sum(1 for _ in GatewayPaymentItem.scan()))


@pytest.mark.parametrize("gateway", ["stripe", "asaas"])
def test_a_signed_event_with_any_value_anywhere_never_gets_a_5xx(client, gateway):
    c = customer(client)
    schema = document_schema(gateway)
    profile = PROFILES[PATH[gateway]]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(event_type=st.sampled_from(sorted(ACTED_ON[gateway])), path=st.sampled_from(field_paths(schema)),
           value=SHARP | ANY_JSON)
    def deliver(event_type, path, value):
        event = _replace(_base_event(gateway, c, event_type), path, value)
        try:
            raw = json.dumps(event).encode()
        except ValueError:  # an integer json.dumps itself refuses (over 4,300 digits): not a body
            return
        before = _written()
        response = client.call("POST", profile.path, headers=genuine(profile, raw), raw=raw)

        assert response.status_code == 200, (path, value, response.status_code, response.data)
        outcome = response.data["outcome"]
        event_type = event.get(TYPE_FIELD[gateway]) if isinstance(event, dict) else None
        refused = next(jsonschema.Draft202012Validator(schema).iter_errors(event), None) is not None
        if refused and isinstance(event_type, str) and event_type in ACTED_ON[gateway]:
            assert outcome == "dead_letter", (path, value, outcome)
        if outcome == "dead_letter":
            assert _written() == before, (path, value)

    deliver()
