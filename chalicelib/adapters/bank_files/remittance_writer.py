"""Writes a CNAB 240 remittance (remessa): one lot of segments P and Q, one pair per boleto."""
import unicodedata
from datetime import date, datetime, timedelta
from typing import Sequence

from chalicelib.adapters.bank_files import cnab240
from chalicelib.adapters.bank_files import remittance_layout as L
from chalicelib.adapters.bank_files.errors import RemittanceError
from chalicelib.adapters.bank_files.fields import Field, is_ascii_digits
from chalicelib.adapters.bank_files.remittance_model import Beneficiary, BoletoEntry, Payer

_LOT = "0001"
_FILE_TRAILER_LOT = "9999"
_LINE_END = "\r\n"


def write_remittance(beneficiary: Beneficiary, entries: Sequence[BoletoEntry], *,
                     file_sequence: int, generated_at: datetime) -> str:
    """The remittance text: 240-character lines ending in CRLF. Raises RemittanceError on unfit data."""
    if not entries:
        raise RemittanceError("a remessa precisa de ao menos um boleto")
    lines = [_file_header(beneficiary, file_sequence, generated_at),
             _lot_header(beneficiary, file_sequence, generated_at.date())]
    for index, entry in enumerate(entries):
        lines.append(_segment_p(beneficiary, entry, 2 * index + 1, index))
        lines.append(_segment_q(beneficiary, entry, 2 * index + 2, index))
    lines.append(_lot_trailer(beneficiary, lot_records=len(lines)))  # lot header + details + this trailer
    lines.append(_file_trailer(beneficiary, file_records=len(lines) + 1))
    return "".join(line + _LINE_END for line in lines)


class _Line:
    """A 240-character record filled field by field; blanks where nothing is written."""

    def __init__(self, bank_code: str, lot: str, record_type: str, context: str = ""):
        self._chars = [" "] * cnab240.WIDTH
        self._context = context
        self.digits(cnab240.BANK, bank_code)
        self.put(cnab240.LOT, lot)
        self.put(cnab240.RECORD_TYPE, record_type)

    def put(self, field: Field, value: str) -> "_Line":
        if len(value) != field.width:
            raise RemittanceError(f"{self._context}{field.label}: '{value}' não cabe em {field.width} posições")
        self._chars[field.start - 1:field.end] = value
        return self

    def digits(self, field: Field, value: str | int) -> "_Line":
        text = str(value)
        if not is_ascii_digits(text) or len(text) > field.width:
            raise RemittanceError(f"{self._context}{field.label} deve ter até {field.width} dígitos: '{value}'")
        return self.put(field, text.zfill(field.width))

    def zeros(self, field: Field) -> "_Line":
        return self.put(field, "0" * field.width)

    def date(self, field: Field, value: date) -> "_Line":
        return self.put(field, value.strftime("%d%m%Y"))

    def text(self, field: Field, value: str) -> "_Line":
        """Free text (names, addresses): plain upper-case ASCII, cut to the field's width."""
        return self.put(field, _plain_ascii(value)[:field.width].ljust(field.width))

    def code(self, field: Field, value: str) -> "_Line":
        """An identifier (nosso número, document numbers): never cut nor changed, so what the bank
        returns still matches what we hold; banks take only upper-case ASCII."""
        fits = len(value) <= field.width and value == value.strip()
        if not fits or not all(" " <= char <= "~" and not char.islower() for char in value):
            raise RemittanceError(
                f"{self._context}{field.label} deve ter até {field.width} caracteres ASCII maiúsculos: '{value}'"
            )
        return self.put(field, value.ljust(field.width))

    def render(self) -> str:
        return "".join(self._chars)


def _plain_ascii(value: str) -> str:
    # Banks accept only upper-case ASCII: drop accents (ç -> C) and replace anything else with a blank.
    decomposed = unicodedata.normalize("NFKD", value)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if " " <= char <= "~" else " " for char in without_marks.upper())


def _document_type(document: str, context: str) -> str:
    if is_ascii_digits(document) and len(document) == 11:
        return L.CPF
    if is_ascii_digits(document) and len(document) == 14:
        return L.CNPJ
    raise RemittanceError(f"{context}CPF/CNPJ deve ter 11 ou 14 dígitos: '{document}'")


def _file_header(b: Beneficiary, file_sequence: int, generated_at: datetime) -> str:
    line = _Line(b.bank_code, "0000", cnab240.FILE_HEADER, "header de arquivo: ")
    line.put(L.H_DOCUMENT_TYPE, _document_type(b.document, "beneficiário: "))
    line.digits(L.H_DOCUMENT, b.document).code(L.H_AGREEMENT, b.agreement)
    line.digits(L.H_AGENCY, b.agency).code(L.H_AGENCY_DIGIT, b.agency_digit)
    line.digits(L.H_ACCOUNT, b.account).code(L.H_ACCOUNT_DIGIT, b.account_digit)
    line.text(L.H_NAME, b.name).text(L.H_BANK_NAME, b.bank_name)
    line.put(L.H_FILE_KIND, cnab240.REMITTANCE).date(L.H_DATE, generated_at.date())
    line.put(L.H_TIME, generated_at.strftime("%H%M%S")).digits(L.H_SEQUENCE, file_sequence)
    return line.put(L.H_VERSION, L.FILE_VERSION).put(L.H_DENSITY, L.DENSITY).render()


def _lot_header(b: Beneficiary, file_sequence: int, generated_on: date) -> str:
    line = _Line(b.bank_code, _LOT, cnab240.LOT_HEADER, "header de lote: ")
    line.put(L.L_OPERATION, L.OPERATION_REMITTANCE).put(L.L_SERVICE, L.SERVICE_COBRANCA)
    line.put(L.L_VERSION, L.LOT_VERSION)
    line.put(L.L_DOCUMENT_TYPE, _document_type(b.document, "beneficiário: "))
    line.digits(L.L_DOCUMENT, b.document).code(L.L_AGREEMENT, b.agreement)
    line.digits(L.L_AGENCY, b.agency).code(L.L_AGENCY_DIGIT, b.agency_digit)
    line.digits(L.L_ACCOUNT, b.account).code(L.L_ACCOUNT_DIGIT, b.account_digit)
    line.text(L.L_NAME, b.name).digits(L.L_SEQUENCE, file_sequence)
    return line.date(L.L_DATE, generated_on).zeros(L.L_CREDIT_DATE).render()


def _detail(b: Beneficiary, sequence: int, segment: str, context: str) -> _Line:
    line = _Line(b.bank_code, _LOT, cnab240.DETAIL, context)
    line.digits(L.D_SEQUENCE, sequence).put(L.D_SEGMENT, segment)
    return line.put(L.D_MOVEMENT, L.MOVEMENT_ENTRY)


def _segment_p(b: Beneficiary, entry: BoletoEntry, sequence: int, index: int) -> str:
    context = f"boleto {index + 1}: "
    _check_amount(entry.amount_cents, context)
    line = _detail(b, sequence, "P", context)
    line.digits(L.P_AGENCY, b.agency).code(L.P_AGENCY_DIGIT, b.agency_digit)
    line.digits(L.P_ACCOUNT, b.account).code(L.P_ACCOUNT_DIGIT, b.account_digit)
    _require(entry.nosso_numero.strip(), f"{context}nosso número vazio")
    line.code(L.P_NOSSO_NUMERO, entry.nosso_numero).digits(L.P_CARTEIRA, b.carteira)
    line.put(L.P_REGISTRATION, L.REGISTERED).put(L.P_DOCUMENT_KIND, L.TRADITIONAL)
    line.put(L.P_ISSUER, L.CLIENT_ISSUES).put(L.P_DISTRIBUTION, L.CLIENT_DISTRIBUTES)
    line.code(L.P_DOCUMENT_NUMBER, entry.document_number).date(L.P_DUE_ON, entry.due_on)
    line.digits(L.P_AMOUNT, entry.amount_cents).zeros(L.P_COLLECTING_AGENCY)
    line.digits(L.P_SPECIES, b.title_species).put(L.P_ACCEPTANCE, L.NOT_ACCEPTED)
    line.date(L.P_ISSUED_ON, entry.issued_on)
    _interest(line, entry, context)
    line.put(L.P_DISCOUNT_CODE, L.NO_DISCOUNT).zeros(L.P_DISCOUNT_DATE).zeros(L.P_DISCOUNT)
    line.zeros(L.P_IOF).zeros(L.P_REBATE).code(L.P_COMPANY_REFERENCE, entry.company_reference)
    line.put(L.P_PROTEST_CODE, L.DO_NOT_PROTEST).zeros(L.P_PROTEST_DAYS)
    line.put(L.P_WRITE_OFF_CODE, L.WRITE_OFF).digits(L.P_WRITE_OFF_DAYS, b.write_off_after_days)
    return line.put(L.P_CURRENCY, L.CURRENCY_REAL).zeros(L.P_CONTRACT).render()


def _interest(line: _Line, entry: BoletoEntry, context: str) -> None:
    if entry.interest_per_day_cents == 0:
        line.put(L.P_INTEREST_CODE, L.INTEREST_EXEMPT).zeros(L.P_INTEREST_FROM).zeros(L.P_INTEREST)
        return
    _check_amount(entry.interest_per_day_cents, context)
    line.put(L.P_INTEREST_CODE, L.INTEREST_PER_DAY)
    line.date(L.P_INTEREST_FROM, entry.due_on + timedelta(days=1))  # C019: must be after the due date
    line.digits(L.P_INTEREST, entry.interest_per_day_cents)


def _segment_q(b: Beneficiary, entry: BoletoEntry, sequence: int, index: int) -> str:
    context = f"boleto {index + 1}: "
    payer: Payer = entry.payer
    line = _detail(b, sequence, "Q", context)
    line.put(L.Q_DOCUMENT_TYPE, _document_type(payer.document, context)).digits(L.Q_DOCUMENT, payer.document)
    line.text(L.Q_NAME, payer.name).text(L.Q_ADDRESS, payer.address).text(L.Q_DISTRICT, payer.district)
    _require(len(payer.postal_code) == 8, f"{context}CEP deve ter 8 dígitos: '{payer.postal_code}'")
    line.digits(L.Q_POSTAL_CODE, payer.postal_code).text(L.Q_CITY, payer.city)
    _require(len(payer.state) == 2 and payer.state.isalpha(), f"{context}UF inválida: '{payer.state}'")
    line.text(L.Q_STATE, payer.state)
    line.put(L.Q_GUARANTOR_DOCUMENT_TYPE, "0").zeros(L.Q_GUARANTOR_DOCUMENT)
    return line.zeros(L.Q_CORRESPONDENT_BANK).render()


def _lot_trailer(b: Beneficiary, lot_records: int) -> str:
    line = _Line(b.bank_code, _LOT, cnab240.LOT_TRAILER, "trailer de lote: ")
    return line.digits(L.T_LOT_RECORDS, lot_records).zeros(L.T_LOT_TOTALS).render()


def _file_trailer(b: Beneficiary, file_records: int) -> str:
    line = _Line(b.bank_code, _FILE_TRAILER_LOT, cnab240.FILE_TRAILER, "trailer de arquivo: ")
    line.digits(L.T_FILE_LOTS, 1).digits(L.T_FILE_RECORDS, file_records)
    return line.zeros(L.T_FILE_ACCOUNTS).render()


def _check_amount(cents: int, context: str) -> None:
    # Money is integer centavos; a float or bool here is a caller bug, not a value to round.
    if type(cents) is not int or cents <= 0:
        raise RemittanceError(f"{context}valor deve ser um inteiro positivo de centavos: {cents!r}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RemittanceError(message)
