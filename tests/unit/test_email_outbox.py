"""The local outbox lists e-mails on the clock every rule and job uses. A message resent after a
crash keeps the clock time of its first attempt; were plain messages placed at real time, a clock
moved into the past or the future would put the two kinds out of order (a backup's e-mail once
sorted under an older request's when the dev clock lay behind the real date)."""
from datetime import datetime, timedelta
from types import SimpleNamespace

from chalicelib.adapters.clock import SAO_PAULO, FixedClock
from chalicelib.adapters.email import Email, SesMailer


class FakeSes:
    def __init__(self):
        self.sent = []

    def send_email(self, **message):
        self.sent.append(message)


class FakeOutbox:
    def __init__(self):
        self.items = []

    def record_email(self, **message):
        self.items.append(SimpleNamespace(**message))

    def newest_first(self):
        return sorted(self.items, key=lambda item: item.sk, reverse=True)


def email(subject: str) -> Email:
    return Email(to=("alice@example.com",), subject=subject, text=subject, html=subject, template="t")


def mailer_at(instant: datetime):
    clock, outbox = FixedClock(instant), FakeOutbox()
    return SesMailer(FakeSes(), "cobranca@renova.local", outbox=outbox, clock=clock), clock, outbox


def test_a_plain_message_is_placed_at_the_clocks_time_not_the_real_time():
    past = datetime(2021, 3, 1, 14, 0, tzinfo=SAO_PAULO)
    mailer, _, outbox = mailer_at(past)
    mailer.send(email("Nova solicitação"), account_id="acc_1")
    assert outbox.items[0].sk.startswith("2021-03-01T17:00:00+00:00#")


def test_plain_and_resent_messages_share_one_timeline_whichever_side_of_real_time_the_clock_is():
    for year in (2021, 2031):  # a clock behind and one ahead of the real date
        opened_at = datetime(year, 12, 1, 14, 0, tzinfo=SAO_PAULO)
        mailer, clock, outbox = mailer_at(opened_at)
        mailer.send(email("Nova solicitação"), account_id="acc_1")
        ready_at = opened_at + timedelta(hours=6)
        clock.set(ready_at + timedelta(minutes=5))
        mailer.send(email("Seu backup já está disponível"), account_id="acc_1",
                    message_key="backup-ready:bkp_1", queued_at=ready_at)
        mailer.send(email("Seu backup já está disponível"), account_id="acc_1",
                    message_key="backup-ready:bkp_1", queued_at=ready_at)  # resent after a crash

        listed = outbox.newest_first()
        assert [m.subject for m in listed][:2] == ["Seu backup já está disponível"] * 2, year
        assert listed[0].sk == listed[1].sk  # the resend overwrites the first copy: one message
        assert listed[-1].subject == "Nova solicitação"


def test_without_an_outbox_nothing_is_recorded_and_ses_still_sends():
    ses = FakeSes()
    SesMailer(ses, "cobranca@renova.local").send(email("Fatura"), account_id="acc_1")
    assert [m["Message"]["Subject"]["Data"] for m in ses.sent] == ["Fatura"]
