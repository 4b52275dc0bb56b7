"""Validation of request bodies against the Central Bank's API Pix OpenAPI document (the fake PSP's
gate). The document is read as published; three of its habits are read the way a PSP reads them:

- `required` lists of a schema that name fields it does not declare (RecBase requires `idRec`,
  assigned by the PSP, and `retentativa`, declared nowhere) are not required of a request;
- patterns written with JavaScript delimiters (`/^\\d{11}$/`, the CPF) are read without them;
- a `oneOf` whose alternatives are the same schema (RecRevisada's `devedor`, "Pessoa Física" and
  "Pessoa Jurídica" both only `nome`) is one alternative, so a body matching it passes;
- a CEP written with its hyphen ("89256-140", as the document's own `cobRBody1` example writes it,
  against `maxLength: 8`) is read as its 8 digits.

`$ref`s are resolved by inlining (the document has no recursive schema), then the body is checked
with openapi-schema-validator's OpenAPI 3.0 validator and its format checker."""
import copy
import json
import re
from functools import lru_cache
from pathlib import Path

_ANNOTATIONS = ("title", "description", "example", "examples")


class SpecDocument:
    def __init__(self, path: str | Path):
        import yaml

        self.path = Path(path)
        self.document = yaml.safe_load(self.path.read_text(encoding="utf-8"))

    def ref(self, ref: str):
        node = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, node, seen: tuple = ()):
        if isinstance(node, dict):
            if "$ref" in node:
                ref = node["$ref"]
                if ref in seen:
                    raise ValueError(f"recursive schema {ref}")
                return self.resolve(self.ref(ref), seen + (ref,))
            return {key: self.resolve(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolve(item, seen) for item in node]
        return node

    def request_schema(self, path: str, method: str) -> dict | None:
        operation = self.document["paths"][path][method.lower()]
        body = operation.get("requestBody")
        if body is None:
            return None
        body = self.resolve(body)
        return normalize(body["content"]["application/json"]["schema"])

    def request_examples(self, path: str, method: str) -> dict:
        operation = self.document["paths"][path][method.lower()]
        body = self.resolve(operation.get("requestBody") or {})
        examples = body.get("content", {}).get("application/json", {}).get("examples", {})
        return {name: example["value"] for name, example in examples.items()}


def _declared(schema: dict) -> set:
    names = set((schema.get("properties") or {}).keys())
    for branch in schema.get("allOf") or []:
        if isinstance(branch, dict):
            names |= _declared(branch)
    return names


def _canonical(schema) -> str:
    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in _ANNOTATIONS}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    return json.dumps(strip(schema), sort_keys=True, ensure_ascii=False)


def normalize(schema):
    """The PSP's reading of a resolved schema (see the module's docstring)."""
    if isinstance(schema, list):
        return [normalize(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: normalize(value) for key, value in schema.items()}
    pattern = out.get("pattern")
    if isinstance(pattern, str) and len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
        out["pattern"] = pattern[1:-1]
    if isinstance(out.get("required"), list) and ("properties" in out or "allOf" in out):
        declared = _declared(out)
        out["required"] = [name for name in out["required"] if name in declared]
        if not out["required"]:
            del out["required"]
    if isinstance(out.get("oneOf"), list):
        unique = list({_canonical(branch): branch for branch in out["oneOf"]}.values())
        if len(unique) == 1:
            del out["oneOf"]
            out.setdefault("allOf", []).append(unique[0])
        else:
            out["oneOf"] = unique
    return out


class RequestValidator:
    def __init__(self, spec: SpecDocument):
        self._spec = spec
        self._validators: dict = {}

    def errors(self, path_template: str, method: str, body) -> list[str]:
        """Empty when `body` fits the operation's request schema; otherwise where and why not."""
        key = (path_template, method.upper())
        if key not in self._validators:
            from openapi_schema_validator import OAS30Validator, oas30_format_checker

            schema = self._spec.request_schema(path_template, method)
            self._validators[key] = (OAS30Validator(copy.deepcopy(schema), format_checker=oas30_format_checker)
                                     if schema else None)
        validator = self._validators[key]
        if validator is None:
            return []
        return sorted(f"{'/'.join(str(p) for p in error.absolute_path) or '(corpo)'}: {error.message}"
                      for error in validator.iter_errors(_read_ceps(body)))


def _read_ceps(node):
    if isinstance(node, dict):
        return {key: (re.sub(r"[.\-\s]", "", value) if key == "cep" and isinstance(value, str) else _read_ceps(value))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_read_ceps(item) for item in node]
    return node


@lru_cache(maxsize=4)
def validator_for(path: str) -> RequestValidator:
    return RequestValidator(SpecDocument(path))
