"""Instants in answers are shown in São Paulo time (ISO 8601 with its offset), like the dev clock.
(zoneinfo directly: the domain's calendar module loads `holidays`, which no cold start should pay.)"""
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def in_sao_paulo(instant):
    return instant.astimezone(SAO_PAULO) if instant else None
