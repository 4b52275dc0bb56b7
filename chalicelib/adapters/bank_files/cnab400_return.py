"""CNAB 400 return (retorno) of cobrança for Itaú (SISCOB) and Bradesco (layout 400P).
Each bank has its own record layout and ocorrência table; the header says which bank wrote it."""
from dataclasses import dataclass
from typing import Callable

from chalicelib.adapters.bank_files import movements
from chalicelib.adapters.bank_files.fields import Field, Record
from chalicelib.adapters.bank_files.model import Layout, MovementKind, ReturnFile, ReturnRecord

WIDTH = 400

RECORD_TYPE = Field(1, 1, "tipo de registro")
HEADER_BANK = Field(77, 79, "código do banco")
GENERATED_ON = Field(95, 100, "data de geração do arquivo")
SEQUENCE = Field(395, 400, "número sequencial do registro")
HEADER, TRANSACTION, TRAILER = "0", "1", "9"

# Positions the two banks share in the transaction record.
_MOVEMENT = Field(109, 110, "código de ocorrência")
_OCCURRED_ON = Field(111, 116, "data da ocorrência")
_DOCUMENT_NUMBER = Field(117, 126, "número do documento")
_DUE_ON = Field(147, 152, "data de vencimento")
_AMOUNT = Field(153, 165, "valor do título")
_FEE = Field(176, 188, "valor da tarifa")
_CREDITED_ON = Field(296, 301, "data do crédito")

_ITAU_NOSSO_NUMERO = Field(63, 70, "nosso número")
_ITAU_CARTEIRA = Field(83, 85, "carteira")
_ITAU_PRINCIPAL = Field(254, 266, "valor principal")
_ITAU_DETAIL_COUNT = Field(213, 220, "quantidade de registros de transação")

_BRADESCO_CARTEIRA = Field(22, 24, "carteira")
_BRADESCO_NOSSO_NUMERO = Field(71, 82, "nosso número")
_BRADESCO_PAID = Field(254, 266, "valor pago")


@dataclass(frozen=True)
class _BankProfile:
    read_transaction: Callable[[Record], ReturnRecord]
    check_trailer: Callable[[Record, int], None]
    other_record_types: frozenset[str] = frozenset()  # valid records that carry no title movement


def parse_cnab400_return(records: list[Record]) -> ReturnFile:
    header = records[0]
    bank_code = header.digits(HEADER_BANK)
    profile = _PROFILES.get(bank_code)
    if profile is None:
        raise header.error(f"CNAB 400 do banco {bank_code} não é suportado (apenas Itaú 341 e Bradesco 237)")
    transactions = _transactions(records, profile)
    profile.check_trailer(_trailer(records), len(transactions))
    return ReturnFile(
        layout=Layout.CNAB400,
        bank_code=bank_code,
        generated_on=header.date_ddmmyy(GENERATED_ON),
        records=tuple(profile.read_transaction(record) for record in transactions),
    )


def _transactions(records: list[Record], profile: _BankProfile) -> list[Record]:
    """The type 1 records, checking line by line the numbering and the record types."""
    transactions = []
    for record in records:
        # Every 400 record is numbered from 000001: a lost, repeated or reordered line breaks the run.
        if record.integer(SEQUENCE) != record.number:
            raise record.error(f"número sequencial {record.raw(SEQUENCE)} deveria ser {record.number:06d}")
        if 1 < record.number < len(records) and _is_transaction(record, profile):
            transactions.append(record)
    return transactions


def _trailer(records: list[Record]) -> Record:
    last = records[-1]
    if len(records) < 2 or last.raw(RECORD_TYPE) != TRAILER:
        raise last.error("o arquivo termina sem o trailer (registro tipo 9)")
    return last


def _is_transaction(record: Record, profile: _BankProfile) -> bool:
    record_type = record.raw(RECORD_TYPE)
    if record_type == TRANSACTION:
        return True
    if record_type in profile.other_record_types:
        return False
    if record_type in (HEADER, TRAILER):
        raise record.error(f"registro tipo {record_type} fora de lugar: só pode ser a primeira/última linha")
    raise record.error(f"tipo de registro desconhecido: '{record_type}'")


def _itau_transaction(record: Record) -> ReturnRecord:
    movement = record.digits(_MOVEMENT)
    kind = movements.kind_of(movements.ITAU_400, movement)
    fee, principal = record.integer(_FEE), record.integer(_ITAU_PRINCIPAL)
    # Itaú states what it credits (principal, after its tariff), not what the payer paid: in a liquidation
    # principal = título + mora - tarifa, so the payer paid principal + tarifa.
    paid = principal + fee if kind is MovementKind.SETTLED else 0
    return _transaction(record, movement, kind, _ITAU_NOSSO_NUMERO, _ITAU_CARTEIRA, paid, principal)


def _itau_trailer(trailer: Record, transactions: int) -> None:
    stated = trailer.integer(_ITAU_DETAIL_COUNT)
    if stated != transactions:
        raise trailer.error(f"o trailer informa {stated} registros de transação, mas há {transactions}")


def _bradesco_transaction(record: Record) -> ReturnRecord:
    movement = record.digits(_MOVEMENT)
    kind = movements.kind_of(movements.BRADESCO_400, movement)
    paid = record.integer(_BRADESCO_PAID)
    return _transaction(record, movement, kind, _BRADESCO_NOSSO_NUMERO, _BRADESCO_CARTEIRA, paid, None)


def _bradesco_trailer(trailer: Record, transactions: int) -> None:
    """Bradesco's trailer counts titles per ocorrência, not records; the sequence check covers it."""


def _transaction(record: Record, movement: str, kind: MovementKind, nosso_numero: Field, carteira: Field,
                 paid: int, net: int | None) -> ReturnRecord:
    return ReturnRecord(
        line=record.number,
        nosso_numero=record.alpha(nosso_numero),
        movement=movement,
        kind=kind,
        amount_cents=record.integer(_AMOUNT),
        paid_cents=paid,
        fee_cents=record.integer(_FEE),
        net_cents=net,
        occurred_on=record.date_ddmmyy(_OCCURRED_ON),
        credited_on=record.date_ddmmyy(_CREDITED_ON),
        due_on=record.date_ddmmyy(_DUE_ON),
        carteira=record.alpha(carteira),
        document_number=record.alpha(_DOCUMENT_NUMBER),
    )


_PROFILES = {
    "341": _BankProfile(_itau_transaction, _itau_trailer),
    # Bradesco adds type 3 (rateio de crédito) and type 4 (Pix QR code) after a type 1.
    "237": _BankProfile(_bradesco_transaction, _bradesco_trailer, frozenset({"3", "4"})),
}
