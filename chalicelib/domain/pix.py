"""Pix BR Code (EMV® QRCPS merchant-presented mode) as the Banco Central's "Manual do BR Code" and
"Manual de Padrões para Iniciação do Pix" define it: build static and dynamic payloads, read any
payload back into its fields and check its CRC.

A payload is a sequence of TLV objects: ID (2 digits) + length (2 digits) + value. The last one is
always the CRC (ID 63, length 04): CRC16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the whole
payload up to and including "6304", as 4 uppercase hex digits.
"""
import re
import unicodedata
from dataclasses import dataclass, field

from chalicelib.domain.errors import DomainError

GUI = "br.gov.bcb.pix"
CURRENCY_BRL = "986"
COUNTRY_BR = "BR"
MCC_UNSPECIFIED = "0000"
NO_TXID = "***"  # static payload without a transaction id
MAX_NAME = 25
MAX_CITY = 15
MAX_TXID = 25
MAX_KEY = 77
MAX_AMOUNT_CENTS = 9_999_999_999_99  # "ans 13": up to 13 characters such as 9999999999.99
CRC_TAG = "6304"

# Top-level IDs
PAYLOAD_FORMAT, POINT_OF_INITIATION, MERCHANT_ACCOUNT = "00", "01", "26"
MCC, CURRENCY, AMOUNT, COUNTRY, NAME, CITY, POSTAL_CODE = "52", "53", "54", "58", "59", "60", "61"
ADDITIONAL_DATA, CRC = "62", "63"
# Inside merchant account information (26)
GUI_ID, KEY_ID, INFO_ID, URL_ID = "00", "01", "02", "25"
# Inside additional data (62)
TXID_ID = "05"
DYNAMIC_ONCE = "12"
TEMPLATE_IDS = {str(i) for i in range(26, 52)} | {ADDITIONAL_DATA} | {str(i) for i in range(80, 100)}

INVALID_KEY = "invalid_key"
INVALID_AMOUNT = "invalid_amount"
INVALID_TXID = "invalid_txid"
INVALID_TEXT = "invalid_text"
MALFORMED_PAYLOAD = "malformed_payload"
_TXID = re.compile(r"[A-Za-z0-9]{1,25}")
_EVP = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PHONE = re.compile(r"\+[1-9][0-9]{7,14}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ALLOWED_TEXT = re.compile(r"[^A-Za-z0-9 .,\-/&]")


class PixError(DomainError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def crc16_ccitt_false(data: str) -> str:
    """CRC16/CCITT-FALSE as 4 uppercase hex digits; crc16_ccitt_false("123456789") == "29B1"."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def normalize_text(text: str, max_length: int) -> str:
    """Accents stripped, characters outside the safe set dropped, spaces collapsed, truncated."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = " ".join(_ALLOWED_TEXT.sub("", ascii_text).split())
    return cleaned[:max_length].rstrip()


def pix_key_type(key: str) -> str:
    """cpf, cnpj, phone, email or evp; PixError for anything else."""
    if re.fullmatch(r"[0-9]{11}", key) and _valid_cpf(key):
        return "cpf"
    if re.fullmatch(r"[0-9]{14}", key) and _valid_cnpj(key):
        return "cnpj"
    if _PHONE.fullmatch(key):
        return "phone"
    if _EVP.fullmatch(key.lower()):
        return "evp"
    if _EMAIL.fullmatch(key) and len(key) <= MAX_KEY:
        return "email"
    raise PixError(INVALID_KEY, "Chave Pix inválida: use CPF, CNPJ, e-mail, telefone (+55...) ou chave aleatória.")


def _valid_cpf(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False
    return all(_cpf_dv(digits[:n]) == int(digits[n]) for n in (9, 10))


def _cpf_dv(base: str) -> int:
    total = sum(int(d) * w for d, w in zip(base, range(len(base) + 1, 1, -1)))
    return 0 if total % 11 < 2 else 11 - total % 11


def _valid_cnpj(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False
    return all(_cnpj_dv(digits[:n]) == int(digits[n]) for n in (12, 13))


def _cnpj_dv(base: str) -> int:
    weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(base):]
    total = sum(int(d) * w for d, w in zip(base, weights))
    return 0 if total % 11 < 2 else 11 - total % 11


def build_static_pix(
    key: str,
    merchant_name: str,
    merchant_city: str,
    amount_cents: int | None = None,
    txid: str | None = None,
    description: str | None = None,
) -> str:
    """A static BR Code paying ``key``; amount and txid are optional."""
    key = (key or "").strip()
    pix_key_type(key)
    account = _tlv(GUI_ID, GUI) + _tlv(KEY_ID, key)
    room = 99 - len(account) - 4  # the merchant account template holds at most 99 characters
    description = normalize_text(description or "", room) if room > 0 else ""
    if description:
        account += _tlv(INFO_ID, description)
    # Point of initiation (01) is optional for static payloads; the BCB example leaves it out.
    return _payload(account, None, merchant_name, merchant_city, amount_cents, _static_txid(txid))


def build_dynamic_pix(
    location_url: str, merchant_name: str, merchant_city: str, amount_cents: int | None = None
) -> str:
    """A dynamic (single-use) BR Code whose charge lives at the PSP's ``location_url``."""
    location = re.sub(r"^https://", "", (location_url or "").strip())
    if not location or len(location) > 77:
        raise PixError(MALFORMED_PAYLOAD, "URL de localização do Pix dinâmico inválida (até 77 caracteres).")
    account = _tlv(GUI_ID, GUI) + _tlv(URL_ID, location)
    return _payload(account, DYNAMIC_ONCE, merchant_name, merchant_city, amount_cents, NO_TXID)


def _payload(account: str, initiation: str | None, name: str, city: str, amount_cents: int | None, txid: str) -> str:
    parts = [_tlv(PAYLOAD_FORMAT, "01")]
    if initiation:
        parts.append(_tlv(POINT_OF_INITIATION, initiation))
    parts += [_tlv(MERCHANT_ACCOUNT, account), _tlv(MCC, MCC_UNSPECIFIED), _tlv(CURRENCY, CURRENCY_BRL)]
    if amount_cents is not None:
        parts.append(_tlv(AMOUNT, format_amount(amount_cents)))
    parts += [
        _tlv(COUNTRY, COUNTRY_BR),
        _tlv(NAME, _required_text(name, MAX_NAME, "Nome do recebedor")),
        _tlv(CITY, _required_text(city, MAX_CITY, "Cidade do recebedor")),
        _tlv(ADDITIONAL_DATA, _tlv(TXID_ID, txid)),
    ]
    body = "".join(parts) + CRC_TAG
    return body + crc16_ccitt_false(body)


def format_amount(amount_cents: int) -> str:
    """Centavos to the BR Code's decimal text: 1050 -> "10.50"."""
    is_integer = isinstance(amount_cents, int) and not isinstance(amount_cents, bool)
    if not is_integer or not 0 < amount_cents <= MAX_AMOUNT_CENTS:
        raise PixError(INVALID_AMOUNT, "Valor do Pix deve ser um número inteiro positivo de centavos.")
    reais, cents = divmod(amount_cents, 100)
    return f"{reais}.{cents:02d}"


def _static_txid(txid: str | None) -> str:
    if txid is None or txid == "" or txid == NO_TXID:
        return NO_TXID
    if not _TXID.fullmatch(txid):
        raise PixError(INVALID_TXID, f"txid deve ter de 1 a {MAX_TXID} letras ou números, sem espaços nem símbolos.")
    return txid


def _required_text(text: str, max_length: int, label: str) -> str:
    normalized = normalize_text(text, max_length)
    if not normalized:
        raise PixError(INVALID_TEXT, f"{label} é obrigatório.")
    return normalized


def _tlv(tag: str, value: str) -> str:
    assert len(value) <= 99, (tag, value)  # the limits checked above keep every object within EMV's 99
    return f"{tag}{len(value):02d}{value}"


@dataclass(frozen=True)
class PixPayload:
    """A BR Code read back: its objects (templates as nested dicts), named fields, CRC check."""

    tags: dict
    crc_valid: bool
    fields: dict = field(default_factory=dict)


def parse_pix(payload: str) -> PixPayload:
    """Read any BR Code; PixError only when the TLV structure itself is broken."""
    payload = (payload or "").strip()
    tags = _read_tlv(payload, nested=True)
    crc = tags.get(CRC)
    crc_valid = (
        isinstance(crc, str)
        and payload.endswith(CRC_TAG + crc)
        and crc16_ccitt_false(payload[:-4]) == crc.upper()
    )
    return PixPayload(tags=tags, crc_valid=crc_valid, fields=_named_fields(tags))


def _read_tlv(text: str, nested: bool) -> dict:
    objects: dict = {}
    position = 0
    while position < len(text):
        header = text[position:position + 4]
        if len(header) < 4 or not header.isdigit():
            raise PixError(MALFORMED_PAYLOAD, f"BR Code malformado na posição {position + 1}.")
        tag, length = header[:2], int(header[2:])
        value = text[position + 4:position + 4 + length]
        if len(value) != length:
            raise PixError(MALFORMED_PAYLOAD, f"Campo {tag} do BR Code termina antes do tamanho declarado.")
        objects[tag] = _read_tlv(value, nested=False) if nested and tag in TEMPLATE_IDS else value
        position += 4 + length
    return objects


def _named_fields(tags: dict) -> dict:
    account = tags.get(MERCHANT_ACCOUNT) if isinstance(tags.get(MERCHANT_ACCOUNT), dict) else {}
    additional = tags.get(ADDITIONAL_DATA) if isinstance(tags.get(ADDITIONAL_DATA), dict) else {}
    amount = tags.get(AMOUNT)
    return {
        "payload_format_indicator": tags.get(PAYLOAD_FORMAT),
        "point_of_initiation_method": tags.get(POINT_OF_INITIATION),
        "gui": account.get(GUI_ID),
        "key": account.get(KEY_ID),
        "description": account.get(INFO_ID),
        "url": account.get(URL_ID),
        "merchant_category_code": tags.get(MCC),
        "transaction_currency": tags.get(CURRENCY),
        "amount": amount,
        "amount_cents": _amount_cents(amount),
        "country_code": tags.get(COUNTRY),
        "merchant_name": tags.get(NAME),
        "merchant_city": tags.get(CITY),
        "postal_code": tags.get(POSTAL_CODE),
        "txid": additional.get(TXID_ID),
        "crc": tags.get(CRC),
    }


def _amount_cents(amount: str | None) -> int | None:
    match = re.fullmatch(r"([0-9]+)(?:\.([0-9]{1,2}))?", amount or "")
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
