"""``pix build`` and ``pix parse``: see API.md, "Command line"."""
from chalicelib.cli import CliInputError
from chalicelib.domain.pix import PixError, build_static_pix, parse_pix


def register(subparsers) -> None:
    group = subparsers.add_parser("pix", help="Pix BR Code (copia e cola / QR)")
    commands = group.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="monta um BR Code estático")
    build.add_argument("--key", required=True, help="chave Pix: CPF, CNPJ, e-mail, +55... ou aleatória")
    build.add_argument("--name", required=True, help="nome do recebedor (até 25 caracteres)")
    build.add_argument("--city", required=True, help="cidade do recebedor (até 15 caracteres)")
    build.add_argument("--amount-cents", type=int, default=None, dest="amount_cents")
    build.add_argument("--txid", default=None)
    build.set_defaults(func=run_build)

    parse = commands.add_parser("parse", help="lê um BR Code e confere o CRC")
    parse.add_argument("payload", metavar="PAYLOAD")
    parse.set_defaults(func=run_parse)


def run_build(args) -> dict:
    try:
        payload = build_static_pix(args.key, args.name, args.city, args.amount_cents, args.txid)
    except PixError as error:
        raise CliInputError(error.message, {"error": error.message, "code": error.code}) from error
    return {"payload": payload}


def run_parse(args) -> dict:
    try:
        parsed = parse_pix(args.payload)
    except PixError as error:
        raise CliInputError(error.message, {"valid": False, "error": error.message, "code": error.code}) from error
    return {"valid": parsed.crc_valid, "crc_valid": parsed.crc_valid, "fields": parsed.fields, "tags": parsed.tags}
