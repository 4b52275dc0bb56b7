"""Banco do Brasil (001) — "Especificações Técnicas para Confecção de Bloqueto de Cobrança",
doc 5175, Anexos 2-5 and 9.

The convênio's length chooses the campo livre:
- 4 digits: convênio(4) + sequence(7) + agency(4) + account(8) + wallet(2); nosso número CCCCNNNNNNN-X
- 6 digits: convênio(6) + sequence(5) + agency(4) + account(8) + wallet(2); nosso número CCCCCCNNNNN-X
- 6 digits, wallets 16/18 without registration: convênio(6) + free nosso número(17) + "21"
- 7 or 8 digits: "000000" + convênio + sequence (17 together) + wallet(2); nosso número without DV

Return files: CNAB 240 (FEBRABAN), whose nosso número field holds the 17 digits of a 7- or 8-digit
convênio (no DV), otherwise 11 digits and the DV.
"""
from chalicelib.domain.banks.cnab import FEBRABAN_240_RETURN
from chalicelib.domain.banks.common import (
    BankPart,
    BeneficiaryAccount,
    digits_only,
    invalid,
    numeric,
)
from chalicelib.domain.checkdigits import weighted_sum

CODE = "001"
NAME = "Banco do Brasil S.A."
PRINTED_CODE = "001-9"
REMITTANCE_NAME = "BANCO DO BRASIL S.A."
CNAB240_RETURN = FEBRABAN_240_RETURN
CNAB400_RETURN = None

FREE_NOSSO_NUMERO_WALLETS = ("16", "18")
FREE_NOSSO_NUMERO_MARKER = "21"
LONG_NOSSO_NUMERO = 17
SHORT_NOSSO_NUMERO = 11  # convênio(4 or 6) + sequence
SEQUENCE_DIGITS = {4: 7, 6: 5}  # by convênio length; longer ones leave 17 - length


def sequence_digits(agreement: str) -> int:
    return SEQUENCE_DIGITS.get(len(agreement), LONG_NOSSO_NUMERO - len(agreement))


def return_number(field: str) -> str:
    return field[:LONG_NOSSO_NUMERO if len(field) >= LONG_NOSSO_NUMERO else SHORT_NOSSO_NUMERO]


def mod11_bb(digits: str) -> str:
    """Anexo 9: weights 9..2 from the right; the remainder itself is the DV, 10 printed as X."""
    remainder = weighted_sum(digits, (9, 8, 7, 6, 5, 4, 3, 2)) % 11
    return "X" if remainder == 10 else str(remainder)


def bank_part(account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
    convenio = digits_only(account.agreement, "Convênio")
    wallet = numeric(account.wallet, "Carteira", 2)
    if len(convenio) == 4:
        return _short_convenio(account, convenio, numeric(nosso_numero, "Nosso número", 7), wallet)
    if len(convenio) == 6:
        if len(digits_only(nosso_numero, "Nosso número")) > 5:
            return _free_nosso_numero(account, convenio, nosso_numero, wallet)
        return _short_convenio(account, convenio, numeric(nosso_numero, "Nosso número", 5), wallet)
    if len(convenio) in (7, 8):
        sequence = numeric(nosso_numero, "Nosso número", LONG_NOSSO_NUMERO - len(convenio))
        full = convenio + sequence
        return BankPart("000000" + full + wallet, full, _beneficiary_code(account), wallet)
    raise invalid("Convênio do Banco do Brasil deve ter 4, 6, 7 ou 8 dígitos.")


def _short_convenio(account: BeneficiaryAccount, convenio: str, sequence: str, wallet: str) -> BankPart:
    agency = numeric(account.agency, "Agência", 4)
    account_number = numeric(account.account, "Conta", 8)
    full = convenio + sequence  # 11 digits
    campo_livre = full + agency + account_number + wallet
    return BankPart(campo_livre, f"{full}-{mod11_bb(full)}", _beneficiary_code(account), wallet)


def _free_nosso_numero(account: BeneficiaryAccount, convenio: str, nosso_numero: str, wallet: str) -> BankPart:
    if wallet not in FREE_NOSSO_NUMERO_WALLETS:
        raise invalid("Nosso número livre de 17 posições só existe nas carteiras 16 e 18 (sem registro).")
    free = numeric(nosso_numero, "Nosso número", LONG_NOSSO_NUMERO)
    return BankPart(convenio + free + FREE_NOSSO_NUMERO_MARKER, free, _beneficiary_code(account), wallet)


def _beneficiary_code(account: BeneficiaryAccount) -> str:
    """Agência-DV / Conta-DV (Anexo 9's modulo 11 also gives these DVs); blank parts are left out."""
    parts = []
    if str(account.agency).strip():
        agency = numeric(account.agency, "Agência", 4)
        parts.append(f"{agency}-{mod11_bb(agency)}")
    if str(account.account).strip():
        number = numeric(account.account, "Conta", 8)
        parts.append(f"{number}-{mod11_bb(number)}")
    return " / ".join(parts)
