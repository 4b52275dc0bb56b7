"""Instants in answers are shown in São Paulo time (ISO 8601 with its offset), like the dev clock.
(zoneinfo directly: the domain's calendar module loads `holidays`, which no cold start should pay.)

`format_instant` is the one text form of an instant in any answer; every response model applies it
(schemas/common.py, `ApiModel`), so a POST and a later GET of the same item read the same."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def in_sao_paulo(instant):
    return instant.astimezone(SAO_PAULO) if instant else None


def format_instant(instant: datetime) -> str:
    """`2026-12-04T14:35:04-03:00`: São Paulo offset, whole seconds. Truncated, never rounded: the
    store keeps microseconds, and rounding would move an answer into the next second (or day)."""
    if instant.tzinfo is None:  # the store's attributes are aware; a naive value is UTC by convention
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(SAO_PAULO).replace(microsecond=0).isoformat()
