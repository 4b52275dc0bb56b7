"""Token matrix (API.md Auth) and the local-only dev routes."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.api.access import Access
from chalicelib.settings import MissingSetting, Settings
from chalicelib.wiring import Container, set_container
from tests.steps.routes import fill, spec_id, specs
from tests.support import make_token

ISSUER = "https://issuer.example.test/pool"


def test_a_valid_dev_token_is_accepted(client):
    assert client.call("GET", "/v1/catalog", make_token("u1")).status_code == 200


@pytest.mark.parametrize("case, token", [
    ("expired", lambda: make_token("u1", expires_in=-120)),
    ("wrong signature", lambda: make_token("u1", secret="another-secret")),
    ("alg none", lambda: jwt.encode({"sub": "u1", "exp": int(time.time()) + 60}, None, algorithm="none")),
    ("malformed", lambda: "abc.def"),
    ("no sub", lambda: jwt.encode({"exp": int(time.time()) + 60}, "local-dev-secret", algorithm="HS256")),
    ("no exp", lambda: jwt.encode({"sub": "u1"}, "local-dev-secret", algorithm="HS256")),
])
def test_bad_tokens_get_401_in_the_error_shape(client, case, token):
    response = client.call("GET", "/v1/catalog", token())
    assert response.status_code == 401, case
    assert response.data["error"]["code"] in ("invalid_token", "token_expired")


def test_a_missing_authorization_header_gets_401(client):
    response = client.call("GET", "/v1/catalog")
    assert response.status_code == 401 and response.data["error"]["code"] == "missing_token"


@pytest.fixture
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_url(rsa_key):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def prod_settings(jwks_url: str = "http://127.0.0.1:9/jwks.json") -> Settings:
    # The prod stage's auth on the installed container's store: installing a container binds the
    # models to its endpoint and tables, and the data of the test lives in the local stage's.
    from chalicelib.wiring import container

    store = container().settings
    return Settings(RENOVA_STAGE="prod", AUTH_ISSUER=ISSUER, AUTH_JWKS_URL=jwks_url, CURSOR_SECRET="c",
                    STRIPE_WEBHOOK_SECRET="s", ASAAS_WEBHOOK_TOKEN="a", AWS_ENDPOINT_URL=store.aws_endpoint_url,
                    BILLING_TABLE=store.billing_table, IDEMPOTENCY_TABLE=store.idempotency_table)


@pytest.fixture
def prod(client, jwks_url):
    set_container(Container(prod_settings(jwks_url)))
    return client


def rs256(key, **claims) -> str:
    payload = {"sub": "u1", "iss": ISSUER, "exp": int(time.time()) + 300, **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


def test_prod_accepts_rs256_tokens_of_the_issuer(prod, rsa_key):
    assert prod.call("GET", "/v1/catalog", rs256(rsa_key)).status_code == 200


def test_prod_refuses_hs256_dev_tokens(prod):
    response = prod.call("GET", "/v1/catalog", make_token("u1"))
    assert response.status_code == 401


def test_prod_refuses_another_issuer_and_another_key(prod, rsa_key):
    assert prod.call("GET", "/v1/catalog", rs256(rsa_key, iss="https://evil.example")).status_code == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert prod.call("GET", "/v1/catalog", rs256(other)).status_code == 401


DEV_ROUTES = [s for s in specs() if s.access is Access.DEV]


@pytest.mark.parametrize("spec", DEV_ROUTES, ids=spec_id)
def test_dev_routes_answer_404_outside_local(prod, spec):
    body = {"now": "2026-12-01T09:00:00-03:00"} if spec.body else None
    response = prod.call(spec.method, fill(spec.path, job="issue-invoices"), None, body)
    assert response.status_code == 404
    assert response.data["error"]["code"] == "route_not_found"


def test_a_non_local_stage_without_secrets_refuses_to_start():
    with pytest.raises(MissingSetting) as error:
        Settings(RENOVA_STAGE="prod", AUTH_ISSUER=ISSUER)
    message = str(error.value)
    assert "AUTH_JWKS_URL" in message and "STRIPE_WEBHOOK_SECRET" in message and "AUTH_ISSUER" not in message
