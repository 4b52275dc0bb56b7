"""One key for a boleto's nosso número, whether read from the printed boleto or from a bank return
file, so a liquidation in a return file finds the invoice whose boleto was issued.

The printed form carries the wallet and the check digit ("109/00000011-5" at Itaú); return files
carry the bank's own field ("00000011" at Itaú, 11 digits plus the check digit at Bradesco). The key
is the number without wallet, check digit or leading zeros, prefixed by the bank. Which digits
of a return file's field are the number is the bank's fact (its module's return_number)."""
from chalicelib.domain.banks import find_bank
from chalicelib.domain.errors import DomainError


def nosso_numero_key(bank_code: str, printed: str) -> str:
    """The key of a nosso número as the boleto prints it (see domain.boleto.builder)."""
    number = printed.strip()
    if "/" in number:  # wallet prefix: "109/...", "09/..."
        number = number.split("/", 1)[1]
    if "-" in number:  # check digit suffix
        number = number.rsplit("-", 1)[0]
    return _key(bank_code, number)


def return_file_key(bank_code: str, field: str) -> str:
    """The key of the nosso número field of a return file record."""
    number = field.strip()
    bank = find_bank(bank_code)
    # A bank Renova issues no boleto for: the whole field, which matches no boleto anyway.
    return _key(bank_code, bank.return_number(number) if bank else number)


def _key(bank_code: str, digits: str) -> str:
    if not digits.isdigit() or not bank_code.isdigit():
        raise DomainError(f"Nosso número inválido: {digits!r}.")
    return f"{bank_code}:{int(digits)}"
