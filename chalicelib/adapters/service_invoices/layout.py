"""The national layout's own rules (leiaute DPS/NFS-e v1.01, SEFIN Nacional), pure: identifiers, the
access key and its check digit, how amounts and instants are written. No XML library here.

Facts and where they come from (docs/service-invoices-adapter.md lists them with the tests that pin them):

- DPS Id (TSIdDPS, `DPS[0-9]{42}`): "DPS" + issuing municipality's IBGE code (7) + federal registration
  type (1: CPF, 2: CNPJ) + federal registration (14, a CPF left-padded with zeros) + series (5) +
  DPS number (15). Anexo I (leiaute DPS/NFS-e), field infDPS/Id; rejection E0004 when it differs.
- NFS-e Id (TSIdNFSe, `NFS[0-9]{50}`): "NFS" + municipality (7) + generating environment (1: municipal
  system, 2: Sefin Nacional) + registration type (1) + registration (14) + nNFSe (13) + year and month
  of issue, YYMM (4) + random code (9) + check digit (1). The 50 digits are the access key (chave de
  acesso, TSChaveNFSe).
- The check digit is the NF-e family's modulo 11 (weights 2..9 from the right, remainders 0 and 1 give
  0); the layout names the digit without the formula, so it was checked against real keys published
  in public test data (a 2026 NFS-e of Itumbiara/GO and one of Brasília/DF).
- Pedido de registro de evento Id (TSIdPedRegEvt): "PRE" + access key (50) + event code (6).
- tpAmb: 1 produção, 2 produção restrita (the layout calls it "homologação")."""
import re
from datetime import date, datetime

NAMESPACE = "http://www.sped.fazenda.gov.br/nfse"
XMLDSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
LAYOUT_VERSION = "1.01"

PRODUCTION = "production"
RESTRICTED = "restricted"  # produção restrita: the national test environment
ENVIRONMENT_CODES = {PRODUCTION: "1", RESTRICTED: "2"}

REGISTRATION_CPF = "1"
REGISTRATION_CNPJ = "2"

GENERATOR_MUNICIPAL = "1"
GENERATOR_SEFIN_NACIONAL = "2"

CANCELLATION_EVENT = "101101"
CANCELLATION_DESCRIPTION = "Cancelamento de NFS-e"  # e101101/xDesc, the only value the XSD allows

# The public consultation page the DANFSe's QR code opens (NT SE/CGNFS-e 008, local DANFSe).
CONSULTATION_URL = "https://www.nfse.gov.br/ConsultaPublica/?tpc=1&chave="

_DIGITS = re.compile(r"[0-9]+")
_ACCESS_KEY = re.compile(r"[0-9]{50}")


def environment_code(environment: str) -> str:
    """tpAmb for NFSE_ENVIRONMENT: production -> 1, restricted (produção restrita) -> 2."""
    try:
        return ENVIRONMENT_CODES[environment]
    except KeyError:
        raise ValueError(f"unknown NFS-e environment {environment!r}: use "
                         f"{' or '.join(ENVIRONMENT_CODES)}") from None


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def registration_type(document: str) -> str:
    """1 for an 11-digit CPF, 2 for a 14-digit CNPJ (the layout's order: 1/CPF, 2/CNPJ)."""
    document = digits(document)
    if len(document) == 11:
        return REGISTRATION_CPF
    if len(document) == 14:
        return REGISTRATION_CNPJ
    raise ValueError(f"a federal registration has 11 (CPF) or 14 (CNPJ) digits, not {len(document)}")


def _fixed(value: str | int, width: int, name: str, exact: bool = False) -> str:
    text = str(value)
    if not _DIGITS.fullmatch(text) or len(text.lstrip("0") or "0") > width or (exact and len(text) != width):
        raise ValueError(f"{name} must be {'exactly' if exact else 'at most'} {width} digits, got {value!r}")
    return text.zfill(width)


def dps_id(city_code: str, document: str, series: str | int, number: int) -> str:
    """infDPS/@Id: "DPS" + cLocEmi (7) + registration type (1) + registration (14) + series (5) + nDPS (15)."""
    if not 1 <= int(number) <= 999_999_999_999_999:
        raise ValueError(f"nDPS must be 1..999999999999999, got {number!r}")
    return ("DPS" + _fixed(city_code, 7, "city code", exact=True) + registration_type(document)
            + _fixed(digits(document), 14, "federal registration") + _fixed(series, 5, "series")
            + _fixed(number, 15, "nDPS"))


def check_digit(body: str) -> str:
    """Modulo 11, weights 2..9 repeating from the rightmost digit; 11 - remainder, 0 when the
    remainder is 0 or 1."""
    if not _DIGITS.fullmatch(body):
        raise ValueError("the check digit is computed over digits only")
    total, weight = 0, 2
    for ch in reversed(body):
        total += int(ch) * weight
        weight = 2 if weight == 9 else weight + 1
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def access_key(city_code: str, document: str, nfse_number: int, issued_on: date, random_code: int,
               generator: str = GENERATOR_SEFIN_NACIONAL) -> str:
    """The 50-digit chave de acesso (infNFSe/@Id without "NFS")."""
    body = (_fixed(city_code, 7, "city code", exact=True) + _fixed(generator, 1, "ambGer") + registration_type(document)
            + _fixed(digits(document), 14, "federal registration") + _fixed(nfse_number, 13, "nNFSe")
            + issued_on.strftime("%y%m") + _fixed(random_code, 9, "random code"))
    return body + check_digit(body)


def is_access_key(key: str) -> bool:
    return bool(_ACCESS_KEY.fullmatch(key or "")) and check_digit(key[:49]) == key[49]


def parse_access_key(key: str) -> dict:
    """The access key's parts, or ValueError when it is not 50 digits with a matching check digit."""
    if not is_access_key(key):
        raise ValueError(f"not an NFS-e access key: {key!r}")
    return {"city_code": key[0:7], "generator": key[7], "registration_type": key[8],
            "registration": key[9:23], "nfse_number": int(key[23:36]), "year_month": key[36:40],
            "random_code": key[40:49], "check_digit": key[49]}


def event_request_id(key: str, event_code: str) -> str:
    """infPedReg/@Id: "PRE" + access key (50) + event code (6)."""
    return "PRE" + key + _fixed(event_code, 6, "event code")


def event_id(request_id: str, sequence: int = 1) -> str:
    """infEvento/@Id: "EVT" + the request's 56 digits + nSeqEvento (3)."""
    return "EVT" + request_id.removeprefix("PRE") + _fixed(sequence, 3, "nSeqEvento")


def money(cents: int) -> str:
    """TSDec15V2: reais with two decimals, "0.00" for zero; negative amounts pass through and the
    XSD refuses them."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def xml_datetime(instant: datetime) -> str:
    """TSDateTimeUTC: AAAA-MM-DDThh:mm:ss with its offset (-03:00), no fraction of a second."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("an instant in the layout carries its offset (e.g. -03:00)")
    return instant.replace(microsecond=0).isoformat()


def parse_xml_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())

