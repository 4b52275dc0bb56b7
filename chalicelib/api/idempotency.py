"""`Idempotency-Key` on mutating POSTs (API.md): the same key with the same body replays the first
answer; with another body it is a 409. Keys are scoped to the caller and the route, so one
customer's key can never replay another's answer.

"The same body" means the same JSON, not the same bytes: a client retrying with its keys in another
order or other spacing (another serializer, a proxy that reformats) must get the replay, not a 409.
So the fingerprint hashes canonical JSON (sorted keys, no insignificant whitespace)."""
import hashlib
import json

from chalice import Response

from chalicelib.api.access import Access
from chalicelib.api.responses import JSON
from chalicelib.errors import BadRequest, Conflict

HEADER = "idempotency-key"
_EXEMPT = (Access.PUBLIC, Access.WEBHOOK, Access.DEV)  # webhooks dedupe by event id instead
_MAX_KEY_LENGTH = 255
# Fingerprints carry a version prefix. Records written before it hold the bare hex SHA-256 of the raw
# bytes; they live 24 h (store/idempotency.py), and until they expire a retry still matches them
# byte for byte.
_FINGERPRINT_PREFIX = "v2:"


def body_fingerprint(raw_body: bytes, is_json: bool) -> str:
    """The version-2 fingerprint: SHA-256 of canonical JSON for JSON routes, of the bytes otherwise
    (bank files, webhooks' raw bodies: there the bytes are the content)."""
    payload = raw_body
    if is_json and raw_body.strip():
        try:
            canonical = json.dumps(json.loads(raw_body.decode("utf-8")), sort_keys=True,
                                   separators=(",", ":"), ensure_ascii=False)
        except (ValueError, RecursionError):  # not JSON after all: the bytes are all there is
            canonical = None
        if canonical is not None:
            payload = canonical.encode("utf-8")
    return _FINGERPRINT_PREFIX + hashlib.sha256(payload).hexdigest()


def _legacy_fingerprint(raw_body: bytes) -> str:
    return hashlib.sha256(raw_body).hexdigest()


class IdempotencyGuard:
    def __init__(self, repository, key: str, body_hash: str, legacy_body_hash: str | None = None):
        self._repository = repository
        self._key = key
        self._body_hash = body_hash
        self._legacy_body_hash = legacy_body_hash
        self._record = None

    def begin(self) -> Response | None:
        """Claim the key, or answer with the stored response of the first request."""
        self._record = self._repository.claim(self._key, self._body_hash)
        if self._record is not None:
            return None
        previous = self._repository.get(self._key)
        if previous is None:  # expired between the two calls: claim again
            self._record = self._repository.claim(self._key, self._body_hash)
            return None
        if previous.body_hash not in (self._body_hash, self._legacy_body_hash):
            raise Conflict("Esta Idempotency-Key já foi usada com outro corpo.", code="idempotency_key_reused")
        if previous.status != "done":
            raise Conflict("Uma requisição com esta Idempotency-Key ainda está em andamento.",
                           code="idempotency_in_progress")
        return Response(body=previous.response_body, status_code=int(previous.response_status),
                        headers={"Content-Type": JSON, "Idempotent-Replayed": "true"})

    def finish(self, response: Response) -> None:
        if self._record is None:
            return
        if response.status_code >= 500:
            self._repository.release(self._record)  # a failure of ours must not be replayed
        else:
            self._repository.complete(self._record, response.status_code, response.body)


def guard_for(spec, ctx, request, path_params: dict, repository) -> IdempotencyGuard | None:
    key = (request.headers.get(HEADER) or "").strip()
    if not key or spec.method != "POST" or spec.access in _EXEMPT:
        return None
    if len(key) > _MAX_KEY_LENGTH:
        raise BadRequest("Idempotency-Key longa demais (máximo 255 caracteres).", code="invalid_idempotency_key")
    caller = ctx.principal.user_id if ctx.principal else spec.access.value
    scope = "|".join([caller, spec.method, spec.path, *[f"{k}={v}" for k, v in sorted(path_params.items())], key])
    return IdempotencyGuard(repository, hashlib.sha256(scope.encode()).hexdigest(),
                            body_fingerprint(ctx.raw_body, is_json=spec.body is not None),
                            _legacy_fingerprint(ctx.raw_body))
