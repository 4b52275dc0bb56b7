"""`chalice local` with its access log redacted: `python -m scripts.chalice_local --host H --port P
--stage local` takes the options of `chalice local` (scripts/local_stack.py starts it this way).

Chalice's local server writes one access line per request through http.server's `log_message`
(client, time, request line, status) on stderr. The request line carries the path and the query
string, where a card number pasted by mistake (`/v1/accounts/4111...`, `?cursor=...`) would stay in
the clear; the application's own logs are redacted by chalicelib/observability/logging.py, and this
sends the access log through the same `redact_text`."""
import sys

from chalicelib.observability.logging import redact_text


def log_message(handler, format: str, *args) -> None:  # noqa: A002 — http.server's signature
    line = "%s - - [%s] %s\n" % (handler.address_string(), handler.log_date_time_string(), format % args)
    sys.stderr.write(redact_text(line))


def install() -> None:
    """Every access line of chalice's request handler (and of any subclass) goes through `log_message`."""
    from chalice import local

    local.ChaliceRequestHandler.log_message = log_message


def main(argv: list[str]) -> int:
    install()
    from scripts import local_gateway

    local_gateway.install()  # unknown paths and http.server's own errors in the error shape
    from chalice.cli import main as chalice_cli

    # The reloader would start a plain `chalice local` child, without the redaction: always off.
    sys.argv = ["chalice", "local", *argv, "--no-autoreload"]
    return chalice_cli()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
