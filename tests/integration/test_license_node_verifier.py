"""A license file verified by an independent implementation: Node.js with `jose` from the npm
registry (tests/licensing_node, installed by `make deps-licensing`), given only the JWKS."""
import base64
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.api.test_licenses import activate, keys, promob_account

VERIFIER = Path(__file__).resolve().parents[1] / "licensing_node"
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (VERIFIER / "node_modules" / "jose").is_dir(),
    reason="node and tests/licensing_node/node_modules: run `make deps-licensing`")


def node_verify(tmp_path, jwks: dict, token: str, at: datetime) -> subprocess.CompletedProcess:
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    (tmp_path / "license.jwt").write_text(token)
    return subprocess.run(["node", str(VERIFIER / "verify.mjs"), str(tmp_path / "jwks.json"),
                           str(tmp_path / "license.jwt")], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin:/usr/local/bin", "VERIFY_AT": at.isoformat()})


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_node_jose_verifies_the_file_with_the_jwks_only_and_refuses_tampering_and_expiry(client, tmp_path):
    account_id, owner, _ = promob_account(client, "node-owner", quantity=1)
    [key] = keys(client, account_id, owner)
    answer = activate(client, key["key"], "fp-node", "Estação Node")
    assert answer.status_code == 200, answer.data
    token, claims = answer.data["license_file"], answer.data["claims"]
    jwks = client.call("GET", "/v1/licenses/jwks.json").data
    issued = datetime.fromtimestamp(claims["iat"], timezone.utc)

    verified = node_verify(tmp_path, jwks, token, issued)
    assert verified.returncode == 0, verified.stderr
    out = json.loads(verified.stdout)
    assert out["header"]["alg"] == "EdDSA" and out["header"]["kid"] == claims["kid"]
    assert out["claims"] == claims

    header, _, signature = token.split(".")
    tampered = node_verify(tmp_path, jwks, f"{header}.{_b64({**claims, 'lic': 'active', 'exp': claims['exp'] + 10**8})}"
                                           f".{signature}", issued)
    assert tampered.returncode == 2 and "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" in tampered.stderr

    expired = node_verify(tmp_path, jwks, token, datetime.fromtimestamp(claims["exp"] + 1, timezone.utc))
    assert expired.returncode == 3, expired.stderr

    other_key = {"keys": [{**jwks["keys"][0], "x": _b64({"not": "the key"})[:43]}]}
    assert node_verify(tmp_path, other_key, token, issued).returncode == 2
