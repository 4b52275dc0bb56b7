"""Caixa (104) SIGCB — "Especificações Técnicas para Emissão de Boletos", 67.119 v013, item
4.2.10.1.1 and Anexos III, IV and VI.

Campo livre: beneficiary code(6) + its DV, or the 7-digit code from 1100000 on; then nosso número
positions 3-5, constant 1 (its position 1), positions 6-8, constant 2 (its position 2), positions
9-17, and the campo livre's DV. The nosso número has 17 digits: modality (1 = registrada),
issuer (4 = beneficiário) and 15 free digits. All its DVs are módulo 11, weights 2..9, results
above 9 becoming 0.

Return files: CNAB 240 (FEBRABAN), whose nosso número field holds all 17 digits.
"""
from chalicelib.domain.banks.cnab import FEBRABAN_240_RETURN
from chalicelib.domain.banks.common import BankPart, BeneficiaryAccount, digits_only, invalid, numeric
from chalicelib.domain.checkdigits import mod11_zero_when_above_9

CODE = "104"
NAME = "Caixa Econômica Federal"
PRINTED_CODE = "104-0"
REMITTANCE_NAME = "CAIXA ECONOMICA FEDERAL"
CNAB240_RETURN = FEBRABAN_240_RETURN
CNAB400_RETURN = None

WALLET = "RG"  # "Cobrança Registrada", as the SIGCB receipt shows it
SIX_DIGIT_CODES_END = 999_999
SEVEN_DIGIT_CODES_START = 1_100_000
NOSSO_NUMERO_PREFIX = "14"  # modality 1 (registrada) + issuer 4 (beneficiário)
FREE_DIGITS = 15
NOSSO_NUMERO_DIGITS = 17


def beneficiary_field(agreement: str) -> tuple[str, str]:
    """Barcode positions 20-26 (six digits plus DV, or the seven digits of the newer codes) and the
    code as printed (CCCCCCC-D; the newer codes have no DV to check, so none is printed)."""
    code = int(digits_only(agreement, "Código do beneficiário"))
    if 1 <= code <= SIX_DIGIT_CODES_END:
        six = f"{code:06d}"
        dv = mod11_zero_when_above_9(six)
        return f"{six}{dv}", f"{code:07d}-{dv}"
    if SEVEN_DIGIT_CODES_START <= code <= 9_999_999:
        return f"{code:07d}", f"{code:07d}"
    raise invalid("Código do beneficiário Caixa deve estar entre 000001 e 999999 ou a partir de 1100000.")


def full_nosso_numero(nosso_numero: str) -> str:
    """All 17 digits; up to 15 digits are taken as the free part and prefixed with "14"."""
    digits = digits_only(nosso_numero, "Nosso número")
    if len(digits) <= FREE_DIGITS:
        return NOSSO_NUMERO_PREFIX + digits.zfill(FREE_DIGITS)
    if len(digits) != NOSSO_NUMERO_DIGITS or digits[0] not in "12" or digits[1] != "4":
        raise invalid("Nosso número Caixa SIGCB: 17 dígitos começando por 14 (ou 24), ou até 15 dígitos livres.")
    return digits


def bank_part(account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
    beneficiary, printed_code = beneficiary_field(account.agreement)
    number = full_nosso_numero(nosso_numero)
    body = beneficiary + number[2:5] + number[0] + number[5:8] + number[1] + number[8:17]
    campo_livre = body + str(mod11_zero_when_above_9(body))
    printed = f"{number}-{mod11_zero_when_above_9(number)}"
    if str(account.agency).strip():
        printed_code = f"{numeric(account.agency, 'Agência', 4)}/{printed_code}"
    return BankPart(campo_livre, printed, printed_code, WALLET)


def sequence_digits(agreement: str) -> int:
    return FREE_DIGITS


def return_number(field: str) -> str:
    return field[:NOSSO_NUMERO_DIGITS]
