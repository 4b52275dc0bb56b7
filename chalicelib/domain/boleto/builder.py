"""Building a cobrança boleto: the bank's campo livre plus the shared FEBRABAN layout."""
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.banks import BANKS, Bank, find_bank
from chalicelib.domain.banks.common import BeneficiaryAccount, InvalidField
from chalicelib.domain.boleto.due_factor import due_factor
from chalicelib.domain.boleto.errors import INVALID_DUE_DATE, INVALID_FIELD, UNSUPPORTED_BANK, BoletoError
from chalicelib.domain.boleto.layout import assemble_barcode, barcode_to_line, format_line


@dataclass(frozen=True)
class Boleto:
    bank_code: str  # COMPE code, 3 digits
    bank_name: str
    printed_bank_code: str  # with its DV, as the ficha de compensação shows it: "341-7"
    barcode: str  # 44 digits
    digitable_line: str  # 47 digits
    formatted_line: str  # with the dots and spaces people read
    nosso_numero: str  # as printed, with the bank's check digit where it has one
    beneficiary_code: str  # "Agência/Código do beneficiário" as printed
    wallet: str
    due_date: date | None
    amount_cents: int


def build_boleto(
    bank: str,
    agency: str = "",
    account: str = "",
    wallet: str = "",
    agreement: str = "",
    nosso_numero: str | int = "",
    due_date: date | None = None,
    amount_cents: int = 0,
) -> Boleto:
    """A boleto of ``bank`` (a code in domain.banks); fields a bank does not use are ignored.

    Raises BoletoError (with a stable ``code``) for any input the bank's layout cannot hold."""
    module = _bank_module(bank)
    if due_date is not None and not isinstance(due_date, date):
        raise BoletoError(INVALID_DUE_DATE, "Data de vencimento inválida.")
    try:
        part = module.bank_part(BeneficiaryAccount(agency, account, wallet, agreement), str(nosso_numero))
    except InvalidField as error:
        raise BoletoError(INVALID_FIELD, str(error)) from error
    barcode = assemble_barcode(module.CODE, due_factor(due_date), amount_cents, part.campo_livre)
    line = barcode_to_line(barcode)
    return Boleto(
        bank_code=module.CODE,
        bank_name=module.NAME,
        printed_bank_code=module.PRINTED_CODE,
        barcode=barcode,
        digitable_line=line,
        formatted_line=format_line(line),
        nosso_numero=part.nosso_numero,
        beneficiary_code=part.beneficiary_code,
        wallet=part.wallet,
        due_date=due_date,
        amount_cents=amount_cents,
    )


def _bank_module(bank: str) -> Bank:
    module = find_bank(str(bank).strip().zfill(3))
    if module is None:
        supported = ", ".join(sorted(BANKS))
        raise BoletoError(UNSUPPORTED_BANK, f"Banco {bank} não suportado para emissão (suportados: {supported}).")
    return module
