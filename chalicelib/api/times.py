"""Instants in answers are shown in São Paulo time (ISO 8601 with its offset), like the dev clock."""
from chalicelib.domain.data_lifecycle import local


def in_sao_paulo(instant):
    return local(instant) if instant else None
