"""Santander (033) — "Código de Barras - Cobrança", Cash Management v35, Julho 2022.

Campo livre: "9" + código do beneficiário (PSK, 7) + nosso número (12 digits + DV) + IOS "0" +
wallet (101 Cobrança Rápida com registro, 102 sem registro, 104 Cobrança Eletrônica com
registro). The IOS digit is 0 for every beneficiary that is not an insurance company.
Nosso número DV: módulo 11, weights 2..9, results 10 and 11 becoming 0 (manual's example
566612457800 -> 2).
"""
from chalicelib.domain.boleto.banks.common import BankPart, BeneficiaryAccount, invalid, numeric
from chalicelib.domain.boleto.checkdigits import mod11_zero_when_above_9

CODE = "033"
NAME = "Banco Santander (Brasil) S.A."
PRINTED_CODE = "033-7"

WALLETS = ("101", "102", "104")
IOS = "0"


def bank_part(account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
    psk = numeric(account.agreement, "Código do beneficiário", 7)
    wallet = numeric(account.wallet, "Carteira", 3, exact=True)
    if wallet not in WALLETS:
        raise invalid("Carteira Santander deve ser 101, 102 ou 104.")
    number = numeric(nosso_numero, "Nosso número (sem DV)", 12)
    dv = mod11_zero_when_above_9(number)
    campo_livre = f"9{psk}{number}{dv}{IOS}{wallet}"
    beneficiary_code = psk
    if str(account.agency).strip():
        beneficiary_code = f"{numeric(account.agency, 'Agência', 4)}/{psk}"
    return BankPart(campo_livre, f"{number}-{dv}", beneficiary_code, wallet)
