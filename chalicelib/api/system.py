"""Health, the OpenAPI document and the catalog."""
from functools import lru_cache

from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.responses import json_response
from chalicelib.api.routing import ENDPOINTS, RequestContext, endpoint
from chalicelib.api.schemas.catalog import CatalogOut, ProductOut
from chalicelib.api.schemas.common import Health
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, "/v1/health", "GET", access=Access.PUBLIC, response=Health,
          summary="Verificação de saúde.", tags=["system"])
def health(ctx: RequestContext):
    return Health(status="ok", stage=container().settings.stage)


@lru_cache(maxsize=1)
def _openapi_document() -> dict:
    from chalicelib.api.openapi import build_openapi

    return build_openapi(ENDPOINTS, container().catalog.version)


@endpoint(bp, "/v1/openapi.json", "GET", access=Access.PUBLIC,
          summary="Este documento OpenAPI, gerado das rotas e modelos.", tags=["system"])
def openapi(ctx: RequestContext):
    return json_response(_openapi_document())


@endpoint(bp, "/v1/catalog", "GET", access=Access.USER, response=CatalogOut,
          summary="Produtos, planos, preços por periodicidade e adicionais.", tags=["catalog"])
def get_catalog(ctx: RequestContext):
    catalog = container().catalog
    return CatalogOut(version=catalog.version,
                      items=[ProductOut.model_validate(p.model_dump()) for p in catalog.products])
