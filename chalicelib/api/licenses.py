"""Software licenses: the account's keys and machines (owner and admin), and the vendor's program's
routes, whose credential is the license key itself (docs/licensing.md)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.responses import json_response
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.licenses import (
    ActivateIn, DeactivatedOut, JwksOut, LicenseFileOut, LicenseKeyOut, LicenseKeysOut, MachineIn, ProgramKeyIn,
)
from chalicelib.api.times import in_sao_paulo
from chalicelib.wiring import container

bp = Blueprint(__name__)
KEYS = "/v1/accounts/{account_id}/licenses"
PROGRAM_TAGS = ["licenses"]


def _source_address() -> str:
    """The caller's address as API Gateway saw it (not a header a caller could forge)."""
    context = bp.current_request.context or {}
    return str((context.get("identity") or {}).get("sourceIp") or "unknown")


def seats_changed(account_id: str, product_id: str, actor: str) -> None:
    """After a route bought or removed seats: keys for a product with license keys follow at once."""
    services = container()
    product = services.catalog.product(product_id)
    if product is not None and product.licensing == "keys":
        services.licensing.sync(account_id, actor)


def file_out(result) -> LicenseFileOut:
    return LicenseFileOut(license_file=result.token, claims=result.claims, machines=result.machines)


def key_out(item, catalog) -> LicenseKeyOut:
    from chalicelib.services.licensing.licenses import machines_of

    product = catalog.product(item.product_id)
    return LicenseKeyOut(
        id=item.license_id, key=item.key, product_id=item.product_id, subscription_id=item.subscription_id,
        source=item.source, seat=int(item.seat), status=item.status,
        machines_per_license=product.machines_per_license if product else 1, machines=machines_of(item),
        created_at=in_sao_paulo(item.created_at), retired_at=in_sao_paulo(item.retired_at))


@endpoint(bp, KEYS, "GET", access=Access.PLAN_CHANGE, response=LicenseKeysOut, tags=PROGRAM_TAGS,
          summary="Chaves de licença da conta (uma por licença de produto desktop) com suas máquinas.")
def list_license_keys(ctx: RequestContext, account_id: str):
    services = container()
    return LicenseKeysOut(items=[key_out(k, services.catalog) for k in services.licensing.list(account_id, ctx.actor)])


@endpoint(bp, KEYS + "/{license_id}/deactivate", "POST", access=Access.PLAN_CHANGE, body=MachineIn,
          response=LicenseKeyOut, tags=PROGRAM_TAGS,
          summary="Desativa uma máquina da licença, liberando a vaga.")
def deactivate_machine(ctx: RequestContext, account_id: str, license_id: str):
    services = container()
    item = services.licensing.deactivate_machine(account_id, license_id, ctx.body.fingerprint, ctx.actor)
    return key_out(item, services.catalog)


@endpoint(bp, "/v1/licenses/activate", "POST", access=Access.PUBLIC, body=ActivateIn, response=LicenseFileOut,
          tags=PROGRAM_TAGS, summary="O programa ativa a máquina com a chave e recebe o arquivo de licença assinado.")
def activate_license(ctx: RequestContext):
    body = ctx.body
    return file_out(container().licensing.activate(body.license_key, body.fingerprint, body.machine_name,
                                                   _source_address()))


@endpoint(bp, "/v1/licenses/validate", "POST", access=Access.PUBLIC, body=ProgramKeyIn, response=LicenseFileOut,
          tags=PROGRAM_TAGS, summary="Verificação periódica do programa: um arquivo de licença novo, com a situação de agora.")
def validate_license(ctx: RequestContext):
    body = ctx.body
    return file_out(container().licensing.validate(body.license_key, body.fingerprint, _source_address()))


@endpoint(bp, "/v1/licenses/deactivate", "POST", access=Access.PUBLIC, body=ProgramKeyIn, response=DeactivatedOut,
          tags=PROGRAM_TAGS, summary="O programa libera a vaga da máquina (desinstalação, troca de máquina).")
def deactivate_license(ctx: RequestContext):
    body = ctx.body
    container().licensing.deactivate(body.license_key, body.fingerprint, _source_address())
    return DeactivatedOut(fingerprint=body.fingerprint)


@endpoint(bp, "/v1/licenses/jwks.json", "GET", access=Access.PUBLIC, response=JwksOut, tags=PROGRAM_TAGS,
          summary="Chaves públicas (JWKS) que verificam os arquivos de licença offline.")
def license_jwks(ctx: RequestContext):
    body = JwksOut.model_validate(container().licensing.jwks())
    # Programs and proxies may keep it a few minutes: a rotation publishes a key before it signs.
    return json_response(body, 200, {"Cache-Control": "public, max-age=300"})
