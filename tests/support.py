"""Helpers shared by the test suites: tokens, AWS resources, request shortcuts."""
import json
import time

import jwt

DEV_SECRET = "local-dev-secret"


def make_token(sub: str, email: str | None = None, groups=(), *, secret: str = DEV_SECRET,
               algorithm: str = "HS256", expires_in: int = 3600, **claims) -> str:
    payload = {"sub": sub, "email": email or f"{sub}@example.com", "groups": list(groups),
               "iat": int(time.time()), "exp": int(time.time()) + expires_in, **claims}
    return jwt.encode(payload, secret, algorithm=algorithm)


def auth(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}


def body(data) -> str:
    return json.dumps(data)


VALID_BILLING_DATA = {
    "legal_name": "Marcenaria Exemplo Ltda",
    "document": "11.222.333/0001-81",
    "address": {"street": "Rua das Flores", "number": "100", "complement": "Sala 2",
                "district": "Centro", "city": "Bento Gonçalves", "state": "RS", "cep": "95700-000"},
    "state_registration": "1234567890",
    "billing_emails": ["financeiro@exemplo.com.br"],
}
