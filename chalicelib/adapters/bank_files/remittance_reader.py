"""Reads back a CNAB 240 remittance (remessa): support can check what was sent to the bank, and the
writer's output is verified by the same structural checks the return parser applies."""
from datetime import date, datetime, time

from chalicelib.adapters.bank_files import cnab240
from chalicelib.adapters.bank_files import remittance_layout as L
from chalicelib.adapters.bank_files.cnab240 import SegmentPairing
from chalicelib.adapters.bank_files.fields import Field, Record
from chalicelib.adapters.bank_files.lines import decode, split_lines, to_records
from chalicelib.adapters.bank_files.remittance_model import Beneficiary, BoletoEntry, Payer, Remittance

# R (multa, more discounts), S (printing) and Y (optional data) may follow a P+Q pair.
_PAIRING = SegmentPairing(first="P", second="Q", optional=frozenset({"R", "S", "Y"}))
_DOCUMENT_LENGTH = {L.CPF: 11, L.CNPJ: 14}


def read_remittance(content: str | bytes) -> Remittance:
    records = to_records(split_lines(decode(content)), cnab240.WIDTH)
    header = records[0]
    if header.raw(cnab240.RECORD_TYPE) != cnab240.FILE_HEADER or header.raw(L.H_FILE_KIND) != cnab240.REMITTANCE:
        raise header.error("não é um arquivo de remessa CNAB 240 (posição 143 do header deve ser 1)")
    structure = cnab240.read_structure(records, _PAIRING)
    if not structure.pairs:
        raise records[-1].error("remessa sem boletos")
    return Remittance(
        beneficiary=_beneficiary(header, structure.pairs[0][0]),
        entries=tuple(_entry(p, q) for p, q in structure.pairs),
        file_sequence=header.integer(L.H_SEQUENCE),
        generated_at=_generated_at(header),
    )


def _generated_at(header: Record) -> datetime:
    day = header.date_ddmmyyyy(L.H_DATE)
    clock = header.digits(L.H_TIME)
    if day is None:
        raise header.error("data de geração do arquivo ausente")
    try:
        return datetime.combine(day, time(int(clock[:2]), int(clock[2:4]), int(clock[4:])))
    except ValueError:
        raise header.error(f"hora de geração inválida: '{clock}'")


def _document(record: Record, kind: Field, number: Field) -> str:
    length = _DOCUMENT_LENGTH.get(record.raw(kind))
    if length is None:
        raise record.error(f"{kind.label} deve ser 1 (CPF) ou 2 (CNPJ): '{record.raw(kind)}'")
    return record.digits(number)[-length:]


def _beneficiary(header: Record, first_p: Record) -> Beneficiary:
    return Beneficiary(
        bank_code=header.digits(cnab240.BANK),
        bank_name=header.alpha(L.H_BANK_NAME),
        document=_document(header, L.H_DOCUMENT_TYPE, L.H_DOCUMENT),
        name=header.alpha(L.H_NAME),
        agreement=header.alpha(L.H_AGREEMENT),
        agency=header.digits(L.H_AGENCY),
        agency_digit=header.alpha(L.H_AGENCY_DIGIT),
        account=header.digits(L.H_ACCOUNT),
        account_digit=header.alpha(L.H_ACCOUNT_DIGIT),
        carteira=first_p.digits(L.P_CARTEIRA),
        title_species=first_p.digits(L.P_SPECIES),
        write_off_after_days=first_p.integer(L.P_WRITE_OFF_DAYS),
    )


def _entry(p: Record, q: Record) -> BoletoEntry:
    return BoletoEntry(
        nosso_numero=p.alpha(L.P_NOSSO_NUMERO),
        document_number=p.alpha(L.P_DOCUMENT_NUMBER),
        due_on=_required_date(p, L.P_DUE_ON),
        issued_on=_required_date(p, L.P_ISSUED_ON),
        amount_cents=p.integer(L.P_AMOUNT),
        payer=_payer(q),
        company_reference=p.alpha(L.P_COMPANY_REFERENCE),
        interest_per_day_cents=p.integer(L.P_INTEREST),
    )


def _payer(q: Record) -> Payer:
    return Payer(
        name=q.alpha(L.Q_NAME),
        document=_document(q, L.Q_DOCUMENT_TYPE, L.Q_DOCUMENT),
        address=q.alpha(L.Q_ADDRESS),
        district=q.alpha(L.Q_DISTRICT),
        postal_code=q.digits(L.Q_POSTAL_CODE),
        city=q.alpha(L.Q_CITY),
        state=q.alpha(L.Q_STATE),
    )


def _required_date(record: Record, field: Field) -> date:
    value = record.date_ddmmyyyy(field)
    if value is None:
        raise record.error(f"{field.label} ausente")
    return value
