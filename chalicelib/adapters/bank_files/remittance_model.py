"""Plain data for a CNAB 240 remittance (remessa) of boletos to register."""
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Beneficiary:
    """The vendor (cedente/beneficiário) and its cobrança agreement with the bank."""

    bank_code: str  # "001", "033", ...
    bank_name: str
    document: str  # CPF (11 digits) or CNPJ (14 digits)
    name: str
    agreement: str  # código do convênio no banco, up to 20 characters
    agency: str  # up to 5 digits
    agency_digit: str
    account: str  # up to 12 digits
    account_digit: str
    carteira: str = "1"  # C006: 1 cobrança simples
    title_species: str = "04"  # C015: 04 duplicata de serviço (software is a service)
    write_off_after_days: int = 60  # C028/C029: the bank drops an unpaid boleto this long after its due date


@dataclass(frozen=True)
class Payer:
    """The customer (pagador/sacado) printed on the boleto."""

    name: str
    document: str  # CPF (11 digits) or CNPJ (14 digits)
    address: str
    district: str
    postal_code: str  # CEP, 8 digits
    city: str
    state: str  # UF, 2 letters


@dataclass(frozen=True)
class BoletoEntry:
    nosso_numero: str  # up to 20 characters, as the bank's boleto rules build it
    document_number: str  # seu número, up to 15 characters (e.g. the invoice number)
    due_on: date
    issued_on: date
    amount_cents: int
    payer: Payer
    company_reference: str = ""  # identificação do título na empresa, up to 25 characters; returned as is
    interest_per_day_cents: int = 0  # juros de mora por dia after the due date; 0 = isento


@dataclass(frozen=True)
class Remittance:
    beneficiary: Beneficiary
    entries: tuple[BoletoEntry, ...]
    file_sequence: int  # NSA: one more for each file sent to the bank
    generated_at: datetime
