"""Bearer-token verification (PyJWT). The local stage accepts HS256 tokens signed with
AUTH_DEV_SECRET; every other stage only RS256 tokens of the configured issuer, checked against its
JWKS. Chalice's local server does not verify authorizers, so this code is what protects routes."""
import hmac
from dataclasses import dataclass, field
from functools import lru_cache

from chalicelib.errors import Unauthorized
from chalicelib.settings import Settings

FINANCE_GROUP = "finance"
_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str = ""
    groups: frozenset[str] = field(default_factory=frozenset)
    # Whether the issuer vouches that `email` belongs to the user. Only a vouched e-mail may claim an
    # invitation: anyone can sign up with someone else's address and leave it unverified.
    email_verified: bool = False

    @property
    def is_finance_staff(self) -> bool:
        return FINANCE_GROUP in self.groups


def bearer_token(headers) -> str:
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Envie o cabeçalho Authorization: Bearer <token>.", code="missing_token")
    return token.strip()


def verify_token(token: str, settings: Settings) -> Principal:
    import jwt  # PyJWT loads `cryptography`; only routes that carry a token pay for it

    try:
        claims = _decode(token, settings)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("O token expirou; entre novamente.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("Token inválido.", code="invalid_token") from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("Token sem identificação do usuário.", code="invalid_token")
    groups = claims.get("groups") or claims.get("cognito:groups") or []
    if not isinstance(groups, list):
        groups = []
    return Principal(user_id=subject, email=str(claims.get("email") or "").lower(),
                     groups=frozenset(str(g) for g in groups),
                     email_verified=_email_verified(claims, settings))


def _email_verified(claims: dict, settings: Settings) -> bool:
    """`email_verified: true` from the issuer. Cognito has sent it as the text "true" in some token
    flows, so that counts too. A local dev token may omit it (the developer signs it); when it says
    false, it is false there as well."""
    verified = claims.get("email_verified")
    if verified is None:
        return settings.is_local
    return verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")


def _decode(token: str, settings: Settings) -> dict:
    import jwt

    algorithm = jwt.get_unverified_header(token).get("alg")
    options = {"require": ["exp", "sub"]}
    if settings.is_local and algorithm == "HS256":
        return jwt.decode(token, settings.auth_dev_secret, algorithms=["HS256"], options=options,
                          leeway=_LEEWAY_SECONDS)
    if algorithm != "RS256":
        raise jwt.InvalidAlgorithmError(f"algorithm {algorithm!r} not accepted")
    if not settings.auth_jwks_url:
        raise jwt.InvalidTokenError("no JWKS configured")
    signing_key = _jwks_client(settings.auth_jwks_url).get_signing_key_from_jwt(token)
    return jwt.decode(
        token, signing_key.key, algorithms=["RS256"], issuer=settings.auth_issuer or None,
        audience=settings.auth_audience or None,
        options={**options, "verify_aud": bool(settings.auth_audience)}, leeway=_LEEWAY_SECONDS,
    )


@lru_cache(maxsize=4)
def _jwks_client(url: str):
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def verify_internal_token(headers, settings: Settings) -> None:
    """Local stage: X-Internal-Token. In AWS the internal routes sit behind IAM authorization."""
    if not settings.is_local:
        return
    given = headers.get("x-internal-token") or ""
    if not hmac.compare_digest(given.encode(), settings.internal_api_token.encode()):
        raise Unauthorized("Token interno inválido.", code="invalid_internal_token")
