"""Bradesco (237) — "Layout de Arquivo Padrão CNAB 400 (400P)", Abril/2022: campo livre and the
nosso número's dígito de autoconferência.

Campo livre: agency(4) + wallet(2) + nosso número(11) + account(7) + "0", agency and account
without their DVs. Nosso número DV: wallet + nosso número, módulo 11 with weights 2..7 from the
right; remainder 0 gives 0, remainder 1 gives "P", otherwise 11 - remainder.

Return files: CNAB 400 (400P), whose nosso número field holds the 11 digits and the DV.
"""
from chalicelib.domain.banks.cnab import FEBRABAN_240_RETURN, Cnab400Return, Field, MovementKind
from chalicelib.domain.banks.common import BankPart, BeneficiaryAccount, numeric
from chalicelib.domain.checkdigits import weighted_sum

CODE = "237"
NAME = "Banco Bradesco S.A."
PRINTED_CODE = "237-2"
REMITTANCE_NAME = "BANCO BRADESCO S.A."
CNAB240_RETURN = FEBRABAN_240_RETURN
NOSSO_NUMERO_DIGITS = 11


def nosso_numero_dv(wallet: str, nosso_numero: str) -> str:
    remainder = weighted_sum(wallet + nosso_numero, (2, 3, 4, 5, 6, 7)) % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "P"
    return str(11 - remainder)


def bank_part(account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
    agency = numeric(account.agency, "Agência (sem DV)", 4)
    account_number = numeric(account.account, "Conta (sem DV)", 7)
    wallet = numeric(account.wallet, "Carteira", 2)
    number = numeric(nosso_numero, "Nosso número", NOSSO_NUMERO_DIGITS)
    campo_livre = f"{agency}{wallet}{number}{account_number}0"
    printed = f"{wallet}/{number}-{nosso_numero_dv(wallet, number)}"
    return BankPart(campo_livre, printed, f"{agency}/{account_number}", wallet)


def sequence_digits(agreement: str) -> int:
    return NOSSO_NUMERO_DIGITS


def return_number(field: str) -> str:
    return field[:NOSSO_NUMERO_DIGITS]


_K = MovementKind
CNAB400_RETURN = Cnab400Return(
    nosso_numero=Field(71, 82, "nosso número"),
    carteira=Field(22, 24, "carteira"),
    value=Field(254, 266, "valor pago"),
    amounts=lambda kind, fee, paid: (paid, None),  # the 400P states no net credit
    # 109-110: 15 liquidação em cartório, 17 liquidação após baixa, 24 rejeitada por CEP,
    # 10 baixado conforme instruções da agência. 16 (pago em cheque vinculado) is not money yet: other.
    movements={
        "02": _K.ENTRY_CONFIRMED, "03": _K.REJECTED, "24": _K.REJECTED, "06": _K.SETTLED, "15": _K.SETTLED,
        "17": _K.SETTLED, "09": _K.WRITTEN_OFF, "10": _K.WRITTEN_OFF,
    },
    # The trailer counts titles per ocorrência, not records; the sequence numbers cover truncation.
    trailer_transaction_count=None,
    # Type 3 (rateio de crédito) and type 4 (Pix QR code) follow a type 1.
    other_record_types=frozenset({"3", "4"}),
)
