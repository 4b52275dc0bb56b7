"""Boleto de cobrança (FEBRABAN): build the barcode, linha digitável and nosso número of the
banks in domain.banks, and read any cobrança line or barcode back. Pure rules: no I/O, no PDF (the
PDF lives in chalicelib.adapters.pdf, so importing this package never loads reportlab)."""
from chalicelib.domain.banks import BANKS, KNOWN_BANK_NAMES
from chalicelib.domain.boleto.builder import Boleto, build_boleto
from chalicelib.domain.boleto.due_factor import due_date_from_factor, due_factor
from chalicelib.domain.boleto.errors import BoletoError
from chalicelib.domain.boleto.layout import format_line
from chalicelib.domain.boleto.reader import ParsedBoleto, parse_boleto

SUPPORTED_BANKS = tuple(sorted(BANKS))

__all__ = [
    "Boleto",
    "BoletoError",
    "KNOWN_BANK_NAMES",
    "ParsedBoleto",
    "SUPPORTED_BANKS",
    "build_boleto",
    "due_date_from_factor",
    "due_factor",
    "format_line",
    "parse_boleto",
]
