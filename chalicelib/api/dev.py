"""Local stage only (404 elsewhere): the settable clock, jobs on demand and the e-mail outbox."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.dev import ClockIn, ClockOut, JobSummary, OutboxMessage, OutboxOut
from chalicelib.jobs.registry import run_job
from chalicelib.wiring import container

bp = Blueprint(__name__)


def _clock_out() -> ClockOut:
    now = container().clock.now()
    return ClockOut(now=now, today=now.date())


@endpoint(bp, "/v1/_dev/clock", "GET", access=Access.DEV, response=ClockOut,
          summary="Lê o relógio usado por regras e jobs.", tags=["dev"])
def get_clock(ctx: RequestContext):
    return _clock_out()


@endpoint(bp, "/v1/_dev/clock", "PUT", access=Access.DEV, body=ClockIn, response=ClockOut,
          summary="Ajusta o relógio usado por regras e jobs.", tags=["dev"])
def put_clock(ctx: RequestContext):
    container().clock.set(ctx.body.now)
    return _clock_out()


@endpoint(bp, "/v1/_dev/jobs/{job}", "POST", access=Access.DEV, response=JobSummary,
          summary="Roda um job agendado agora e devolve o resumo.", tags=["dev"])
def run_job_now(ctx: RequestContext, job: str):
    services = container()
    return run_job(job, services, services.clock.today())


@endpoint(bp, "/v1/_dev/outbox", "GET", access=Access.DEV, query=PageQuery, response=OutboxOut,
          summary="E-mails enviados, do mais novo para o mais antigo.", tags=["dev"])
def get_outbox(ctx: RequestContext):
    items = container().system.outbox(ctx.query.limit)
    return OutboxOut(items=[
        OutboxMessage(id=item.message_id, to=item.to.split(","), subject=item.subject, text=item.text,
                      template=item.template, account_id=item.account_id, sent_at=item.created_at)
        for item in items
    ])
