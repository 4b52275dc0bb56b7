"""Errors of the boleto rules: each carries a stable ``code`` (for APIs, logs and tests) and a
pt-BR message a person can read."""
from chalicelib.domain.errors import DomainError


class BoletoError(DomainError):
    """A boleto that cannot be built or read; ``code`` never changes, the message may."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# Stable codes: parsing
INVALID_CHARACTERS = "invalid_characters"
INVALID_LENGTH = "invalid_length"
ARRECADACAO_NOT_SUPPORTED = "arrecadacao_not_supported"
FIELD_1_CHECK_DIGIT = "field_1_check_digit"
FIELD_2_CHECK_DIGIT = "field_2_check_digit"
FIELD_3_CHECK_DIGIT = "field_3_check_digit"
GENERAL_CHECK_DIGIT = "general_check_digit"
UNSUPPORTED_CURRENCY = "unsupported_currency"
UNKNOWN_BANK = "unknown_bank"
DUE_DATE_OUT_OF_WINDOW = "due_date_out_of_window"
# Stable codes: building
UNSUPPORTED_BANK = "unsupported_bank"
INVALID_AMOUNT = "invalid_amount"
INVALID_DUE_DATE = "invalid_due_date"
INVALID_FIELD = "invalid_field"
