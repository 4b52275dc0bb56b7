"""Entry point of ``python -m chalicelib.cli``; see chalicelib/cli/__init__.py."""
import argparse
import importlib
import json
import sys

from chalicelib.cli import CliInputError

# Command groups, imported lazily so one group's heavy imports never slow another.
GROUPS = ("boleto", "pix", "cnab", "jobs", "metrics")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    subparsers = parser.add_subparsers(dest="group", required=True)
    for name in GROUPS:
        try:
            module = importlib.import_module(f"chalicelib.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"chalicelib.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # stdout is this command's output contract (one JSON document, API.md "Command line"), not a
    # log: the structured logger writes its own lines and must not be mixed into it.
    try:
        result = args.func(args)
    except CliInputError as exc:
        print(json.dumps(exc.payload, ensure_ascii=False))
        return 1
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
