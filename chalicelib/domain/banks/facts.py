"""Every fact the rest of the code reads about a bank: each bank module provides all of them
(tests/unit/banks/test_bank_registry.py walks the registry to make sure)."""
from typing import Protocol

from chalicelib.domain.banks.cnab import Cnab240Return, Cnab400Return
from chalicelib.domain.banks.common import BankPart, BeneficiaryAccount


class Bank(Protocol):
    CODE: str  # COMPE code, 3 digits
    NAME: str  # as the boleto prints it and a reader of boletos shows it
    PRINTED_CODE: str  # with its DV, as the ficha de compensação shows it: "341-7"
    REMITTANCE_NAME: str  # "nome do banco" of the CNAB 240 remittance header
    CNAB240_RETURN: Cnab240Return  # where its CNAB 240 return carries segment T's fields
    CNAB400_RETURN: Cnab400Return | None  # its own CNAB 400 return; None: Renova reads none from it

    def bank_part(self, account: BeneficiaryAccount, nosso_numero: str) -> BankPart:
        """The campo livre, with the bank's check digits, and what the boleto prints."""

    def sequence_digits(self, agreement: str) -> int:
        """How many digits of the nosso número the agreement leaves for Renova's sequence."""

    def return_number(self, field: str) -> str:
        """The digits of the nosso número proper at the start of a return file's field (a check
        digit or blanks may follow): what domain.nosso_numero keys a liquidation on."""
