"""OpenAPI 3.1 document generated from the endpoint declarations and their pydantic models."""
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.access import Access
from chalicelib.api.routing import EndpointSpec
from chalicelib.api.schemas.common import ErrorResponse

_REF = "#/components/schemas/{model}"
_ERROR_STATUSES = {
    "400": "Requisição malformada.",
    "401": "Sem token ou token inválido.",
    "403": "Autenticado, mas sem permissão.",
    "404": "Não encontrado (também para recursos de outra conta).",
    "409": "Conflito com o estado atual.",
    "413": "Corpo grande demais.",
    "415": "Tipo de conteúdo não suportado.",
    "422": "Campos inválidos.",
    "429": "Muitas requisições.",
    "503": "Um serviço externo (gateway de pagamento) não respondeu; tente de novo.",
}
_SECURITY = {
    Access.PUBLIC: [],
    Access.WEBHOOK: [],
    Access.DEV: [],
    Access.INTERNAL: [{"internalToken": []}],
}


def build_openapi(endpoints: list[EndpointSpec], version: str) -> dict:
    models = _models(endpoints)
    refs, schema = models_json_schema([(m, mode) for m, mode in models], ref_template=_REF)
    paths: dict = {}
    for spec in endpoints:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Renova API", "version": version,
                 "description": "Faturamento e licenciamento para fornecedores de SaaS."},
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "internalToken": {"type": "apiKey", "in": "header", "name": "X-Internal-Token"},
            },
        },
    }


def raw_schema_of(spec: EndpointSpec) -> type[BaseModel]:
    """The documented model of a raw body: given as the model, or as a function that imports it."""
    schema = spec.raw_schema
    return schema if isinstance(schema, type) else schema()


def _models(endpoints: list[EndpointSpec]) -> list[tuple[type[BaseModel], str]]:
    pairs = {(ErrorResponse, "serialization")}
    for spec in endpoints:
        if spec.body:
            pairs.add((spec.body, "validation"))
        if spec.raw_schema:
            pairs.add((raw_schema_of(spec), "validation"))
        if spec.response:
            pairs.add((spec.response, "serialization"))
    return sorted(pairs, key=lambda pair: (pair[0].__name__, pair[1]))


def _operation(spec: EndpointSpec, refs: dict) -> dict:
    operation = {
        "operationId": spec.handler_name,
        "summary": spec.summary,
        "tags": list(spec.tags),
        "security": _SECURITY.get(spec.access, [{"bearer": []}]),
        "parameters": _parameters(spec),
        "responses": _responses(spec, refs),
    }
    if spec.body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
        }
    elif spec.raw_schema:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(raw_schema_of(spec), "validation")]}},
        }
    elif spec.raw_body:
        operation["requestBody"] = {"required": True, "content": {"*/*": {"schema": {"type": "string"}}}}
    return operation


def _parameters(spec: EndpointSpec) -> list[dict]:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in spec.path_params]
    if spec.query:
        for name, field in spec.query.model_fields.items():
            name = field.alias or name  # `from` is a Python keyword: its field is `from_`
            schema = spec.query.model_json_schema()["properties"][name]
            params.append({"name": name, "in": "query", "required": field.is_required(), "schema": schema})
    if spec.method == "POST" and spec.access not in (Access.WEBHOOK, Access.DEV, Access.PUBLIC):
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "schema": {"type": "string", "maxLength": 255}})
    return params


def _responses(spec: EndpointSpec, refs: dict) -> dict:
    success = {"description": "Sucesso."}
    if spec.response:
        success["content"] = {"application/json": {"schema": refs[(spec.response, "serialization")]}}
    elif spec.media_type:
        success["content"] = {spec.media_type: {"schema": {"type": "string"}}}
    error_content = {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}}
    responses = {str(spec.status): success}
    for status, description in _ERROR_STATUSES.items():
        responses[status] = {"description": description, "content": error_content}
    return responses
