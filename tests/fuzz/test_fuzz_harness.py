"""The fuzzing harness itself, in the fast pass: the document loads in schemathesis with every
operation usable, the configured checks really catch what the run is meant to catch, the seeds map
ids to path parameters, and the access log reader sees a 5xx. So a broken harness cannot turn the
fuzzing run (tests/fuzz/fuzz_openapi.py, `make fuzz`) green."""
import json

import pytest
import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.core.transport import Response

from tests.fuzz import seeds, settings
from tests.fuzz.stack import LocalStack

ACCOUNT = {"id": "acc_1", "name": "Conta", "status": "active", "role": "owner"}
ERROR = {"error": {"code": "not_found", "message": "Não encontrado.", "details": {}}}


@pytest.fixture
def document(client):
    return client.call("GET", "/v1/openapi.json").data


@pytest.fixture
def schema(document):
    names = {name for path in document["paths"] for name in seeds.path_params(path)}
    values = {name: [f"{name}_1"] for name in names}
    config = SchemathesisConfig.from_dict(settings.build_config(values, names, "token"))
    return schemathesis.openapi.from_dict(document, config=config)


def test_every_operation_of_the_document_loads_in_schemathesis(schema, document):
    operations = list(schema.get_all_operations())
    assert [str(result.err()) for result in operations if isinstance(result, Err)] == []
    documented = sum(len(ops) for ops in document["paths"].values())
    assert len(operations) == documented


def answer(status: int, body, content_type: str = "application/json; charset=utf-8") -> Response:
    request = requests.Request("GET", "http://127.0.0.1:1/v1/accounts/acc_1").prepare()
    return Response(status_code=status, headers={"content-type": [content_type]},
                    content=json.dumps(body).encode(), request=request, elapsed=0.0, message="",
                    encoding="utf-8", http_version="1.1", verify=False)


def failures(schema, response: Response) -> set[str]:
    case = schema["/v1/accounts/{account_id}"]["GET"].Case(path_parameters={"account_id": "acc_1"})
    try:
        case.validate_response(response)
    except FailureGroup as group:
        return {type(failure).__name__ for failure in group.exceptions}
    return set()


def test_a_documented_answer_passes_every_check(schema):
    assert failures(schema, answer(200, ACCOUNT)) == set()
    assert failures(schema, answer(404, ERROR)) == set()


@pytest.mark.parametrize("response, caught", [
    (answer(500, ERROR), {"ServerError"}),
    (answer(418, ERROR), {"UndefinedStatusCode"}),
    (answer(200, ACCOUNT, "text/html"), {"UndefinedContentType"}),
    (answer(200, {"id": "acc_1"}), {"JsonSchemaError"}),
    (answer(404, {"detail": "not in the error shape"}), {"JsonSchemaError"}),
], ids=["5xx", "undocumented status", "content type", "body schema", "error shape"])
def test_the_configured_checks_catch_what_the_run_is_for(schema, response, caught):
    assert caught <= failures(schema, response)


def test_the_checks_the_run_turns_on():
    config = settings.build_config({}, set(), "token")
    enabled = {name for name, value in config["checks"].items() if isinstance(value, dict) and value["enabled"]}
    assert enabled == set(settings.CHECKS) and config["checks"]["enabled"] is False
    assert {"not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_schema_conformance"} <= enabled


def test_path_parameters_are_fixed_to_harvested_ids_and_headers_carry_both_credentials():
    config = settings.build_config({"account_id": ["acc_a", "acc_b"], "job": ["run-backups"],
                                    "product_id": ["operand-pro"]}, {"account_id", "job"}, "tok")
    assert config["parameters"]["path.account_id"] == "acc_a"
    assert config["parameters"]["path.job"] == "run-backups"
    assert config["parameters"]["body.product_id"]["dictionary"] == "known_product_id"
    assert config["headers"] == {"Authorization": "Bearer tok", "X-Internal-Token": settings.INTERNAL_TOKEN}
    SchemathesisConfig.from_dict(config)  # schemathesis accepts it


def test_item_params_map_collections_to_the_parameter_of_their_items(document):
    mapping = seeds.item_params(document)
    assert mapping["/v1/accounts"] == "account_id"
    assert mapping["/v1/accounts/{account_id}/members"] == "user_id"
    assert mapping["/v1/accounts/{account_id}/subscriptions"] == "subscription_id"


def test_the_harvest_takes_ids_from_creates_lists_and_any_id_key(document):
    harvest = seeds.Harvest()
    harvest.take(document, "/v1/accounts/{account_id}/subscriptions", {"id": "sub_1", "product_id": "operand-pro"})
    harvest.take(document, "/v1/accounts/{account_id}/members",
                 {"items": [{"user_id": "u_1", "email": "a@b.c"}], "next_cursor": None})
    harvest.take(document, "/v1/accounts", {"id": "acc_9", "nested": [{"invoice_id": "inv_1"}]})
    assert harvest.values["subscription_id"] == ["sub_1"]
    assert harvest.values["product_id"] == ["operand-pro"]
    assert harvest.values["user_id"] == ["u_1"]
    assert harvest.values["account_id"] == ["acc_9"]
    assert harvest.values["invoice_id"] == ["inv_1"]
    assert harvest.fill("/v1/accounts/{account_id}/subscriptions/{subscription_id}") == \
        "/v1/accounts/acc_9/subscriptions/sub_1"
    assert harvest.fill("/v1/accounts/{account_id}/backups/{backup_id}/download") is None
    assert seeds.missing_path_values({"paths": {"/x/{account_id}/{backup_id}": {}}}, harvest) == ["backup_id"]


def test_the_access_log_reader_sees_every_5xx_and_only_the_api(tmp_path):
    stack = LocalStack(workdir=tmp_path)
    stack.stderr_path.write_text(
        '127.0.0.1 - - [22/Nov/2026 02:22:34] "POST / HTTP/1.1" 500 -\n'  # moto's own line: not ours
        '127.0.0.1 - - [22/Nov/2026 02:22:35] "GET /v1/health HTTP/1.1" 200 -\n'
        '127.0.0.1 - - [22/Nov/2026 02:22:36] "POST /v1/accounts/acc_1/backups HTTP/1.1" 500 -\n'
        '127.0.0.1 - - [22/Nov/2026 02:22:37] "PUT /v1/_dev/clock?x=1 HTTP/1.1" 503 -\n')
    stack.stdout_path.write_text('{"ready": true}\n{"message": "unhandled error", "level": "ERROR"}\nplain\n')
    assert stack.server_errors() == [("POST", "/v1/accounts/acc_1/backups", 500), ("PUT", "/v1/_dev/clock?x=1", 503)]
    assert stack.app_log() == [{"message": "unhandled error", "level": "ERROR"}]


def test_an_operation_gets_the_ids_its_list_answered_to_when_they_differ_from_the_first(document):
    harvest = seeds.Harvest()
    for name, value in (("account_id", "acc_a"), ("subscription_id", "sub_plain"), ("subscription_id", "sub_batch")):
        harvest.add(name, value)
    licenses = "/v1/accounts/{account_id}/batches/{subscription_id}/licenses"
    harvest.working[licenses] = {"account_id": "acc_a", "subscription_id": "sub_batch"}
    assert harvest.ids_for(licenses + "/{license_id}/assign") == {"account_id": "acc_a", "subscription_id": "sub_batch"}
    assert harvest.ids_for("/v1/accounts/{account_id}") == {}
    config = settings.build_config(harvest.values, {"account_id", "subscription_id"}, "tok",
                                   per_path={licenses: harvest.ids_for(licenses), "/v1/accounts/{account_id}": {}})
    assert [op for op in config["operations"] if "parameters" in op] == [{"include-path": licenses, "parameters": {
        "path.account_id": "acc_a", "path.subscription_id": "sub_batch"}}]
    SchemathesisConfig.from_dict(config)


def test_webhook_bodies_are_documented_and_signed_so_the_run_reaches_the_event_models(schema, document):
    from chalicelib.adapters.gateways.asaas import verify_asaas_webhook
    from chalicelib.adapters.gateways.stripe_gateway import verify_stripe_signature
    from tests.fuzz.signing import sign_webhook

    for path, component in (("/v1/webhooks/stripe", "StripeEvent"), ("/v1/webhooks/asaas", "AsaasEvent")):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{component}"}
    event = {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"amount_received": 1}}}
    case = schema["/v1/webhooks/stripe"]["POST"].Case(body=event, media_type="application/json")
    kwargs = {}
    sign_webhook(case, kwargs)
    assert json.loads(kwargs["data"]) == event
    verify_stripe_signature(kwargs["data"], case.headers["Stripe-Signature"], "whsec_local")  # no raise
    asaas = schema["/v1/webhooks/asaas"]["POST"].Case(body={"id": "e", "event": "X"}, media_type="application/json")
    kwargs = {}
    sign_webhook(asaas, kwargs)
    verify_asaas_webhook(kwargs["data"], asaas.headers["asaas-access-token"], "local-asaas-token")
    other = schema["/v1/accounts"]["POST"].Case(body={"name": "x"}, media_type="application/json")
    kwargs = {}
    sign_webhook(other, kwargs)
    assert kwargs == {}


def test_a_signed_webhook_body_that_breaks_the_schema_is_not_expected_to_get_a_4xx(schema):
    """It is a dead letter, answered 200 on purpose; every other operation keeps the check."""
    def negative_check(path, method):
        checks = schema.config.checks_config_for(operation=schema[path][method], phase="fuzzing")
        return checks.get_by_name(name="negative_data_rejection").enabled

    assert not negative_check("/v1/webhooks/stripe", "POST") and not negative_check("/v1/webhooks/asaas", "POST")
    assert negative_check("/v1/accounts", "POST")
