"""PRODUCT.md §5: Renova stores only a gateway token; a request carrying a card number is refused and
the number is never logged or stored.

Walks every route with a JSON body (a route added later is covered by itself) and puts test PANs,
in several forms, in every text field it can reach — top level, nested objects, lists, as a key —
inside an otherwise valid body where one is known (so without the refusal the PAN would be stored).
Every such request must answer 422 `card_number_refused` (a CPF/CNPJ field: 422, an invalid
document); a query string carrying a PAN is never a 5xx. Then the captured logs and a dump of every
table are grepped for the digits."""
import json
import re

import pytest

from chalicelib.api.routing import ENDPOINTS
from tests.steps.routes import fill, spec_id
from tests.faults.tables import dump_tables
from tests.support import VALID_BILLING_DATA, make_token

PANS = ["4111111111111111", "5555555555554444", "378282246310005", "6062825624254001"]  # Visa, MC, Amex, Hipercard
FORMS = [
    lambda pan: pan,
    lambda pan: " ".join(pan[i:i + 4] for i in range(0, len(pan), 4)),
    lambda pan: "-".join(pan[i:i + 4] for i in range(0, len(pan), 4)),
    lambda pan: f"Meu cartão é {pan}, validade 12/30",
]
WITH_BODY = sorted((s for s in ENDPOINTS if s.body is not None), key=lambda s: (s.path, s.method))
WITH_QUERY = sorted((s for s in ENDPOINTS if s.query is not None), key=lambda s: (s.path, s.method))

# Otherwise valid bodies: without the refusal, the PAN put in any of their text fields would be stored.
VALID_BODIES = {
    "POST /v1/accounts": {"name": "Conta"},
    "PUT /v1/accounts/{account_id}/billing-data": VALID_BILLING_DATA,
    "POST /v1/accounts/{account_id}/members": {"email": "pessoa@example.com", "role": "member"},
    "PUT /v1/accounts/{account_id}/card": {"gateway_token": "tok_1", "brand": "visa", "last4": "1111",
                                           "exp_month": 12, "exp_year": 2031},
    "POST /v1/accounts/{account_id}/requests": {"type": "other", "text": "Preciso de ajuda."},
    "POST /v1/accounts/{account_id}/requests/{request_id}/messages": {"text": "Obrigado."},
    "POST /v1/admin/requests/{request_id}/messages": {"text": "Resolvido."},
    "POST /v1/admin/accounts/{account_id}/credits": {"amount_cents": 1000, "reason": "Cortesia"},
    "POST /v1/accounts/{account_id}/subscriptions": {"product_id": "operand-pro", "periodicity": "monthly"},
}


def text_paths(schema: dict, definitions: dict, prefix=()) -> list[tuple]:
    """Paths to every text value a body can carry (a list index is written as 0)."""
    if "$ref" in schema:
        return text_paths(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions, prefix)
    found = []
    for option in schema.get("anyOf", [schema]):
        kind = option.get("type")
        if "$ref" in option:
            found += text_paths(option, definitions, prefix)
        elif kind == "string":
            found.append(prefix)
        elif kind == "array":
            found += text_paths(option.get("items", {}), definitions, prefix + (0,))
        elif kind == "object":
            for name, prop in option.get("properties", {}).items():
                found += text_paths(prop, definitions, prefix + (name,))
    return list(dict.fromkeys(found))


def body_paths(model) -> list[tuple]:
    schema = model.model_json_schema(mode="validation")
    return text_paths(schema, schema.get("$defs", {}))


def with_value(body, path: tuple, value):
    body = json.loads(json.dumps(body if body is not None else {}))
    target = body
    for step, following in zip(path, path[1:] + (None,)):
        if following is None:
            break
        if isinstance(step, int):
            while len(target) <= step:
                target.append({} if isinstance(following, str) else [])
        else:
            target = target.setdefault(step, [] if isinstance(following, int) else {})
            continue
        target = target[step]
    last = path[-1]
    if isinstance(last, int):
        target[:] = [value]
    else:
        target[last] = value
    return body


def test_the_walk_reaches_nested_and_list_fields():
    billing = next(s for s in WITH_BODY if spec_id(s) == "PUT /v1/accounts/{account_id}/billing-data")
    paths = body_paths(billing.body)
    assert ("legal_name",) in paths and ("address", "street") in paths and ("billing_emails", 0) in paths
    assert with_value({"a": 1}, ("billing_emails", 0), "x") == {"a": 1, "billing_emails": ["x"]}
    assert with_value({}, ("address", "street"), "x") == {"address": {"street": "x"}}


@pytest.fixture
def world(client):
    account_id, _ = client.create_account("pan-owner")
    token = make_token("pan-owner", groups=["finance"])
    return account_id, token


def _call(client, token, spec, account_id, body=None, query=""):
    path = fill(spec.path, account_id=account_id, user_id="pan-owner", job="issue-invoices") + query
    return client.call(spec.method, path, token, body, headers={"X-Internal-Token": "local-internal-token"})


@pytest.mark.parametrize("spec", WITH_BODY, ids=spec_id)
def test_a_card_number_in_any_text_field_is_refused_and_never_logged_nor_stored(client, aws, world, capsys, spec):
    account_id, token = world
    base = VALID_BODIES.get(spec_id(spec), {})
    sent = 0
    for path in body_paths(spec.body) + [("4111111111111111",)]:  # the last one: a PAN as a key
        for pan in PANS:
            for form in FORMS:
                value = form(pan) if path != ("4111111111111111",) else "x"
                response = _call(client, token, spec, account_id, with_value(base, path, value))
                assert response.status_code == 422, (path, value, response.status_code, response.data)
                if path[0] not in getattr(spec.body, "digit_fields", ()):  # a CNPJ field: invalid CNPJ instead
                    assert response.data["error"]["code"] == "card_number_refused", (path, value, response.data)
                sent += 1
    assert sent >= len(PANS) * len(FORMS)
    assert_nowhere(capsys, aws)


@pytest.mark.parametrize("spec", WITH_QUERY, ids=spec_id)
def test_a_card_number_in_a_query_string_is_refused_and_never_logged_nor_stored(client, aws, world, capsys, spec):
    account_id, token = world
    for name in spec.query.model_fields:
        for pan in PANS:
            response = _call(client, token, spec, account_id, {} if spec.body else None, f"?{name}={pan}")
            # 4xx where the value is read (a cursor, a limit); the dev outbox ignores its cursor
            assert response.status_code < 500, (name, pan, response.status_code, response.data)
    assert_nowhere(capsys, aws)


def test_a_known_valid_body_is_accepted_so_the_refusals_above_are_about_the_pan(client, world):
    account_id, token = world
    for spec in WITH_BODY:
        if spec_id(spec) in ("POST /v1/accounts", "PUT /v1/accounts/{account_id}/billing-data",
                             "POST /v1/accounts/{account_id}/members", "PUT /v1/accounts/{account_id}/card"):
            response = _call(client, token, spec, account_id, VALID_BODIES[spec_id(spec)])
            assert response.status_code < 300, (spec_id(spec), response.data)


def assert_nowhere(capsys, aws):
    logs = capsys.readouterr()
    everything = logs.out + logs.err + json.dumps(dump_tables(aws), ensure_ascii=False)
    digits_only = re.sub(r"[ -]", "", everything)
    for pan in PANS:
        assert pan not in digits_only, f"{pan} found in the logs or the tables"
