"""Forgery and replay matrix for the gateway webhooks (API.md), built independently of the app's code:
signatures are computed here from the spec (Stripe: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
300 s tolerance; Asaas: header `asaas-access-token`).

A signature dated in the future is in the list: Stripe's own SDK bounds only the age of a
signature, so one dated ahead (a leaked secret, a signer with a wrong clock) stayed replayable until
its date plus the tolerance; the app applies the 300 s window both ways.

`forgeries(profile, body)` yields (case, headers, body) that must all be refused with a 4xx and
write nothing; `genuine(profile, body)` the headers of a delivery that must be accepted. Use them on
any event body: tests/security/test_webhooks_matrix.py runs them on an event type the app only
acknowledges, and the same helpers serve payment events (deliver twice → one payment) and fault
injection (tests/faults/test_webhook_faults.py)."""
import hashlib
import hmac
import time
from dataclasses import dataclass

STRIPE_TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Profile:
    path: str
    kind: str    # "stripe" | "asaas" | "pix"
    secret: str  # the local stage's default (settings.py)


STRIPE = Profile("/v1/webhooks/stripe", "stripe", "whsec_local")
ASAAS = Profile("/v1/webhooks/asaas", "asaas", "local-asaas-token")
# The Pix PSP: mutual TLS in AWS; in the local stage the header X-Webhook-Token (API.md).
PIX = Profile("/v1/webhooks/pix", "pix", "local-pix-token")
PROFILES = {profile.path: profile for profile in (STRIPE, ASAAS, PIX)}


def stripe_signature(body: bytes, secret: str, timestamp: int | None = None, scheme: str = "v1") -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},{scheme}={digest}"


def genuine(profile: Profile, body: bytes) -> dict:
    if profile.kind == "stripe":
        return {"Stripe-Signature": stripe_signature(body, profile.secret), "Content-Type": "application/json"}
    if profile.kind == "pix":
        return {"X-Webhook-Token": profile.secret, "Content-Type": "application/json"}
    return {"asaas-access-token": profile.secret, "Content-Type": "application/json"}


def forgeries(profile: Profile, body: bytes) -> list[tuple[str, dict, bytes]]:
    json_type = {"Content-Type": "application/json"}
    tampered = body.replace(b"}", b', "amount": 1}', 1) if b"}" in body else body + b" "
    if profile.kind == "pix":
        return [
            ("no token", json_type, body),
            ("wrong token", {**json_type, "X-Webhook-Token": profile.secret + "x"}, body),
            ("empty token", {**json_type, "X-Webhook-Token": ""}, body),
            ("token of another gateway", {**json_type, "X-Webhook-Token": ASAAS.secret}, body),
            ("token in the Asaas header", {**json_type, "asaas-access-token": profile.secret}, body),
        ]
    if profile.kind == "asaas":
        return [
            ("no token", json_type, body),
            ("wrong token", {**json_type, "asaas-access-token": profile.secret + "x"}, body),
            ("empty token", {**json_type, "asaas-access-token": ""}, body),
            ("token of the other gateway", {**json_type, "asaas-access-token": STRIPE.secret}, body),
            ("token as a Stripe signature", {**json_type, "Stripe-Signature": profile.secret}, body),
        ]
    now = int(time.time())
    signed = stripe_signature(body, profile.secret, now)
    return [
        ("no signature", json_type, body),
        ("empty signature", {**json_type, "Stripe-Signature": ""}, body),
        ("garbage signature", {**json_type, "Stripe-Signature": "t=abc,v1=zz"}, body),
        ("wrong secret", {**json_type, "Stripe-Signature": stripe_signature(body, "whsec_other", now)}, body),
        ("body changed after signing", {**json_type, "Stripe-Signature": signed}, tampered),
        ("signed too long ago (replay)", {**json_type, "Stripe-Signature": stripe_signature(
            body, profile.secret, now - STRIPE_TOLERANCE_SECONDS - 60)}, body),
        ("signed 600 s ahead (the window applies both ways)", {**json_type, "Stripe-Signature": stripe_signature(
            body, profile.secret, now + 600)}, body),
        ("v0 scheme only", {**json_type, "Stripe-Signature": stripe_signature(body, profile.secret, now, "v0")}, body),
        ("timestamp changed after signing",
         {**json_type, "Stripe-Signature": signed.replace(f"t={now}", f"t={now - 1}")}, body),
        ("no timestamp", {**json_type, "Stripe-Signature": signed.split(",", 1)[1]}, body),
    ]
