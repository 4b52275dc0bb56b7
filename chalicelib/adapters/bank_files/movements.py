"""Movement (ocorrência) code tables: FEBRABAN C044 for CNAB 240, each bank's own for CNAB 400."""
from chalicelib.adapters.bank_files.model import MovementKind

_SETTLED, _CONFIRMED, _REJECTED, _WRITTEN_OFF = (
    MovementKind.SETTLED, MovementKind.ENTRY_CONFIRMED, MovementKind.REJECTED, MovementKind.WRITTEN_OFF,
)

# C044: 06 liquidação, 17 liquidação após baixa / título não registrado, 09 baixa, 25 protestado e baixado.
CNAB240 = {"02": _CONFIRMED, "03": _REJECTED, "06": _SETTLED, "17": _SETTLED, "09": _WRITTEN_OFF, "25": _WRITTEN_OFF}

# Itaú nota 17: 08 liquidação em cartório, 10 baixa por ter sido liquidado (the 06 carries the money),
# 32 baixa por protesto, 47 baixa com transferência para desconto, 60 entrada rejeitada carnê.
ITAU_400 = {
    "02": _CONFIRMED, "03": _REJECTED, "60": _REJECTED, "06": _SETTLED, "08": _SETTLED,
    "09": _WRITTEN_OFF, "10": _WRITTEN_OFF, "32": _WRITTEN_OFF, "47": _WRITTEN_OFF,
}

# Bradesco 109-110: 15 liquidação em cartório, 17 liquidação após baixa, 24 rejeitada por CEP,
# 10 baixado conforme instruções da agência. 16 (pago em cheque vinculado) is not money yet: other.
BRADESCO_400 = {
    "02": _CONFIRMED, "03": _REJECTED, "24": _REJECTED, "06": _SETTLED, "15": _SETTLED, "17": _SETTLED,
    "09": _WRITTEN_OFF, "10": _WRITTEN_OFF,
}


def kind_of(table: dict[str, MovementKind], code: str) -> MovementKind:
    return table.get(code, MovementKind.OTHER)
