"""Opaque, tamper-proof list cursors: the position is signed (HMAC-SHA256) together with the
account it belongs to, so a cursor edited by hand or taken from another account is refused.

List routes do not call these themselves: `endpoint(..., cursor_scope=...)` (routing.py) reads the
cursor into a `Page` and signs the next one from the `Paged` the handler returns."""
import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import BadRequest

_INVALID = BadRequest("Cursor de paginação inválido.", code="invalid_cursor")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def encode_cursor(secret: str, scope: str, position: str | None) -> str | None:
    if position is None:
        return None
    payload = json.dumps({"s": scope, "p": position}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_signature(secret, payload))}"


def decode_cursor(secret: str, scope: str, cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        payload_part, signature_part = cursor.split(".", 1)
        payload = _unb64(payload_part)
        signature = _unb64(signature_part)
    except ValueError as exc:
        raise _INVALID from exc
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        raise _INVALID
    data = json.loads(payload)
    if data.get("s") != scope:
        raise _INVALID
    return data["p"]


@dataclass(frozen=True)
class Page:
    """The page a list route asked for: at most `limit` items after `after`, the position the verified
    cursor carried (None on the first page)."""
    limit: int
    after: str | None = None

    def after_keys(self) -> dict | None:
        """The position as index keys (a route that pages a GSI signs its LastEvaluatedKey as JSON)."""
        try:
            return json.loads(self.after) if self.after else None
        except ValueError as exc:  # signed by us, so only a change of format could land here
            raise _INVALID from exc


@dataclass(frozen=True)
class Paged:
    """What a list handler answers: its response model, whose `next_cursor` the decorator fills in, and
    the position after the page's last item (None on the last page; a dict of index keys is signed as JSON)."""
    body: Any
    last: str | dict | None

    def position(self) -> str | None:
        if isinstance(self.last, dict):
            return json.dumps(self.last) if self.last else None
        return self.last
