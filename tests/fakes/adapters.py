"""The adapters in memory: a clock that moves only when told, a mailer that keeps what it sends, an
event publisher that keeps what it publishes, a file store in a dict. The card gateway is the local
stage's own (chalicelib/adapters/gateways/fake.py)."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from chalicelib.adapters.clock import SAO_PAULO, FixedClock
from chalicelib.adapters.email import Email
from chalicelib.adapters.events import RecordingPublisher
from chalicelib.adapters.files import DownloadLink
from chalicelib.adapters.gateways.fake import FakeCardGateway

__all__ = ["FakeCardGateway", "FakeClock", "FakeFileStore", "FakeMailer", "FakePublisher", "SentEmail"]


class FakeClock(FixedClock):
    """FixedClock, set by São Paulo wall time (what the rules are written in)."""

    def __init__(self, day: str = "2026-04-20", at: str = "10:00:00"):
        super().__init__(self._instant(day, at))

    @staticmethod
    def _instant(day: str, at: str) -> datetime:
        return datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(at), SAO_PAULO)

    def at(self, day: str, at: str = "10:00:00") -> "FakeClock":
        self.set(self._instant(day, at))
        return self

    def advance(self, **delta) -> "FakeClock":
        self.set(self.now() + timedelta(**delta))
        return self


@dataclass(frozen=True)
class SentEmail:
    email: Email
    account_id: str | None
    message_key: str | None

    @property
    def template(self) -> str:
        return self.email.template


class FakeMailer:
    """SesMailer.send, kept: `sent` in order; a keyed message sent again is kept once (as the outbox)."""

    def __init__(self):
        self.sent: list[SentEmail] = []

    def send(self, email: Email, account_id: str | None = None, message_key: str | None = None,
             queued_at: datetime | None = None) -> None:
        if not email.to:
            return
        if message_key and any(s.message_key == message_key for s in self.sent):
            return
        self.sent.append(SentEmail(email, account_id, message_key))

    def templates(self, account_id: str | None = None) -> list[str]:
        return [s.template for s in self.sent if account_id is None or s.account_id == account_id]


class FakePublisher(RecordingPublisher):
    """RecordingPublisher (chalicelib/adapters/events.py) with a look-up by type."""

    def types(self) -> list[str]:
        return [event["type"] for event in self.published]


class FakeFileStore:
    """FileStore in a dict: key -> (content, content type)."""

    def __init__(self):
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, content: bytes, content_type: str) -> None:
        self.objects[key] = (bytes(content), content_type)

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def download_link(self, key: str, filename: str, expires_in_seconds: int) -> DownloadLink:
        return DownloadLink(f"memory://{key}?filename={filename}", expires_in_seconds)

    def delete_prefix(self, prefix: str) -> int:
        doomed = [key for key in self.objects if key.startswith(prefix)]
        for key in doomed:
            del self.objects[key]
        return len(doomed)
