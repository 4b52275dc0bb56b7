"""Itaú (341) — "SISCOB/CNAB 400" manual, items 8.3-8.4, note 23 and Anexos 2-5.

Usual wallets (109 and the rest): wallet(3) + nosso número(8) + DAC + agency(4) + account(5) +
DAC(agency/account) + "000". The nosso número DAC is módulo 10 over agency, account, wallet and
nosso número, except for the wallets the manual lists, whose DAC covers only wallet and nosso
número: note 23 names 126, 131, 145, 150 and 168 while Anexo 4 names 126, 131, 146, 150 and 168,
so both 145 and 146 are treated as exceptions.

Wallets with 15 positions (106, 107, 122, 142, 143, 195, 196, 198, Anexo 5): wallet(3) + nosso
número(8) + seu número(7) + client code(5) + DAC of positions 20-42 + "0". Here ``nosso_numero``
carries the 8 digits followed by the 7 of the seu número, and ``agreement`` the client code.
"""
from chalicelib.domain.boleto.banks.common import BankPart, BeneficiaryAccount, digits_only, invalid, numeric
from chalicelib.domain.boleto.checkdigits import mod10

CODE = "341"
NAME = "Itaú Unibanco S.A."
PRINTED_CODE = "341-7"

DAC_WITHOUT_AGENCY_WALLETS = frozenset({"126", "131", "145", "146", "150", "168"})
FIFTEEN_POSITION_WALLETS = frozenset({"106", "107", "122", "142", "143", "195", "196", "198"})


def nosso_numero_dac(agency: str, account: str, wallet: str, nosso_numero: str) -> int:
    if wallet in DAC_WITHOUT_AGENCY_WALLETS:
        return mod10(wallet + nosso_numero)
    return mod10(agency + account + wallet + nosso_numero)


def bank_part(account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
    agency = numeric(account.agency, "Agência", 4)
    account_number = numeric(account.account, "Conta (sem DAC)", 5)
    wallet = numeric(account.wallet, "Carteira", 3, exact=True)
    account_dac = mod10(agency + account_number)
    beneficiary_code = f"{agency}/{account_number}-{account_dac}"
    if wallet in FIFTEEN_POSITION_WALLETS:
        return _fifteen_positions(account, agency, account_number, wallet, nosso_numero, beneficiary_code)
    number = numeric(nosso_numero, "Nosso número", 8)
    dac = nosso_numero_dac(agency, account_number, wallet, number)
    campo_livre = f"{wallet}{number}{dac}{agency}{account_number}{account_dac}000"
    return BankPart(campo_livre, f"{wallet}/{number}-{dac}", beneficiary_code, wallet)


def _fifteen_positions(
    account: BeneficiaryAccount, agency: str, account_number: str, wallet: str, nosso_numero: str, beneficiary_code: str
) -> BankPart:
    digits = digits_only(nosso_numero, "Nosso número")
    if len(digits) != 15:
        raise invalid(
            f"Carteira {wallet} usa 15 posições: informe o nosso número (8) seguido do seu número (7)."
        )
    number, seu_numero = digits[:8], digits[8:]
    client_code = numeric(account.agreement, "Código do cliente", 5)
    body = f"{wallet}{number}{seu_numero}{client_code}"
    dac = nosso_numero_dac(agency, account_number, wallet, number)
    return BankPart(f"{body}{mod10(body)}0", f"{wallet}/{number}-{dac}", beneficiary_code, wallet)
