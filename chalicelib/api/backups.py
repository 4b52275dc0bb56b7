"""Backups of the account's data: the owner schedules them and downloads the files; owner, admin and
finance see the list (PRODUCT.md §1, §9). The owner or an admin of the partner holding a client
account's batch license may schedule and download that client's backups too (Conta Azul Mais)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.backups import BackupDownloadOut, BackupIn, BackupOut, BackupPage
from chalicelib.api.times import in_sao_paulo
from chalicelib.wiring import container

bp = Blueprint(__name__)
BACKUPS = "/v1/accounts/{account_id}/backups"


def backup_out(backup, now) -> BackupOut:
    from chalicelib.domain.data_lifecycle import backup_file_expires_at  # loaded by its routes only
    from chalicelib.services.lifecycle.backups import status_of

    return BackupOut(
        id=backup.backup_id, status=status_of(backup, now), run_at=in_sao_paulo(backup.run_at),
        requested_by=backup.requested_by, created_at=in_sao_paulo(backup.created_at),
        ready_at=in_sao_paulo(backup.ready_at),
        expires_at=in_sao_paulo(backup_file_expires_at(backup.ready_at)) if backup.ready_at else None,
        size_bytes=backup.size_bytes,
    )


@endpoint(bp, BACKUPS, "POST", access=Access.BACKUP_OWNER, body=BackupIn, response=BackupOut, status=201,
          summary="Agenda um backup (ZIP de planilhas CSV) entre 19h e 4h.", tags=["backups"])
def schedule_backup(ctx: RequestContext, account_id: str):
    services = container()
    backup = services.backups.schedule(account_id, ctx.body.run_at, ctx.body.next_window, ctx.actor,
                                       actor_account_id=_partner_of(ctx, account_id))
    return backup_out(backup, services.clock.now())


@endpoint(bp, BACKUPS, "GET", access=Access.BILLING, cursor_scope="{account_id}", response=BackupPage,
          summary="Backups da conta, do mais novo para o mais antigo.", tags=["backups"])
def list_backups(ctx: RequestContext, account_id: str):
    services = container()
    items, last = services.backups.list(account_id, ctx.page.limit, ctx.page.after)
    now = services.clock.now()
    return Paged(BackupPage(items=[backup_out(b, now) for b in items]), last)


@endpoint(bp, BACKUPS + "/{backup_id}/download", "GET", access=Access.BACKUP_OWNER, response=BackupDownloadOut,
          summary="Link de download (15 minutos); recusado em dias úteis entre 5h e 19h.", tags=["backups"])
def download_backup(ctx: RequestContext, account_id: str, backup_id: str):
    download = container().backups.download(account_id, backup_id, ctx.actor,
                                            actor_account_id=_partner_of(ctx, account_id))
    return BackupDownloadOut(url=download.url, expires_at=download.expires_at, filename=download.filename)


def _partner_of(ctx: RequestContext, account_id: str) -> str | None:
    """The partner account the caller acts from, when it is not a member of this account."""
    member_of = getattr(ctx.member, "account_id", account_id)
    return member_of if member_of != account_id else None
