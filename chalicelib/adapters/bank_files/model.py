"""What a bank return file says, independent of its layout."""
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from chalicelib.domain.banks.cnab import MovementKind  # the banks' CNAB 400 tables map to it

__all__ = ["Layout", "MovementKind", "ReturnFile", "ReturnRecord"]


class Layout(IntEnum):
    CNAB240 = 240
    CNAB400 = 400


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
