"""Request parsing: content type, size, JSON and pydantic validation, with pt-BR messages."""
import ast
import json

from pydantic import BaseModel, ValidationError

from chalicelib.api.schemas.common import FORBIDDEN_CHARACTER
from chalicelib.domain.card_numbers import contains_card_number
from chalicelib.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# pydantic error types → what a person reads. Anything else falls back to a generic message.
_MESSAGES = {
    "missing": "Campo obrigatório.",
    "extra_forbidden": "Campo não permitido.",
    "string_too_short": "Texto curto demais.",
    "string_too_long": "Texto longo demais.",
    "string_type": "Deve ser um texto.",
    "int_type": "Deve ser um número inteiro.",
    "int_parsing": "Deve ser um número inteiro.",
    "bool_type": "Deve ser verdadeiro ou falso.",
    "bool_parsing": "Deve ser verdadeiro ou falso.",
    "literal_error": "Valor não permitido.",
    "enum": "Valor não permitido.",
    "list_type": "Deve ser uma lista.",
    "dict_type": "Deve ser um objeto.",
    "model_type": "Deve ser um objeto.",
    "value_error": "Valor inválido.",
    "greater_than_equal": "Valor pequeno demais.",
    "less_than_equal": "Valor grande demais.",
    "greater_than": "Valor pequeno demais.",
    "less_than": "Valor grande demais.",
    "too_short": "Lista curta demais.",
    "too_long": "Lista longa demais.",
    "date_from_datetime_parsing": "Data inválida (use AAAA-MM-DD).",
    "date_parsing": "Data inválida (use AAAA-MM-DD).",
    "datetime_parsing": "Data e hora inválidas (use ISO 8601 com fuso).",
    "datetime_from_date_parsing": "Data e hora inválidas (use ISO 8601 com fuso).",
    "datetime_type": "Data e hora inválidas (use ISO 8601 com fuso).",
    "date_type": "Data inválida (use AAAA-MM-DD).",
    "float_type": "Deve ser um número.",
    "timezone_aware": "Informe o fuso horário.",
    "string_pattern_mismatch": "Formato inválido.",
}


def field_errors(error: ValidationError) -> list[dict]:
    fields = []
    for item in error.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        message = _MESSAGES.get(item["type"], "Valor inválido.")
        entry = {"field": name, "code": item["type"]}
        if item["type"] == "value_error":
            # Our own validators raise ValueError with a pt-BR sentence already.
            message = str(item.get("ctx", {}).get("error") or message)
        elif item["type"] == FORBIDDEN_CHARACTER:
            message = _forbidden_character_message(name, item.get("ctx", {}))
        elif item["type"] in ("literal_error", "enum"):
            allowed = _allowed_values(item.get("ctx", {}).get("expected", ""))
            if allowed is not None:  # a person fixes a closed set faster when shown the set
                entry["allowed"] = allowed
                message = f"{message} Use um destes: {', '.join(map(str, allowed))}."
        fields.append({**entry, "message": message})
    return fields


def _forbidden_character_message(name: str, ctx: dict) -> str:
    where = ("caracteres de controle (exceto quebra de linha e tabulação)" if ctx.get("multiline")
             else "quebras de linha nem caracteres de controle")
    return (f"O campo {name} não aceita {where} nem marcas invisíveis de direção do texto "
            f"(encontrado: {ctx.get('character', '?')}).")


def _allowed_values(expected: str) -> list | None:
    """pydantic writes a closed set as Python reprs, `'card', 'boleto' or 'pix'` (`8, 15 or 22`);
    read it back as a list, or None when the text is not in that form."""
    head, _, last = expected.rpartition(" or ")
    listed = f"[{head}, {last}]" if head else f"[{last}]"
    try:
        values = ast.literal_eval(listed)
    except (ValueError, SyntaxError):
        return None
    return values if values and all(isinstance(v, (str, int)) for v in values) else None


def validate_model(model: type[BaseModel], data) -> BaseModel:
    """Query strings: every value arrives as text, so numbers and booleans are parsed from it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(details={"fields": field_errors(exc)}) from exc


_CARD_NUMBER_REFUSED = ("O pedido contém algo parecido com um número de cartão. Envie só o token do gateway de "
                        "pagamento; o número do cartão nunca deve chegar a este servidor.")


def refuse_card_numbers(model: type[BaseModel], data) -> None:
    """PRODUCT.md §5: a request carrying a card number is refused, before anything can store or log
    it — in any text field of any route (found by the PAN walk: an account name, a support message
    or a billing e-mail stored one). Numbers are left alone (byte counts), and so are the fields a
    model declares in `digit_fields` (a CNPJ has 14 digits; its check digits validate it)."""
    if _text_with_card_number(model, data):
        raise ValidationFailed(_CARD_NUMBER_REFUSED, code="card_number_refused")


def _text_with_card_number(model, data) -> bool:
    if isinstance(data, str):
        return contains_card_number(data)
    if isinstance(data, list):
        return any(_text_with_card_number(model, item) for item in data)
    if not isinstance(data, dict):
        return False
    exempt = getattr(model, "digit_fields", frozenset()) if model else frozenset()
    fields = getattr(model, "model_fields", {}) if model else {}
    for key, value in data.items():
        if contains_card_number(key):
            return True
        if key in exempt:
            continue
        field = fields.get(key)
        annotation = getattr(field, "annotation", None)
        nested = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if _text_with_card_number(nested, value):
            return True
    return False


def validate_body(model: type[BaseModel], data) -> BaseModel:
    """JSON bodies: strict, as the OpenAPI document says. `"2"` is not an integer, `0` is not a
    boolean and `false` is not a number of bytes; instants are ISO 8601 text, never a Unix number.
    A documented maxLength holds for the text as sent, before surrounding whitespace is stripped."""
    too_long = list(_too_long_as_sent(model, data, ()))
    try:
        parsed = model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        fields = field_errors(exc)
        flagged = {item["field"] for item in fields}
        fields += [item for item in too_long if item["field"] not in flagged]
        raise ValidationFailed(details={"fields": fields}) from exc
    if too_long:
        raise ValidationFailed(details={"fields": too_long})
    return parsed


def _too_long_as_sent(model: type[BaseModel], data, location: tuple):
    if not isinstance(data, dict):
        return
    for name, value in data.items():
        field = model.model_fields.get(name)
        if field is None:
            continue
        if isinstance(value, str):
            limit = min((m.max_length for m in field.metadata if getattr(m, "max_length", None) is not None),
                        default=None)
            if limit is not None and len(value) > limit:
                yield {"field": ".".join(map(str, location + (name,))), "code": "string_too_long",
                       "message": _MESSAGES["string_too_long"]}
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from _too_long_as_sent(field.annotation, value, location + (name,))


def parse_json_body(headers, raw_body: bytes | None, max_bytes: int):
    raw = raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"O corpo da requisição passa do limite de {max_bytes // 1024} KB.")
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType()
    if not raw.strip():
        raise BadRequest("Envie um corpo JSON.", code="empty_body")
    return load_json(raw)


MAX_NESTING = 64  # no body of ours comes near it; webhook events nest about ten levels


def load_json(raw: bytes):
    """Decode a JSON body, or answer 400 `invalid_json`. ValueError covers more than syntax: an
    integer literal over Python's int-string conversion limit (4,300 digits) raises it from inside
    the decoder, and it must be a malformed body, not an unhandled error. A body nested deeper than
    MAX_NESTING is refused before decoding: the decoder would recurse to the interpreter's limit, and
    a finalizer the garbage collector runs down there fails with a RecursionError of its own."""
    if raw.count(b"[") + raw.count(b"{") > MAX_NESTING and _nested_deeper_than(raw, MAX_NESTING):
        raise BadRequest(f"O corpo JSON tem mais de {MAX_NESTING} níveis de aninhamento.", code="invalid_json")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadRequest("O corpo não é um JSON válido.", code="invalid_json") from exc


def _nested_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects open more than `limit` deep, brackets inside strings not counted."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False
