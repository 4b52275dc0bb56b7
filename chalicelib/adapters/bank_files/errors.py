"""Errors raised while reading or writing bank files. Messages are for people: pt-BR."""


class BankFileError(ValueError):
    """A bank file that cannot be trusted: nothing of it is returned (all-or-nothing)."""

    def __init__(self, message: str, line: int):
        self.message = message
        self.line = line
        super().__init__(f"linha {line}: {message}")


class RemittanceError(ValueError):
    """Remittance data that does not fit the CNAB 240 layout."""
