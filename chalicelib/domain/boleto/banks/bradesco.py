"""Bradesco (237) — "Layout de Arquivo Padrão CNAB 400 (400P)", Abril/2022: campo livre and the
nosso número's dígito de autoconferência.

Campo livre: agency(4) + wallet(2) + nosso número(11) + account(7) + "0", agency and account
without their DVs. Nosso número DV: wallet + nosso número, módulo 11 with weights 2..7 from the
right; remainder 0 gives 0, remainder 1 gives "P", otherwise 11 - remainder.
"""
from chalicelib.domain.boleto.banks.common import BankPart, BeneficiaryAccount, numeric
from chalicelib.domain.boleto.checkdigits import weighted_sum

CODE = "237"
NAME = "Banco Bradesco S.A."
PRINTED_CODE = "237-2"


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
    number = numeric(nosso_numero, "Nosso número", 11)
    campo_livre = f"{agency}{wallet}{number}{account_number}0"
    printed = f"{wallet}/{number}-{nosso_numero_dv(wallet, number)}"
    return BankPart(campo_livre, printed, f"{agency}/{account_number}", wallet)
