"""Movement (ocorrência) codes: FEBRABAN C044 for CNAB 240. Each bank's CNAB 400 table is its own fact
(domain.banks.<bank>.CNAB400_RETURN)."""
from typing import Mapping

from chalicelib.adapters.bank_files.model import MovementKind

_SETTLED, _CONFIRMED, _REJECTED, _WRITTEN_OFF = (
    MovementKind.SETTLED, MovementKind.ENTRY_CONFIRMED, MovementKind.REJECTED, MovementKind.WRITTEN_OFF,
)

# C044: 06 liquidação, 17 liquidação após baixa / título não registrado, 09 baixa, 25 protestado e baixado.
CNAB240 = {"02": _CONFIRMED, "03": _REJECTED, "06": _SETTLED, "17": _SETTLED, "09": _WRITTEN_OFF, "25": _WRITTEN_OFF}


def kind_of(table: Mapping[str, MovementKind], code: str) -> MovementKind:
    return table.get(code, MovementKind.OTHER)
