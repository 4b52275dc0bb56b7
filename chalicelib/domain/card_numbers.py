"""What looks like a payment card number (PAN): 13 to 19 digits, possibly grouped by spaces or
dashes. Renova stores only a gateway token; a request carrying anything like a PAN is refused and
the digits are never logged or stored (PRODUCT.md §5). No Luhn check on purpose: refusing a
look-alike costs a retry, letting a real number through costs a PCI incident."""
import re

CARD_NUMBER_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def contains_card_number(value) -> bool:
    """True when any string, number or key anywhere inside a decoded JSON value looks like a PAN."""
    if isinstance(value, dict):
        return any(contains_card_number(key) or contains_card_number(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_card_number(item) for item in value)
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, str)):
        return bool(CARD_NUMBER_LIKE.search(str(value)))
    return False
