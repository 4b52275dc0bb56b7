"""Answers no route of ours produced, in the error shape of API.md, never repeating a token:

- the app (Chalice's own 405 for a method the path lacks: the `http` middleware, chalicelib/api/fallback.py);
- `chalice local` (an unknown path: scripts/local_gateway.py; over real HTTP in tests/e2e/test_browser_facing.py);
- API Gateway (gateway responses of the template: infra/build_resources.py), and the template's
  preflight: one Lambda-proxy OPTIONS method per path, as `chalice package` generates it."""
import json

import pytest
from chalice.config import Config
from chalice.deploy.swagger import CFNSwaggerGenerator

from infra.build_resources import GATEWAY_RESPONSES, build, prod_settings, stage_environment
from scripts.local_gateway import RenovaLocalGateway, RouteNotFound
from tests.support import make_token

ORIGIN = "http://localhost:3000"
SECRET_MARK = "tok3n-that-must-never-come-back"


def assert_error_shape(body: dict, code: str | None = None) -> None:
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"].replace("_", "").isalpha() and body["error"]["code"].islower()
    if code:
        assert body["error"]["code"] == code


def assert_no_echo(headers: dict, body) -> None:
    text = json.dumps(dict(headers)) + (body.decode() if isinstance(body, bytes) else str(body))
    assert SECRET_MARK not in text and "Bearer" not in text and "Authorization=" not in text


# --- the app: Chalice's own answers ---------------------------------------------------------------
@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "HEAD"])
def test_a_method_the_path_lacks_is_405_in_the_error_shape(client, method):
    response = client.call(method, "/v1/accounts", f"{make_token('u1')}{SECRET_MARK}", headers={"Origin": ORIGIN})
    assert response.status_code == 405
    if method != "HEAD":
        assert_error_shape(response.data, "method_not_allowed")
        assert response.data["error"]["message"] == "Método não permitido nesta rota."
    assert set(response.headers["Allow"].split(",")) == {"GET", "POST", "OPTIONS"}
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["X-Request-Id"]
    assert_no_echo(response.headers, response.body)


def test_our_own_errors_pass_the_middleware_untouched(client):
    response = client.call("GET", "/v1/accounts/acc_nope", make_token("u1"))
    assert response.status_code == 404
    assert response.data["error"]["code"] == "account_not_found"


# --- chalice local: an unknown path -----------------------------------------------------------------
@pytest.fixture
def local_gateway(aws):
    import app as app_module

    return RenovaLocalGateway(app_module.app, Config.create(chalice_app=app_module.app, app_name="renova",
                                                            chalice_stage="local"))


@pytest.mark.parametrize("path", ["/v1/nope", "/", "/v1/accounts/acc_x/nope/deeper", "/v1/accounts/acc_x/"
                                  "subscriptions/sub_x/unknown"])
@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS"])
def test_an_unknown_path_is_404_in_the_error_shape_without_the_token(local_gateway, path, method):
    headers = {"Authorization": f"Bearer {SECRET_MARK}", "Origin": ORIGIN}
    with pytest.raises(RouteNotFound) as raised:
        local_gateway.handle_request(method=method, path=path, headers=headers, body=None)
    error = raised.value
    assert error.CODE == 404
    assert_error_shape(json.loads(error.body), "route_not_found")
    assert json.loads(error.body)["error"]["message"] == "Rota não encontrada."
    assert error.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert_no_echo(error.headers, error.body)


def test_an_unknown_path_from_another_origin_gets_no_cors_grant(local_gateway):
    with pytest.raises(RouteNotFound) as raised:
        local_gateway.handle_request(method="GET", path="/v1/nope", headers={"Origin": "https://evil.example"},
                                     body=None)
    assert "Access-Control-Allow-Origin" not in raised.value.headers


def test_known_paths_still_reach_the_app(local_gateway):
    response = local_gateway.handle_request(method="GET", path="/v1/health", headers={}, body=None)
    assert response["statusCode"] == 200


# --- the deployed template: gateway responses -------------------------------------------------------
def gateway_responses(resources: dict) -> dict[str, dict]:
    # Entries without a Type are merged into resources Chalice generates (the metrics consumer's rule).
    return {r["Properties"]["ResponseType"]: r["Properties"] for r in resources["Resources"].values()
            if r.get("Type") == "AWS::ApiGateway::GatewayResponse"}


def test_every_gateway_response_answers_in_the_error_shape_and_echoes_nothing():
    responses = gateway_responses(build(prod_settings()))
    assert {"MISSING_AUTHENTICATION_TOKEN", "UNAUTHORIZED", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX",
            "THROTTLED", "INVALID_SIGNATURE", "EXPIRED_TOKEN", "REQUEST_TOO_LARGE", "INTEGRATION_TIMEOUT",
            "RESOURCE_NOT_FOUND", "BAD_REQUEST_BODY"} <= set(responses)
    assert set(responses) == set(GATEWAY_RESPONSES)
    for response_type, properties in responses.items():
        assert set(properties["ResponseTemplates"]) == {"application/json"}, response_type
        template = properties["ResponseTemplates"]["application/json"]
        assert "$" not in template, response_type  # no $context.error.message: it carries the token
        assert_error_shape(json.loads(template))
        for name, value in properties["ResponseParameters"].items():
            assert value.startswith("'") and value.endswith("'"), (response_type, name)  # static: no echo
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    assert json.loads(missing["ResponseTemplates"]["application/json"])["error"]["code"] == "route_not_found"
    assert json.loads(responses["UNAUTHORIZED"]["ResponseTemplates"]["application/json"])["error"]["code"] == \
        "unauthorized"


def test_gateway_responses_name_the_stages_single_origin_only():
    portal = stage_environment("prod")["CORS_ORIGINS"]
    assert "," not in portal and "localhost" not in portal
    for properties in gateway_responses(build(prod_settings())).values():
        parameters = properties["ResponseParameters"]
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{portal}'"
        assert parameters["gatewayresponse.header.Access-Control-Allow-Headers"] == \
            "'Authorization,Content-Type,Idempotency-Key'"
        assert parameters["gatewayresponse.header.Access-Control-Expose-Headers"] == "'X-Request-Id'"
    from chalicelib.settings import Settings

    several = Settings(RENOVA_STAGE="local")  # two origins: a gateway response cannot choose, names none
    for properties in gateway_responses(build(several)).values():
        assert "gatewayresponse.header.Access-Control-Allow-Origin" not in properties["ResponseParameters"]


# --- the deployed template: the preflight of every path ---------------------------------------------
def test_the_template_answers_every_preflight_through_the_lambda_without_auth():
    import app as app_module

    swagger = CFNSwaggerGenerator().generate_swagger(app_module.app)  # what `chalice package` embeds
    assert swagger["paths"]
    for path, operations in swagger["paths"].items():
        assert "options" in operations, path
        options = operations["options"]
        integration = options["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy", path  # the Lambda decides per origin (cors.py)
        assert "APIHandler" in json.dumps(integration["uri"]), path
        assert not options.get("security"), path  # a preflight carries no token
