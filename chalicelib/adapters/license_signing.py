"""Signing license files: JWTs signed with EdDSA over Ed25519 (RFC 8037), and the JWKS that
publishes the public keys so a program verifies its file offline.

Where the private keys live (docs/licensing.md):
- deployed stages: an AWS Secrets Manager secret (settings.license_signing_secret) holding
  `{"current": "<kid>", "keys": [{"kid": "...", "private_key": "<PKCS#8 PEM>"}, ...]}`. Rotation adds a
  key and makes it `current`; the older ones stay in `keys` — only their public halves are used, in
  the JWKS — until the last file they signed has expired, then they are removed. The secret is read
  once per process and again after `refresh_seconds`, so a rotation reaches every Lambda in minutes.
- the local stage and the tests: a throwaway key generated in the process (a file it signed is
  verifiable only while that process runs).
"""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict:
        raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": self.kid, "alg": ALGORITHM,
                "use": "sig"}


@dataclass(frozen=True)
class KeyRing:
    current: SigningKey
    all: tuple[SigningKey, ...]  # the current one and the older ones still verifiable


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_from_pem(kid: str, pem: str) -> SigningKey:
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"license signing key {kid!r} is not an Ed25519 key")
    return SigningKey(kid, private)


def pem_of(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def ring_from_secret(text: str) -> KeyRing:
    data = json.loads(text)
    keys = tuple(key_from_pem(entry["kid"], entry["private_key"]) for entry in data["keys"])
    current = next((key for key in keys if key.kid == data["current"]), None)
    if current is None:
        raise ValueError("the license signing secret's `current` names no key of `keys`")
    return KeyRing(current, keys)


class LicenseSigner:
    """Signs license files with the current key; publishes every key still verifiable."""

    def __init__(self, ring_source):
        self._source = ring_source  # () -> KeyRing

    def sign(self, claims: dict) -> str:
        ring = self._source()
        claims = {**claims, "kid": ring.current.kid}
        return jwt.encode(claims, ring.current.private_key, algorithm=ALGORITHM,
                          headers={"kid": ring.current.kid, "typ": "JWT"})

    @property
    def kid(self) -> str:
        return self._source().current.kid

    def jwks(self) -> dict:
        return {"keys": [key.jwk() for key in self._source().all]}


class LocalKeys:
    """A throwaway Ed25519 key generated in the process (local stage, tests)."""

    def __init__(self, kid: str = "local-1"):
        key = SigningKey(kid, Ed25519PrivateKey.generate())
        self._ring = KeyRing(key, (key,))

    def __call__(self) -> KeyRing:
        return self._ring


class SecretsManagerKeys:
    """The key ring in an AWS Secrets Manager secret, cached for `refresh_seconds`."""

    def __init__(self, secrets_client, secret_id: str, refresh_seconds: int = 300, monotonic=time.monotonic):
        self._client = secrets_client
        self._secret_id = secret_id
        self._refresh = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._ring: KeyRing | None = None
        self._read_at = 0.0

    def __call__(self) -> KeyRing:
        with self._lock:
            if self._ring is None or self._monotonic() - self._read_at >= self._refresh:
                secret = self._client.get_secret_value(SecretId=self._secret_id)
                self._ring = ring_from_secret(secret["SecretString"])
                self._read_at = self._monotonic()
            return self._ring
