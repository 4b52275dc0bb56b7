"""Support and operations command line: ``python -m chalicelib.cli GROUP COMMAND ...``.

Every command prints one JSON document on stdout. A command group is a module that exposes
``register(subparsers)``; each of its commands sets ``func`` to a callable taking the parsed
arguments and returning a JSON-serialisable value, or raising ``CliInputError``.
"""


class CliInputError(Exception):
    """Invalid input: the CLI prints ``{"error": message}`` (or the given payload) and exits 1."""

    def __init__(self, message: str, payload: dict | None = None):
        super().__init__(message)
        self.payload = payload if payload is not None else {"error": message}
