"""``cnab`` commands: read bank return files (CNAB 240/400)."""
from pathlib import Path

from chalicelib.adapters.bank_files import BankFileError, ReturnFile, ReturnRecord, parse_return_file
from chalicelib.cli import CliInputError


def register(subparsers) -> None:
    group = subparsers.add_parser("cnab", help="arquivos CNAB dos bancos")
    commands = group.add_subparsers(dest="command", required=True)
    parse = commands.add_parser("parse", help="lê um arquivo de retorno CNAB 240 ou 400")
    parse.add_argument("file", help="caminho do arquivo de retorno")
    parse.set_defaults(func=parse_file)


def parse_file(args) -> dict:
    try:
        content = Path(args.file).read_bytes()
    except FileNotFoundError:
        raise CliInputError(f"arquivo não encontrado: {args.file}")
    except OSError:
        raise CliInputError(f"não foi possível ler o arquivo: {args.file}")
    try:
        return_file = parse_return_file(content)
    except BankFileError as exc:
        raise CliInputError(exc.message, {"error": exc.message, "line": exc.line})
    return return_file_as_json(return_file)


def return_file_as_json(return_file: ReturnFile) -> dict:
    return {
        "layout": int(return_file.layout),
        "bank_code": return_file.bank_code,
        "records": [_record_as_json(record) for record in return_file.records],
    }


def _record_as_json(record: ReturnRecord) -> dict:
    return {
        "nosso_numero": record.nosso_numero,
        "movement": record.movement,
        "movement_kind": record.kind.value,
        "amount_cents": record.amount_cents,
        "paid_cents": record.paid_cents,
        "fee_cents": record.fee_cents,
        "net_cents": record.net_cents,
        "occurred_on": _iso(record.occurred_on),
        "credited_on": _iso(record.credited_on),
        "line": record.line,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None
