"""Service invoices (NFS-e): the local stage's listing of what the fake SEFIN Nacional received. The
invoice's NFS-e itself is part of every invoice answer (chalicelib/api/invoices.py)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.dev import DevServiceInvoiceOut, DevServiceInvoicesOut
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, "/v1/_dev/service-invoices", "GET", access=Access.DEV, response=DevServiceInvoicesOut, tags=["dev"],
          summary="O que a SEFIN Nacional local recebeu (DPS assinadas, estado, chave, eventos), mais recente primeiro.")
def dev_service_invoices(ctx: RequestContext):
    return DevServiceInvoicesOut(items=[
        DevServiceInvoiceOut(**{k: v for k, v in item.items() if k in DevServiceInvoiceOut.model_fields})
        for item in container().dev_service_invoices.received()])
