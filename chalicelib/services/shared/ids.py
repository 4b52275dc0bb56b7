"""Ids that sort by creation time (millisecond prefix) and cannot be guessed (random suffix), so an
item collection queried by sort key lists newest or oldest first without another index."""
import secrets
from datetime import datetime


def sortable_id(prefix: str, instant: datetime) -> str:
    milliseconds = int(instant.timestamp() * 1000)
    return f"{prefix}_{milliseconds:011x}{secrets.token_hex(6)}"
