"""Bank files (CNAB): reading return files (240 and 400) and writing CNAB 240 remittances."""
from chalicelib.adapters.bank_files.errors import BankFileError, RemittanceError
from chalicelib.adapters.bank_files.model import Layout, MovementKind, ReturnFile, ReturnRecord
from chalicelib.adapters.bank_files.returns import parse_return_file

__all__ = [
    "BankFileError",
    "Layout",
    "MovementKind",
    "RemittanceError",
    "ReturnFile",
    "ReturnRecord",
    "parse_return_file",
]
