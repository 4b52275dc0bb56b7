"""E-mail adapter: pt-BR jinja2 templates sent through SES. In the local stage every message is
also kept in the outbox that `GET /v1/_dev/outbox` lists."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from chalicelib.observability.logging import get_logger, log_event

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
_log = get_logger("email")
_MESSAGE_IDS = uuid.UUID("8f6d2c1e-3b4a-5c6d-9e8f-0a1b2c3d4e5f")  # stable ids of keyed messages


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    template: str


@lru_cache(maxsize=1)
def _environment():
    import jinja2  # imported on first e-mail only: keeps the Lambda's cold start small

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, recipients: list[str], **context) -> Email:
    env = _environment()
    subject = env.get_template(f"{template}.subject.txt").render(**context).strip()
    text = env.get_template(f"{template}.txt").render(**context)
    html = env.get_template(f"{template}.html").render(**context)
    unique = tuple(dict.fromkeys(r.lower() for r in recipients if r))
    return Email(to=unique, subject=subject, text=text, html=html, template=template)


class SesMailer:
    def __init__(self, ses_client, sender: str, outbox=None, clock=None):
        """`outbox` and `clock` (local stage): each message is kept in the outbox at the clock's time,
        the time every rule and job of the local stage runs at."""
        self._ses = ses_client
        self._sender = sender
        self._outbox = outbox
        self._clock = clock

    def send(self, email: Email, account_id: str | None = None, message_key: str | None = None,
             queued_at: datetime | None = None) -> None:
        """`message_key` and `queued_at`: the same message sent again (a delivery retried after a
        crash) keeps its id and place in the local outbox instead of appearing twice."""
        if not email.to:
            return
        self._ses.send_email(
            Source=self._sender,
            Destination={"ToAddresses": list(email.to)},
            Message={
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            },
        )
        log_event(_log, "email sent", template=email.template, recipients=len(email.to))
        if self._outbox is not None:
            self._record(email, account_id, message_key, queued_at)

    def _record(self, email: Email, account_id: str | None, message_key: str | None = None,
                queued_at: datetime | None = None) -> None:
        # One timeline for every message: a keyed resend passes the clock time of its first attempt,
        # so mixing it with real time would misplace messages whenever the clock is moved.
        placed_at = queued_at or (self._clock.now() if self._clock else datetime.now(timezone.utc))
        sent_at = placed_at.astimezone(timezone.utc).isoformat()
        message_id = uuid.uuid5(_MESSAGE_IDS, message_key).hex if message_key else uuid.uuid4().hex
        self._outbox.record_email(
            sk=f"{sent_at}#{message_id}", message_id=message_id, to=",".join(email.to),
            subject=email.subject, text=email.text, html=email.html, template=email.template,
            account_id=account_id)
