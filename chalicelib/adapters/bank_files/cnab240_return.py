"""CNAB 240 return (retorno) of cobrança: segments T and U (FEBRABAN v08.3); where a bank moves
segment T's fields (Santander) is its own fact, domain.banks.<bank>.CNAB240_RETURN."""
from chalicelib.adapters.bank_files import cnab240, movements
from chalicelib.adapters.bank_files.cnab240 import SegmentPairing
from chalicelib.adapters.bank_files.fields import Field, Record
from chalicelib.adapters.bank_files.model import Layout, ReturnFile, ReturnRecord
from chalicelib.domain.banks import find_bank
from chalicelib.domain.banks.cnab import FEBRABAN_240_RETURN, Cnab240Return

# Segment Y (optional: cheques, e-mail/SMS data) may follow a T+U pair; it carries nothing we need.
_PAIRING = SegmentPairing(first="T", second="U", optional=frozenset({"Y"}))

_PAID = Field(78, 92, "valor pago")
_NET = Field(93, 107, "valor líquido")
_OCCURRED_ON = Field(138, 145, "data da ocorrência")
_CREDITED_ON = Field(146, 153, "data do crédito")


def parse_cnab240_return(records: list[Record]) -> ReturnFile:
    header = records[0]
    if header.raw(cnab240.FILE_KIND) != cnab240.RETURN:
        raise header.error("não é um arquivo de retorno (posição 143 do header deve ser 2)")
    bank_code = header.digits(cnab240.BANK)
    bank = find_bank(bank_code)
    layout = bank.CNAB240_RETURN if bank else FEBRABAN_240_RETURN
    structure = cnab240.read_structure(records, _PAIRING, check_lot_counts=layout.lot_trailer_counts_records)
    return ReturnFile(
        layout=Layout.CNAB240,
        bank_code=bank_code,
        generated_on=header.date_ddmmyyyy(cnab240.GENERATED_ON),
        records=tuple(_record(t, u, layout) for t, u in structure.pairs),
    )


def _record(t: Record, u: Record, layout: Cnab240Return) -> ReturnRecord:
    movement = t.digits(cnab240.MOVEMENT)
    if u.digits(cnab240.MOVEMENT) != movement:
        raise u.error(f"código de movimento difere do segmento T da linha {t.number} ({movement})")
    return ReturnRecord(
        line=t.number,
        nosso_numero=t.alpha(layout.nosso_numero),
        movement=movement,
        kind=movements.kind_of(movements.CNAB240, movement),
        amount_cents=t.integer(layout.amount),
        paid_cents=u.integer(_PAID),
        fee_cents=t.integer(layout.fee),
        net_cents=u.integer(_NET),
        occurred_on=u.date_ddmmyyyy(_OCCURRED_ON),
        credited_on=u.date_ddmmyyyy(_CREDITED_ON),
        due_on=t.date_ddmmyyyy(layout.due_on),
        carteira=t.alpha(layout.carteira),
        document_number=t.alpha(layout.document_number),
    )
