"""Found by the fuzzing run: JSON bodies were validated in pydantic's lax mode, so values of the wrong
JSON type were coerced and accepted — `{"active": 0}` deactivated a member, `{"storage_used_bytes":
false}` recorded 0 bytes, `{"now": 0}` moved the dev clock to 1970 — although the OpenAPI document
says boolean, integer and ISO 8601 text. Bodies are now validated strictly (validation.validate_body).
Also found by it: a documented maxLength did not hold for text with surrounding whitespace.

Also: an integer literal over 4,300 digits answered 500 on every route with a body; it is now 400
`invalid_json` like any other malformed JSON.

Walks every route with a body, so a route added later is covered by itself: for each top-level field
of type integer, number, boolean or date-time, values that lax mode would coerce must answer 422
naming that field; each bounded text field refuses its limit plus a tab."""
import pytest

from chalicelib.api.routing import ENDPOINTS
from tests.steps.routes import fill, spec_id
from tests.support import make_token

WITH_BODY = sorted((s for s in ENDPOINTS if s.body is not None), key=lambda s: (s.path, s.method))
# JSON type (and format) in the document → values of another JSON type that lax mode accepts.
COERCIBLE = {
    "integer": ["1", True],
    "number": ["1.5", True],
    "boolean": [0, 1, "true"],
    "date-time": [0, 1_700_000_000],
    "date": [0],
}


def _kind(schema: dict, definitions: dict) -> str | None:
    if "$ref" in schema:
        return _kind(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions)
    options = [option for option in schema.get("anyOf", [schema]) if option.get("type") != "null"]
    if len(options) != 1:
        return None
    option = options[0]
    if option.get("type") == "string":
        return option.get("format") if option.get("format") in ("date-time", "date") else None
    return option.get("type") if option.get("type") in COERCIBLE else None


def coercible_fields(model) -> dict[str, str]:
    schema = model.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    fields = {name: _kind(prop, definitions) for name, prop in schema.get("properties", {}).items()}
    return {name: kind for name, kind in fields.items() if kind}


def test_the_walk_finds_the_typed_fields_it_must_check():
    fields = {spec_id(s): coercible_fields(s.body) for s in WITH_BODY}
    assert fields["PUT /v1/_dev/clock"] == {"now": "date-time"}
    assert fields["PATCH /v1/accounts/{account_id}/members/{user_id}"] == {"active": "boolean"}
    assert fields["PUT /v1/internal/accounts/{account_id}/usage"] == {"storage_used_bytes": "integer"}


@pytest.mark.parametrize("spec", [s for s in WITH_BODY if coercible_fields(s.body)], ids=spec_id)
def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(client, spec):
    account_id, _ = client.create_account("owner-user")
    token = make_token("owner-user", groups=["finance"])
    path = fill(spec.path, account_id=account_id, user_id="owner-user", job="issue-invoices")
    for name, kind in coercible_fields(spec.body).items():
        for value in COERCIBLE[kind]:
            response = client.call(spec.method, path, token, {name: value},
                                   headers={"X-Internal-Token": "local-internal-token"})
            assert response.status_code == 422, (name, value, response.data)
            flagged = {item["field"]: item["code"] for item in response.data["error"]["details"]["fields"]}
            assert name in flagged and flagged[name] != "missing", (name, value, flagged)


def max_length_fields(model) -> dict[str, int]:
    schema = model.model_json_schema(mode="validation")
    found = {}
    for name, prop in schema.get("properties", {}).items():
        for option in prop.get("anyOf", [prop]):
            if option.get("type") == "string" and "maxLength" in option:
                found[name] = option["maxLength"]
    return found


def test_the_walk_finds_the_bounded_text_fields():
    fields = {spec_id(s): max_length_fields(s.body) for s in WITH_BODY}
    assert fields["POST /v1/accounts"] == {"name": 120}


@pytest.mark.parametrize("spec", [s for s in WITH_BODY if max_length_fields(s.body)], ids=spec_id)
def test_max_length_holds_for_the_text_as_sent_even_when_whitespace_would_be_stripped(client, spec):
    """Found by the fuzzing run: `"\\t" + 5000 characters` passed a maxLength of 5000 because
    surrounding whitespace was stripped before the length was checked."""
    account_id, _ = client.create_account("owner-user")
    token = make_token("owner-user", groups=["finance"])
    path = fill(spec.path, account_id=account_id, user_id="owner-user", job="issue-invoices")
    for name, limit in max_length_fields(spec.body).items():
        response = client.call(spec.method, path, token, {name: "\t" + "a" * limit},
                               headers={"X-Internal-Token": "local-internal-token"})
        assert response.status_code == 422, (name, response.data)
        flagged = {item["field"]: item["code"] for item in response.data["error"]["details"]["fields"]}
        # string_too_long, or the field's own refusal (a CPF/CNPJ or e-mail that long is invalid anyway)
        assert flagged.get(name) not in (None, "missing"), (name, flagged)


HUGE_INTEGER = b"1" * 4301  # one digit over Python's int-string conversion limit


@pytest.mark.parametrize("spec", WITH_BODY, ids=spec_id)
def test_an_integer_literal_over_4300_digits_is_a_malformed_body_not_a_500(client, spec):
    """json.loads raised ValueError (not JSONDecodeError) for it, outside the body parser's error
    handling, so every route with a body answered 500. It is malformed JSON for Python: 400."""
    account_id, _ = client.create_account("owner-user")
    token = make_token("owner-user", groups=["finance"])
    path = fill(spec.path, account_id=account_id, user_id="owner-user", job="issue-invoices")
    for raw in (b'{"amount_cents": ' + HUGE_INTEGER + b"}", b"[" + HUGE_INTEGER + b"]"):
        response = client.call(spec.method, path, token, raw=raw,
                               headers={"Content-Type": "application/json", "X-Internal-Token": "local-internal-token"})
        assert response.status_code == 400, (spec_id(spec), response.status_code, response.data)
        assert response.data["error"]["code"] == "invalid_json"
        assert set(response.data["error"]) == {"code", "message", "details"}
