"""Entry point for bank return files: detects the layout from the header and reads every record."""
from chalicelib.adapters.bank_files import cnab240, cnab400_return
from chalicelib.adapters.bank_files.cnab240_return import parse_cnab240_return
from chalicelib.adapters.bank_files.errors import BankFileError
from chalicelib.adapters.bank_files.fields import is_ascii_digits
from chalicelib.adapters.bank_files.lines import decode, split_lines, to_records
from chalicelib.adapters.bank_files.model import Layout, ReturnFile


def parse_return_file(content: str | bytes) -> ReturnFile:
    """Reads a CNAB 240 or 400 return file, all or nothing: any malformed line raises BankFileError."""
    lines = split_lines(decode(content))
    layout = detect_layout(lines[0])
    if layout is Layout.CNAB240:
        return parse_cnab240_return(to_records(lines, cnab240.WIDTH))
    return cnab400_return.parse_cnab400_return(to_records(lines, cnab400_return.WIDTH))


def detect_layout(first_line: str) -> Layout:
    # CNAB 400 headers open with "02RETORNO" (type 0, return); CNAB 240 ones with bank, lot 0000, type 0.
    if first_line[:9].upper() == "02RETORNO":
        return Layout.CNAB400
    if first_line[:9].upper() == "01REMESSA":
        raise BankFileError("arquivo de remessa CNAB 400, não de retorno", 1)
    if is_ascii_digits(first_line[:3]) and first_line[3:8] == "00000":
        return Layout.CNAB240
    raise BankFileError("layout não reconhecido: o header não é de CNAB 240 nem de retorno CNAB 400", 1)
