"""Santander (033) — "Código de Barras - Cobrança", Cash Management v35, Julho 2022.

Campo livre: "9" + código do beneficiário (PSK, 7) + nosso número (12 digits + DV) + IOS "0" +
wallet (101 Cobrança Rápida com registro, 102 sem registro, 104 Cobrança Eletrônica com
registro). The IOS digit is 0 for every beneficiary that is not an insurance company.
Nosso número DV: módulo 11, weights 2..9, results 10 and 11 becoming 0 (manual's example
566612457800 -> 2).

Return files: CNAB 240 with its own segment T, whose nosso número field holds the 12 digits and the DV.
"""
from chalicelib.domain.banks.cnab import Cnab240Return, Field
from chalicelib.domain.banks.common import BankPart, BeneficiaryAccount, invalid, numeric
from chalicelib.domain.checkdigits import mod11_zero_when_above_9

CODE = "033"
NAME = "Banco Santander (Brasil) S.A."
PRINTED_CODE = "033-7"
REMITTANCE_NAME = "BANCO SANTANDER"
CNAB400_RETURN = None
NOSSO_NUMERO_DIGITS = 12

# Agência/conta sit in 18-40 and a 13-digit nosso número at 41-53, so the fields after it sit 4 to 5
# positions before FEBRABAN's; checked against a real Santander return (bank 033 at 93-95, payer
# name at 144-183, tariff at 194-208). That return states 4 records in a lot of 6 (header, 2 pairs,
# trailer); its file trailer count is right, so truncation is still caught there.
CNAB240_RETURN = Cnab240Return(
    nosso_numero=Field(41, 53, "nosso número"),
    carteira=Field(54, 54, "carteira"),
    document_number=Field(55, 69, "número do documento"),
    due_on=Field(70, 77, "data de vencimento"),
    amount=Field(78, 92, "valor do título"),
    fee=Field(194, 208, "valor da tarifa"),
    lot_trailer_counts_records=False,
)

WALLETS = ("101", "102", "104")
IOS = "0"


def bank_part(account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
    psk = numeric(account.agreement, "Código do beneficiário", 7)
    wallet = numeric(account.wallet, "Carteira", 3, exact=True)
    if wallet not in WALLETS:
        raise invalid("Carteira Santander deve ser 101, 102 ou 104.")
    number = numeric(nosso_numero, "Nosso número (sem DV)", NOSSO_NUMERO_DIGITS)
    dv = mod11_zero_when_above_9(number)
    campo_livre = f"9{psk}{number}{dv}{IOS}{wallet}"
    beneficiary_code = psk
    if str(account.agency).strip():
        beneficiary_code = f"{numeric(account.agency, 'Agência', 4)}/{psk}"
    return BankPart(campo_livre, f"{number}-{dv}", beneficiary_code, wallet)


def sequence_digits(agreement: str) -> int:
    return NOSSO_NUMERO_DIGITS


def return_number(field: str) -> str:
    return field[:NOSSO_NUMERO_DIGITS]
