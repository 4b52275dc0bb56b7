"""From file content to numbered records of the layout's width."""
from chalicelib.adapters.bank_files.errors import BankFileError
from chalicelib.adapters.bank_files.fields import Record

_DOS_END_OF_FILE = "\x1a"


def decode(content: str | bytes) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")  # what banks' CNAB channels use; every byte decodes


def split_lines(text: str) -> list[str]:
    """Lines without their CR/LF; blank lines and DOS end-of-file marks at the end are dropped."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and lines[-1].strip(" " + _DOS_END_OF_FILE) == "":
        lines.pop()
    if not lines:
        raise BankFileError("arquivo vazio", 1)
    return lines


def to_records(lines: list[str], width: int) -> list[Record]:
    """Pads right-trimmed lines to the layout width; a line wider than the layout is refused."""
    records = []
    for number, line in enumerate(lines, start=1):
        content = line.rstrip(" ")  # trailing blanks carry nothing and many channels cut them
        if not content:
            raise BankFileError("linha vazia no meio do arquivo", number)
        if len(content) > width:
            raise BankFileError(f"linha com {len(content)} caracteres; o layout CNAB {width} tem {width}", number)
        records.append(Record(number, content.ljust(width)))
    return records
