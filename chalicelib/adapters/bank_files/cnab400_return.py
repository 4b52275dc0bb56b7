"""CNAB 400 return (retorno) of cobrança. Each bank has its own record layout and ocorrência table
(domain.banks.<bank>.CNAB400_RETURN, Itaú's SISCOB and Bradesco's 400P today); the header says which
bank wrote it."""
from chalicelib.adapters.bank_files import movements
from chalicelib.adapters.bank_files.fields import Field, Record
from chalicelib.adapters.bank_files.model import Layout, ReturnFile, ReturnRecord
from chalicelib.domain.banks import BANKS, find_bank
from chalicelib.domain.banks.cnab import Cnab400Return

WIDTH = 400

RECORD_TYPE = Field(1, 1, "tipo de registro")
HEADER_BANK = Field(77, 79, "código do banco")
GENERATED_ON = Field(95, 100, "data de geração do arquivo")
SEQUENCE = Field(395, 400, "número sequencial do registro")
HEADER, TRANSACTION, TRAILER = "0", "1", "9"

# Positions the banks share in the transaction record.
_MOVEMENT = Field(109, 110, "código de ocorrência")
_OCCURRED_ON = Field(111, 116, "data da ocorrência")
_DOCUMENT_NUMBER = Field(117, 126, "número do documento")
_DUE_ON = Field(147, 152, "data de vencimento")
_AMOUNT = Field(153, 165, "valor do título")
_FEE = Field(176, 188, "valor da tarifa")
_CREDITED_ON = Field(296, 301, "data do crédito")


def parse_cnab400_return(records: list[Record]) -> ReturnFile:
    header = records[0]
    bank_code = header.digits(HEADER_BANK)
    bank = find_bank(bank_code)
    profile = bank.CNAB400_RETURN if bank else None
    if profile is None:
        raise header.error(f"CNAB 400 do banco {bank_code} não é suportado (apenas {_readable_banks()})")
    transactions = _transactions(records, profile)
    _check_trailer(_trailer(records), profile, len(transactions))
    return ReturnFile(
        layout=Layout.CNAB400,
        bank_code=bank_code,
        generated_on=header.date_ddmmyy(GENERATED_ON),
        records=tuple(_transaction(record, profile) for record in transactions),
    )


def _readable_banks() -> str:
    names = [f"{bank.NAME} {code}" for code, bank in BANKS.items() if bank.CNAB400_RETURN is not None]
    return " e ".join(names)


def _transactions(records: list[Record], profile: Cnab400Return) -> list[Record]:
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


def _check_trailer(trailer: Record, profile: Cnab400Return, transactions: int) -> None:
    if profile.trailer_transaction_count is None:
        return
    stated = trailer.integer(profile.trailer_transaction_count)
    if stated != transactions:
        raise trailer.error(f"o trailer informa {stated} registros de transação, mas há {transactions}")


def _is_transaction(record: Record, profile: Cnab400Return) -> bool:
    record_type = record.raw(RECORD_TYPE)
    if record_type == TRANSACTION:
        return True
    if record_type in profile.other_record_types:
        return False
    if record_type in (HEADER, TRAILER):
        raise record.error(f"registro tipo {record_type} fora de lugar: só pode ser a primeira/última linha")
    raise record.error(f"tipo de registro desconhecido: '{record_type}'")


def _transaction(record: Record, profile: Cnab400Return) -> ReturnRecord:
    movement = record.digits(_MOVEMENT)
    kind = movements.kind_of(profile.movements, movement)
    fee = record.integer(_FEE)
    paid, net = profile.amounts(kind, fee, record.integer(profile.value))
    return ReturnRecord(
        line=record.number,
        nosso_numero=record.alpha(profile.nosso_numero),
        movement=movement,
        kind=kind,
        amount_cents=record.integer(_AMOUNT),
        paid_cents=paid,
        fee_cents=fee,
        net_cents=net,
        occurred_on=record.date_ddmmyy(_OCCURRED_ON),
        credited_on=record.date_ddmmyy(_CREDITED_ON),
        due_on=record.date_ddmmyy(_DUE_ON),
        carteira=record.alpha(profile.carteira),
        document_number=record.alpha(_DOCUMENT_NUMBER),
    )
