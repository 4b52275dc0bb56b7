"""The license signing keys of a deployed stage: an Ed25519 key ring in AWS Secrets Manager (moto),
rotated without breaking a file already handed out — every key still in the ring is in the JWKS."""
import json

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from moto import mock_aws

from chalicelib.adapters.license_signing import LicenseSigner, SecretsManagerKeys, pem_of
from chalicelib.settings import Settings

SECRET = "renova-prod-license-signing"


class Ticking:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def ring(current: str, *kids_and_keys) -> str:
    return json.dumps({"current": current,
                       "keys": [{"kid": kid, "private_key": pem_of(key)} for kid, key in kids_and_keys]})


def verify(token: str, jwks: dict) -> dict:
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in jwks["keys"] if k["kid"] == kid]
    return jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"])


@pytest.fixture
def secrets():
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="sa-east-1")


def test_rotation_signs_with_the_new_key_and_files_of_the_old_one_still_verify(secrets):
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    secrets.create_secret(Name=SECRET, SecretString=ring("2026-11", ("2026-11", first)))
    clock = Ticking()
    signer = LicenseSigner(SecretsManagerKeys(secrets, SECRET, refresh_seconds=300, monotonic=clock))
    before = signer.sign({"sub": "RNV-A", "lic": "active", "exp": 4_000_000_000})
    assert jwt.get_unverified_header(before)["kid"] == "2026-11"

    secrets.put_secret_value(SecretId=SECRET, SecretString=ring("2026-12", ("2026-11", first), ("2026-12", second)))
    assert jwt.get_unverified_header(signer.sign({"sub": "RNV-A"}))["kid"] == "2026-11"  # cached for a while
    clock.now += 300
    after = signer.sign({"sub": "RNV-A", "lic": "active", "exp": 4_000_000_000})
    jwks = signer.jwks()
    assert jwt.get_unverified_header(after)["kid"] == "2026-12"
    assert [k["kid"] for k in jwks["keys"]] == ["2026-11", "2026-12"]
    assert all(set(k) == {"kty", "crv", "x", "kid", "alg", "use"} for k in jwks["keys"])  # no private part
    assert verify(before, jwks)["kid"] == "2026-11" and verify(after, jwks)["kid"] == "2026-12"

    secrets.put_secret_value(SecretId=SECRET, SecretString=ring("2026-12", ("2026-12", second)))
    clock.now += 300  # the old key removed once its last file expired: its files no longer verify
    with pytest.raises(ValueError):
        verify(before, signer.jwks())


def test_a_secret_whose_current_key_is_missing_is_refused(secrets):
    secrets.create_secret(Name=SECRET, SecretString=ring("nope", ("2026-11", Ed25519PrivateKey.generate())))
    with pytest.raises(ValueError):
        SecretsManagerKeys(secrets, SECRET)()


def test_a_deployed_stage_signs_with_the_secret_and_the_local_stage_with_a_throwaway_key():
    from chalicelib.adapters.license_signing import LocalKeys
    from chalicelib.wiring import Container

    local = Container(Settings(RENOVA_STAGE="local"))
    assert isinstance(local.license_signer._source, LocalKeys)
    deployed = Container(Settings(RENOVA_STAGE="prod", AUTH_ISSUER="https://issuer.example", AUTH_AUDIENCE="renova",
                                  AUTH_JWKS_URL="https://issuer.example/jwks", INTERNAL_API_TOKEN="t",
                                  CURSOR_SECRET="c", STRIPE_WEBHOOK_SECRET="w", ASAAS_WEBHOOK_TOKEN="a"))
    source = deployed.license_signer._source
    assert isinstance(source, SecretsManagerKeys) and source._secret_id == "renova-prod-license-signing"
