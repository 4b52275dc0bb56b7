"""``boleto build`` and ``boleto parse``: see API.md, "Command line"."""
import argparse
from datetime import date

from chalicelib.cli import CliInputError
from chalicelib.domain.boleto import SUPPORTED_BANKS, BoletoError, build_boleto, parse_boleto


def register(subparsers) -> None:
    group = subparsers.add_parser("boleto", help="boleto de cobrança: montar e ler")
    commands = group.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="monta código de barras, linha digitável e nosso número")
    build.add_argument("--bank", required=True, help=f"{', '.join(SUPPORTED_BANKS[:-1])} ou {SUPPORTED_BANKS[-1]}")
    build.add_argument("--agency", default="")
    build.add_argument("--account", default="")
    build.add_argument("--wallet", default="")
    build.add_argument("--agreement", default="")
    build.add_argument("--nosso-numero", required=True, dest="nosso_numero")
    build.add_argument("--due", required=True, type=_iso_date, help="YYYY-MM-DD")
    build.add_argument("--amount-cents", required=True, type=int, dest="amount_cents")
    build.set_defaults(func=run_build)

    parse = commands.add_parser("parse", help="valida e lê uma linha digitável ou código de barras")
    parse.add_argument("code", metavar="LINE_OR_BARCODE", nargs="+", help="pontos e espaços são aceitos")
    parse.add_argument("--today", type=_iso_date, default=None, help="YYYY-MM-DD (padrão: hoje)")
    parse.set_defaults(func=run_parse)


def run_build(args) -> dict:
    try:
        boleto = build_boleto(
            bank=args.bank,
            agency=args.agency,
            account=args.account,
            wallet=args.wallet,
            agreement=args.agreement,
            nosso_numero=args.nosso_numero,
            due_date=args.due,
            amount_cents=args.amount_cents,
        )
    except BoletoError as error:
        raise CliInputError(error.message, {"error": error.message, "code": error.code}) from error
    return {
        "barcode": boleto.barcode,
        "digitable_line": boleto.digitable_line,
        "formatted_line": boleto.formatted_line,
        "nosso_numero": boleto.nosso_numero,
    }


def run_parse(args) -> dict:
    today = args.today or date.today()
    try:
        parsed = parse_boleto(" ".join(args.code), today)
    except BoletoError as error:
        raise CliInputError(error.message, {"valid": False, "error": error.message, "code": error.code}) from error
    return {
        "valid": True,
        "bank_code": parsed.bank_code,
        "amount_cents": parsed.amount_cents,
        "due_date": parsed.due_date.isoformat() if parsed.due_date else None,
        "barcode": parsed.barcode,
        "digitable_line": parsed.digitable_line,
    }


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"data inválida: {text!r} (use AAAA-MM-DD)") from error
