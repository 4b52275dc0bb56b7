"""The parts of CNAB return files that differ from bank to bank, as each bank module states them:
positions exactly as the manuals print them (1-based, inclusive) and what the bank's ocorrência codes
mean for billing. Reading and writing the files is adapters/bank_files' job."""
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable, Mapping


@dataclass(frozen=True)
class Field:
    start: int
    end: int
    label: str  # pt-BR name used in error messages

    @property
    def width(self) -> int:
        return self.end - self.start + 1


class MovementKind(StrEnum):
    """What a movement (ocorrência) code means for billing; the code tables differ by layout and bank."""

    SETTLED = "settled"                  # liquidação: money received
    ENTRY_CONFIRMED = "entry_confirmed"  # the bank registered the boleto
    REJECTED = "rejected"                # the bank refused to register the boleto
    WRITTEN_OFF = "written_off"          # baixa: the boleto left the bank's portfolio
    OTHER = "other"                      # instructions, fees, protest and the rest


@dataclass(frozen=True)
class Cnab240Return:
    """Where segment T of a CNAB 240 return carries each field; segment U is the same at every bank."""

    nosso_numero: Field
    carteira: Field
    document_number: Field
    due_on: Field
    amount: Field
    fee: Field
    lot_trailer_counts_records: bool = True  # False: the lot trailer's count is not checked


FEBRABAN_240_RETURN = Cnab240Return(
    nosso_numero=Field(38, 57, "nosso número"),
    carteira=Field(58, 58, "carteira"),
    document_number=Field(59, 73, "número do documento"),
    due_on=Field(74, 81, "data de vencimento"),
    amount=Field(82, 96, "valor do título"),
    fee=Field(199, 213, "valor da tarifa"),
)

# (kind, tariff, the value at `value`) -> (paid by the payer, credited to the account or None)
Amounts = Callable[[MovementKind, int, int], tuple[int, int | None]]


@dataclass(frozen=True)
class Cnab400Return:
    """A bank's own CNAB 400 return: the transaction fields the banks do not share, its ocorrência
    table (codes missing from it mean OTHER) and the record types it adds."""

    nosso_numero: Field
    carteira: Field
    value: Field  # positions 254-266, whose meaning differs by bank: see `amounts`
    amounts: Amounts
    movements: Mapping[str, MovementKind]
    trailer_transaction_count: Field | None = None  # None: the trailer states no count of type-1 records
    other_record_types: frozenset[str] = frozenset()  # valid records that carry no title movement
