"""Fixed-width fields, with positions exactly as the bank manuals print them (1-based, inclusive).
Field itself is defined in domain.banks.cnab, where each bank states the positions that are its own."""
from datetime import date

from chalicelib.adapters.bank_files.errors import BankFileError
from chalicelib.domain.banks.cnab import Field

__all__ = ["Field", "Record", "is_ascii_digits"]


def is_ascii_digits(value: str) -> bool:
    # str.isdigit alone accepts '²' and other Unicode digits that int() or banks would not.
    return value.isascii() and value.isdigit()


class Record:
    """One line of a bank file, padded to the layout width, with its 1-based line number."""

    def __init__(self, number: int, text: str):
        self.number = number
        self.text = text

    def raw(self, field: Field) -> str:
        return self.text[field.start - 1:field.end]

    def alpha(self, field: Field) -> str:
        return self.raw(field).strip()

    def digits(self, field: Field) -> str:
        value = self.raw(field)
        if not is_ascii_digits(value):
            raise self.error(f"{field.label} (posições {field.start}-{field.end}) deve ser numérico: '{value}'")
        return value

    def integer(self, field: Field) -> int:
        return int(self.digits(field))

    def date_ddmmyyyy(self, field: Field) -> date | None:
        return self._date(field, century_digits=True)

    def date_ddmmyy(self, field: Field) -> date | None:
        return self._date(field, century_digits=False)

    def _date(self, field: Field, *, century_digits: bool) -> date | None:
        value = self.raw(field)
        if value.strip(" 0") == "":  # banks fill dates that do not apply with zeros or blanks
            return None
        digits = self.digits(field)
        year = int(digits[4:]) if century_digits else 2000 + int(digits[4:])  # DDMMAA: all files are post-2000
        try:
            return date(year, int(digits[2:4]), int(digits[:2]))
        except ValueError:
            raise self.error(f"{field.label} (posições {field.start}-{field.end}) não é data válida: '{value}'")

    def error(self, message: str) -> BankFileError:
        return BankFileError(message, self.number)
