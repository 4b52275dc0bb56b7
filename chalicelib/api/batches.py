"""Partner batches (Conta Azul Mais): the partner's people manage their clients' licenses here, on
their own account — they are not members of the client accounts and never see their invoices."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.batches import (
    BatchLicensesOut, ClientIn, LicenseCancelIn, LicenseCancelledOut, LicenseOut, SubstitutedOut, TransferredOut,
)
from chalicelib.wiring import container

bp = Blueprint(__name__)
LICENSES = "/v1/accounts/{account_id}/batches/{subscription_id}/licenses"
LICENSE = LICENSES + "/{license_id}"


def license_fields(view_or_item) -> dict:
    item = getattr(view_or_item, "item", view_or_item)
    if item is None:
        return {"id": view_or_item.license_id, "status": view_or_item.status}
    return {"id": item.license_id, "status": item.status, "client_account_id": item.client_account_id,
            "client_name": item.client_name, "assigned_on": item.assigned_on,
            "previous_client_account_ids": list(item.previous_client_account_ids or []),
            "leave_reason": item.leave_reason, "leaves_on": item.leaves_on}


def _client(body: ClientIn):
    from chalicelib.services.partners.clients import ClientRequest

    return ClientRequest(body.name, body.owner_email)


@endpoint(bp, LICENSES, "GET", access=Access.BILLING, cursor_scope="{account_id}/batches/{subscription_id}",
          response=BatchLicensesOut, summary="Licenças do lote e seus clientes.", tags=["batches"])
def list_licenses(ctx: RequestContext, account_id: str, subscription_id: str):
    from chalicelib.services.partners.licenses import license_number

    after = ctx.page.after
    view = container().batches.view(account_id, subscription_id)
    rest = view.licenses
    if after is not None:  # licenses are listed by number
        rest = [v for v in rest if (license_number(v.license_id) or 0) > (license_number(after) or 0)]
    page, more = rest[:ctx.page.limit], len(rest) > ctx.page.limit
    batch = view.batch
    return Paged(BatchLicensesOut(subscription_id=subscription_id, product_id=batch.product_id, status=batch.status,
                                  quantity=batch.quantity, current_period_end=batch.current_period_end,
                                  items=[LicenseOut(**license_fields(v)) for v in page]),
                 page[-1].license_id if more else None)


@endpoint(bp, LICENSE + "/assign", "POST", access=Access.PLAN_CHANGE, body=ClientIn, response=LicenseOut,
          summary="Atribui uma licença livre a um cliente: cria a conta do cliente, em branco, e convida o "
                  "proprietário.", tags=["batches"])
def assign_license(ctx: RequestContext, account_id: str, subscription_id: str, license_id: str):
    change = container().batches.assign(account_id, subscription_id, license_id, _client(ctx.body), ctx.actor)
    return LicenseOut(**license_fields(change.license))


@endpoint(bp, LICENSE + "/substitute", "POST", access=Access.PLAN_CHANGE, body=ClientIn, response=SubstitutedOut,
          summary="Substitui o cliente: a licença vai para uma nova conta em branco; a anterior é cancelada e "
                  "guardada pelo prazo de retenção.", tags=["batches"])
def substitute_client(ctx: RequestContext, account_id: str, subscription_id: str, license_id: str):
    change = container().batches.substitute(account_id, subscription_id, license_id, _client(ctx.body), ctx.actor)
    return SubstitutedOut(**license_fields(change.license), previous_client_account_id=change.previous_client_id,
                          previous_client_purge_on=change.purge_on)


@endpoint(bp, LICENSE + "/transfer", "POST", access=Access.PLAN_CHANGE, response=TransferredOut,
          summary="Transfere a responsabilidade pela assinatura ao cliente: a licença sai do lote na próxima "
                  "renovação e o cliente passa a ser cobrado a partir dela.", tags=["batches"])
def transfer_license(ctx: RequestContext, account_id: str, subscription_id: str, license_id: str):
    change = container().license_exits.transfer(account_id, subscription_id, license_id, ctx.actor)
    own = change.client_subscription
    return TransferredOut(**license_fields(change.license), client_subscription_id=own.subscription_id,
                          client_billed_from=own.current_period_end, batch_quantity_from_renewal=change.batch.quantity)


@endpoint(bp, LICENSE + "/cancel", "POST", access=Access.PLAN_CHANGE, body=LicenseCancelIn,
          response=LicenseCancelledOut,
          summary="Cancela uma licença do lote: com 30 dias de antecedência sai na renovação; depois disso, é "
                  "cobrada mais uma vez.", tags=["batches"])
def cancel_license(ctx: RequestContext, account_id: str, subscription_id: str, license_id: str):
    change = container().license_exits.cancel(account_id, subscription_id, license_id, ctx.body.reason, ctx.actor)
    once_more = change.billed_once_more
    invoice = change.invoice
    return LicenseCancelledOut(
        **license_fields(change.license), billed_once_more=once_more is not None,
        billed_period_start=once_more.start if once_more else None,
        billed_period_end=once_more.end if once_more else None,
        amount_owed_cents=invoice.charge_cents if invoice else 0,
        invoice_id=invoice.invoice.invoice_id if invoice else None,
        batch_quantity_from_renewal=change.batch.quantity)
