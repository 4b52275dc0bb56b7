"""Structured JSON logs carrying the request id and account id of the current request.

Secrets never reach the output: values under sensitive keys are replaced, and any run of 13-19
digits (a possible card number) is masked, whatever field it hides in — also percent-encoded, as it
arrives in a path or a query string (`4111%201111...`, `%34%31...`), and in the account id, which is
whatever the caller put in the path.
"""
import contextvars
import json
import logging
import re
import sys
from datetime import datetime, timezone
from urllib.parse import unquote_plus

from chalicelib.domain.card_numbers import CARD_NUMBER_LIKE as _CARD_LIKE

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
account_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("account_id", default=None)

_SENSITIVE_KEY = re.compile(r"token|secret|authorization|password|card_number|pan|signature|cvv|cvc", re.I)
REDACTED = "[redacted]"


# A run of digits and separators, plain or URL-escaped (%3N digits, %20 space, %2D dash, + space),
# from a digit to a digit.
_DIGIT = r"(?:\d|%3\d)"
_URL_DIGIT_RUN = re.compile(rf"{_DIGIT}(?:(?:{_DIGIT}|%20|%2[dD]|[ +-])*{_DIGIT})?")


def _redact_encoded(run: re.Match) -> str:
    return REDACTED if _CARD_LIKE.search(unquote_plus(run.group())) else run.group()


def redact_text(text: str) -> str:
    # The escaped run is replaced whole, so the rest of a URL keeps its form (one token in an access
    # log line, as its readers split it).
    return _URL_DIGIT_RUN.sub(_redact_encoded, _CARD_LIKE.sub(REDACTED, text))


def _redact_optional(text: str | None) -> str | None:
    return redact_text(text) if isinstance(text, str) else text


# Ids we generate (`acc_` + hex, a request id of 32 hex) hold digit runs by chance (about one in 60
# account ids has 13 or more digits in a row): only an id of another shape, taken from the caller's
# path or header, can hide a card number.
_OWN_ID = re.compile(r"[a-z]{2,8}_[0-9a-f]{16,32}|[0-9a-f]{32}")


def _redact_id(text: str | None) -> str | None:
    return text if isinstance(text, str) and _OWN_ID.fullmatch(text) else _redact_optional(text)


def redact(value):
    if isinstance(value, dict):
        return {k: (REDACTED if _SENSITIVE_KEY.search(str(k)) else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
            "request_id": _redact_id(request_id_var.get()),
            "account_id": _redact_id(account_id_var.get()),
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(redact(fields))
        if record.exc_info:
            entry["exception"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time of the record (Lambda and test capture both swap it)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger("renova")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"renova.{name}")


def log_event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields) -> None:
    logger.log(level, message, extra={"fields": fields})
