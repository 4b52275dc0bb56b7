"""Bank files (CNAB): reading return files (240 and 400) and writing CNAB 240 remittances."""
from chalicelib.adapters.bank_files.errors import BankFileError, RemittanceError
from chalicelib.adapters.bank_files.model import Layout, MovementKind, ReturnFile, ReturnRecord
from chalicelib.adapters.bank_files.remittance_model import Beneficiary, BoletoEntry, Payer, Remittance
from chalicelib.adapters.bank_files.remittance_reader import read_remittance
from chalicelib.adapters.bank_files.remittance_writer import write_remittance
from chalicelib.adapters.bank_files.returns import parse_return_file

__all__ = [
    "BankFileError",
    "Beneficiary",
    "BoletoEntry",
    "Layout",
    "MovementKind",
    "Payer",
    "Remittance",
    "RemittanceError",
    "ReturnFile",
    "ReturnRecord",
    "parse_return_file",
    "read_remittance",
    "write_remittance",
]
