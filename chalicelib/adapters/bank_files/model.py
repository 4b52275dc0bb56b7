"""What a bank return file says, independent of its layout."""
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum


class Layout(IntEnum):
    CNAB240 = 240
    CNAB400 = 400


class MovementKind(StrEnum):
    """What a movement (ocorrência) code means for billing; the code tables differ by layout and bank."""

    SETTLED = "settled"                  # liquidação: money received
    ENTRY_CONFIRMED = "entry_confirmed"  # the bank registered the boleto
    REJECTED = "rejected"                # the bank refused to register the boleto
    WRITTEN_OFF = "written_off"          # baixa: the boleto left the bank's portfolio
    OTHER = "other"                      # instructions, fees, protest and the rest


@dataclass(frozen=True)
class ReturnRecord:
    line: int  # 1-based line of the record (segment T in CNAB 240)
    nosso_numero: str
    movement: str  # the bank's two-digit code, as written
    kind: MovementKind
    amount_cents: int  # valor nominal do título
    paid_cents: int
    fee_cents: int
    net_cents: int | None  # credited to the account, when the layout states it
    occurred_on: date | None
    credited_on: date | None
    due_on: date | None
    carteira: str
    document_number: str  # número do documento / seu número, as the beneficiary sent it


@dataclass(frozen=True)
class ReturnFile:
    layout: Layout
    bank_code: str
    generated_on: date | None
    records: tuple[ReturnRecord, ...]
