"""The token matrix beyond tests/api/test_auth.py: unknown or missing `kid`, algorithms other than
the one the stage accepts (HS512/HS384 with the dev secret, HS256 signed with the issuer's public
key), `nbf` in the future, a wrong audience, an unreachable JWKS, malformed claims and headers.
Every refusal is a 401 in the error shape, never a 500, on one route of each kind of access."""
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from chalicelib.settings import Settings
from chalicelib.wiring import Container, set_container
from tests.api.test_auth import ISSUER, jwks_url, prod, prod_settings, rs256, rsa_key  # noqa: F401 — fixtures
from tests.support import DEV_SECRET, make_token

ROUTES = ["/v1/catalog", "/v1/accounts/{account_id}", "/v1/admin/requests"]  # user, account member, finance


def _path(route: str, account_id: str = "acc_x") -> str:
    return route.replace("{account_id}", account_id)


def assert_refused(client, token, headers=None):
    for route in ROUTES:
        extra = dict(headers or {})
        if token is not None:
            extra.setdefault("Authorization", f"Bearer {token}")
        response = client.call("GET", _path(route), None, headers=extra)
        assert response.status_code == 401, (route, response.status_code, response.data)
        assert set(response.data["error"]) == {"code", "message", "details"}
        assert response.data["error"]["code"] in ("invalid_token", "token_expired", "missing_token")


# --- local stage: only HS256 with AUTH_DEV_SECRET ----------------------------------------------
@pytest.mark.parametrize("case, token", [
    ("HS512 with the dev secret", lambda: make_token("u1", algorithm="HS512")),
    ("HS384 with the dev secret", lambda: make_token("u1", algorithm="HS384")),
    ("RS256 without any JWKS configured", lambda: _rs256_local()),
    ("sub is a number", lambda: jwt.encode({"sub": 42, "exp": int(time.time()) + 60}, DEV_SECRET, algorithm="HS256")),
    ("sub is empty", lambda: make_token("")),
    ("nbf in the future", lambda: make_token("u1", nbf=int(time.time()) + 600)),
    ("signed with the secret of another stage", lambda: make_token("u1", secret="prod-secret-never-local")),
    ("header only", lambda: jwt.encode({"sub": "u1", "exp": int(time.time()) + 60}, DEV_SECRET).split(".")[0]),
    ("signature stripped", lambda: make_token("u1").rsplit(".", 1)[0] + "."),
    ("payload swapped after signing", lambda: _swap_payload(make_token("u1"), make_token("admin-user"))),
])
def test_the_local_stage_refuses(client, case, token):
    assert_refused(client, token())


@pytest.mark.parametrize("case, headers", [
    ("Basic scheme", {"Authorization": "Basic dTE6cGFzc3dvcmQ="}),
    ("Bearer with nothing after it", {"Authorization": "Bearer "}),
    ("token without a scheme", {"Authorization": "__TOKEN__"}),
    ("token in another header", {"X-Auth-Token": "__TOKEN__"}),
])
def test_the_token_travels_only_as_a_bearer_authorization_header(client, case, headers):
    token = make_token("u1")
    assert_refused(client, None, {k: v.replace("__TOKEN__", token) for k, v in headers.items()})


def test_a_token_in_the_query_string_is_not_read(client):
    response = client.call("GET", f"/v1/catalog?access_token={make_token('u1')}")
    assert response.status_code == 401 and response.data["error"]["code"] == "missing_token"


def test_groups_that_are_not_a_list_grant_nothing(client):
    token = make_token("u1", groups="finance")
    response = client.call("GET", "/v1/admin/requests", token)
    assert response.status_code == 403 and response.data["error"]["code"] == "finance_only"


def _rs256_local() -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({"sub": "u1", "exp": int(time.time()) + 60}, key, algorithm="RS256", headers={"kid": "k1"})


def _swap_payload(signed: str, other: str) -> str:
    header, _, signature = signed.split(".")
    return ".".join([header, other.split(".")[1], signature])


# --- production: only RS256 of the issuer, key from its JWKS -----------------------------------
def test_prod_accepts_the_control_token(prod, rsa_key):  # noqa: F811 — fixture
    assert prod.call("GET", "/v1/catalog", rs256(rsa_key)).status_code == 200


@pytest.mark.parametrize("case", ["unknown kid", "no kid", "expired", "nbf in the future", "alg none",
                                  "HS256 signed with the issuer's public key", "HS256 with the local secret",
                                  "another issuer's key with the right kid"])
def test_prod_refuses(prod, rsa_key, case):  # noqa: F811 — fixtures
    now = int(time.time())
    claims = {"sub": "u1", "iss": ISSUER, "exp": now + 300}
    if case == "unknown kid":
        token = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k-unknown"})
    elif case == "no kid":
        token = jwt.encode(claims, rsa_key, algorithm="RS256")
    elif case == "expired":
        token = rs256(rsa_key, exp=now - 120)
    elif case == "nbf in the future":
        token = rs256(rsa_key, nbf=now + 600)
    elif case == "alg none":
        token = jwt.encode(claims, None, algorithm="none")
    elif case == "HS256 signed with the issuer's public key":
        public_pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
        token = _hs256_with_raw_key(claims, public_pem)
    elif case == "HS256 with the local secret":
        token = make_token("u1", iss=ISSUER)
    else:
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
    assert_refused(prod, token)


def _hs256_with_raw_key(claims: dict, key: bytes) -> str:
    """PyJWT refuses to use a PEM as an HMAC secret; an attacker does it by hand."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode()) + "." + \
        b64(json.dumps(claims).encode())
    return signing_input + "." + b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def test_prod_refuses_a_wrong_audience_when_one_is_configured(client, jwks_url, rsa_key):  # noqa: F811
    settings = Settings(RENOVA_STAGE="prod", AUTH_ISSUER=ISSUER, AUTH_JWKS_URL=jwks_url, AUTH_AUDIENCE="renova-portal",
                        CURSOR_SECRET="c", STRIPE_WEBHOOK_SECRET="s", ASAAS_WEBHOOK_TOKEN="a")
    set_container(Container(settings))
    assert client.call("GET", "/v1/catalog", rs256(rsa_key, aud="renova-portal")).status_code == 200
    assert_refused(client, rs256(rsa_key, aud="another-app"))
    assert_refused(client, rs256(rsa_key))  # no aud at all


def test_prod_with_an_unreachable_jwks_answers_401_not_500(client, rsa_key):  # noqa: F811
    set_container(Container(prod_settings("http://127.0.0.1:9/.well-known/jwks.json")))
    assert_refused(client, rs256(rsa_key))
