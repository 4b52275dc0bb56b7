"""CNAB 240 return (retorno) of cobrança: segments T and U (FEBRABAN v08.3), with Santander's variant."""
from dataclasses import dataclass

from chalicelib.adapters.bank_files import cnab240, movements
from chalicelib.adapters.bank_files.cnab240 import SegmentPairing
from chalicelib.adapters.bank_files.fields import Field, Record
from chalicelib.adapters.bank_files.model import Layout, ReturnFile, ReturnRecord

# Segment Y (optional: cheques, e-mail/SMS data) may follow a T+U pair; it carries nothing we need.
_PAIRING = SegmentPairing(first="T", second="U", optional=frozenset({"Y"}))


@dataclass(frozen=True)
class _SegmentT:
    nosso_numero: Field
    carteira: Field
    document_number: Field
    due_on: Field
    amount: Field
    fee: Field


_FEBRABAN_T = _SegmentT(
    nosso_numero=Field(38, 57, "nosso número"),
    carteira=Field(58, 58, "carteira"),
    document_number=Field(59, 73, "número do documento"),
    due_on=Field(74, 81, "data de vencimento"),
    amount=Field(82, 96, "valor do título"),
    fee=Field(199, 213, "valor da tarifa"),
)

# Santander keeps agência/conta in 18-40 and a 13-digit nosso número at 41-53, so the fields after it
# sit 4 to 5 positions before FEBRABAN's; checked against a real Santander return (bank 033 at 93-95,
# payer name at 144-183, tariff at 194-208).
_SANTANDER_T = _SegmentT(
    nosso_numero=Field(41, 53, "nosso número"),
    carteira=Field(54, 54, "carteira"),
    document_number=Field(55, 69, "número do documento"),
    due_on=Field(70, 77, "data de vencimento"),
    amount=Field(78, 92, "valor do título"),
    fee=Field(194, 208, "valor da tarifa"),
)

_PAID = Field(78, 92, "valor pago")
_NET = Field(93, 107, "valor líquido")
_OCCURRED_ON = Field(138, 145, "data da ocorrência")
_CREDITED_ON = Field(146, 153, "data do crédito")


@dataclass(frozen=True)
class _BankProfile:
    segment_t: _SegmentT
    # Santander's real return states 4 records in a lot of 6 (header, 2 pairs, trailer); its file
    # trailer count is right, so truncation is still caught there.
    lot_trailer_counts_records: bool = True


_SANTANDER = "033"
_PROFILES = {_SANTANDER: _BankProfile(_SANTANDER_T, lot_trailer_counts_records=False)}
_FEBRABAN = _BankProfile(_FEBRABAN_T)


def parse_cnab240_return(records: list[Record]) -> ReturnFile:
    header = records[0]
    if header.raw(cnab240.FILE_KIND) != cnab240.RETURN:
        raise header.error("não é um arquivo de retorno (posição 143 do header deve ser 2)")
    bank_code = header.digits(cnab240.BANK)
    profile = _PROFILES.get(bank_code, _FEBRABAN)
    structure = cnab240.read_structure(
        records, _PAIRING, check_lot_counts=profile.lot_trailer_counts_records
    )
    return ReturnFile(
        layout=Layout.CNAB240,
        bank_code=bank_code,
        generated_on=header.date_ddmmyyyy(cnab240.GENERATED_ON),
        records=tuple(_record(t, u, profile.segment_t) for t, u in structure.pairs),
    )


def _record(t: Record, u: Record, layout: _SegmentT) -> ReturnRecord:
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
