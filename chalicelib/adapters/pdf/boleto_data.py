"""What a boleto PDF shows: plain values, so building one needs no PDF library."""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Party:
    """Beneficiário, pagador or sacador/avalista as printed (Lei 12.039/2009: name, CPF/CNPJ, address)."""

    name: str
    document: str  # CPF or CNPJ, formatted as it should be printed
    address_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoletoPdfData:
    """Everything the recibo do pagador and the ficha de compensação print.

    The boleto's own values (barcode, linha digitável, nosso número…) come from
    chalicelib.domain.boleto.Boleto; amounts are integer centavos."""

    bank_name: str
    printed_bank_code: str  # "341-7"
    barcode: str  # 44 digits, drawn as Interleaved 2 of 5
    formatted_line: str  # linha digitável with dots and spaces
    nosso_numero: str
    beneficiary_code: str  # "Agência/Código do beneficiário"
    wallet: str
    due_date: date
    amount_cents: int
    beneficiary: Party
    payer: Party
    document_number: str
    document_date: date
    processing_date: date
    instructions: tuple[str, ...] = ()
    description_lines: tuple[str, ...] = ()  # what is being charged, on the payer's receipt
    payment_place: str = "Pagável em qualquer banco ou correspondente até o vencimento"
    document_kind: str = "DS"  # espécie do documento: duplicata de serviço
    accepted: str = "N"
    guarantor: Party | None = None  # sacador/avalista (beneficiário final)
    pix_payload: str | None = None  # BR Code: printed as a QR code (boleto híbrido)
