"""The official XSDs of the national layout as nfelib ships them (nfelib/nfse/schemas/v1_0, package
NFSe-ESQUEMAS_XSD-v1.01-20260209, leiaute 1.01), compiled once per process with lxml.

`validate(xml, kind)` raises LayoutError (a ValueError) naming the first field the schema refuses, as a
path below the document's root, e.g. `infDPS/toma/end/endNac/CEP`."""
import re
from functools import lru_cache
from pathlib import Path

DPS = "DPS_v1.01.xsd"
NFSE = "NFSe_v1.01.xsd"
EVENT_REQUEST = "pedRegEvento_v1.01.xsd"
EVENT = "evento_v1.01.xsd"


class LayoutError(ValueError):
    """The XSD (or a rule of the layout checked before it) refuses a value: `field` is where."""

    def __init__(self, field: str, detail: str):
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


def schema_dir() -> Path:
    import nfelib

    return Path(nfelib.__file__).resolve().parent / "nfse" / "schemas" / "v1_0"


@lru_cache(maxsize=4)
def _schema(name: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(schema_dir() / name)))


def _field(document, path: str | None) -> str:
    """lxml's error path (`/*/*/*[9]/*[1]`) as the element names below the root
    (`infDPS/prest/CNPJ`); attributes as `element/@name`."""
    if not path:
        return "?"
    attribute = ""
    if "/@" in path:
        path, attribute = path.rsplit("/@", 1)
        attribute = "/@" + attribute
    try:
        found = document.xpath(path)
    except Exception:  # an XPath lxml itself cannot evaluate: keep it as it came
        return path
    if not found or not hasattr(found[0], "tag"):
        return path
    names = [_localname(element) for element in reversed(list(found[0].iterancestors()))]
    names.append(_localname(found[0]))
    return "/".join(names[1:] or names) + attribute


def _localname(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else str(element.tag)


_ATTRIBUTE = re.compile(r"attribute '([^']+)'")
_MISSING = re.compile(r"(Missing child element\(s\)|This element is not expected)\. Expected is (?:one of )?"
                      r"\(\s*([^)]*?)\s*\)")


def errors(xml: bytes, kind: str) -> list[tuple[str, str]]:
    """(field, message) of every schema error, empty when the document is valid."""
    from lxml import etree

    try:
        document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [("(xml)", str(exc))]
    schema = _schema(kind)
    if schema.validate(document):
        return []
    found = []
    for entry in schema.error_log:
        field = _field(document, entry.path)
        attribute = _ATTRIBUTE.search(entry.message or "")
        missing = _MISSING.search(entry.message or "")
        if attribute and "/@" not in field:
            field += "/@" + attribute.group(1)
        elif missing:
            names = [name.rsplit("}", 1)[-1] for name in missing.group(2).replace(",", " ").split()]
            expected = names[0] if len(names) == 1 else "(" + "|".join(names) + ")"
            # "Missing child element(s)" names the parent; "This element is not expected" names the
            # element found where the expected one should be.
            field = (field if missing.group(1).startswith("Missing") else field.rsplit("/", 1)[0]) + "/" + expected
        found.append((field, entry.message))
    return found


def validate(xml: bytes, kind: str) -> None:
    found = errors(xml, kind)
    if found:
        field, message = found[0]
        raise LayoutError(field, message)
