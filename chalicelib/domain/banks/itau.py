"""Itaú (341) — "SISCOB/CNAB 400" manual, items 8.3-8.4, note 23 and Anexos 2-5.

Usual wallets (109 and the rest): wallet(3) + nosso número(8) + DAC + agency(4) + account(5) +
DAC(agency/account) + "000". The nosso número DAC is módulo 10 over agency, account, wallet and
nosso número, except for the wallets the manual lists, whose DAC covers only wallet and nosso
número: note 23 names 126, 131, 145, 150 and 168 while Anexo 4 names 126, 131, 146, 150 and 168,
so both 145 and 146 are treated as exceptions.

Wallets with 15 positions (106, 107, 122, 142, 143, 195, 196, 198, Anexo 5): wallet(3) + nosso
número(8) + seu número(7) + client code(5) + DAC of positions 20-42 + "0". Here ``nosso_numero``
carries the 8 digits followed by the 7 of the seu número, and ``agreement`` the client code.

Return files: CNAB 400 (SISCOB), whose nosso número field holds the 8 digits without wallet or DAC.
"""
from chalicelib.domain.banks.cnab import FEBRABAN_240_RETURN, Cnab400Return, Field, MovementKind
from chalicelib.domain.banks.common import BankPart, BeneficiaryAccount, digits_only, invalid, numeric
from chalicelib.domain.checkdigits import mod10

CODE = "341"
NAME = "Itaú Unibanco S.A."
PRINTED_CODE = "341-7"
REMITTANCE_NAME = "BANCO ITAU S.A."
CNAB240_RETURN = FEBRABAN_240_RETURN
NOSSO_NUMERO_DIGITS = 8

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
    number = numeric(nosso_numero, "Nosso número", NOSSO_NUMERO_DIGITS)
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


def sequence_digits(agreement: str) -> int:
    return NOSSO_NUMERO_DIGITS


def return_number(field: str) -> str:
    return field[:NOSSO_NUMERO_DIGITS]


def _cnab400_amounts(kind: MovementKind, fee: int, principal: int) -> tuple[int, int]:
    # Itaú states what it credits (principal, after its tariff), not what the payer paid: in a liquidation
    # principal = título + mora - tarifa, so the payer paid principal + tarifa.
    return (principal + fee if kind is MovementKind.SETTLED else 0), principal


_K = MovementKind
CNAB400_RETURN = Cnab400Return(
    nosso_numero=Field(63, 70, "nosso número"),
    carteira=Field(83, 85, "carteira"),
    value=Field(254, 266, "valor principal"),
    amounts=_cnab400_amounts,
    # Nota 17: 08 liquidação em cartório, 10 baixa por ter sido liquidado (the 06 carries the money),
    # 32 baixa por protesto, 47 baixa com transferência para desconto, 60 entrada rejeitada carnê.
    movements={
        "02": _K.ENTRY_CONFIRMED, "03": _K.REJECTED, "60": _K.REJECTED, "06": _K.SETTLED, "08": _K.SETTLED,
        "09": _K.WRITTEN_OFF, "10": _K.WRITTEN_OFF, "32": _K.WRITTEN_OFF, "47": _K.WRITTEN_OFF,
    },
    trailer_transaction_count=Field(213, 220, "quantidade de registros de transação"),
)
