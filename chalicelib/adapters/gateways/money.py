"""Gateway amounts to centavos without passing through binary floating point."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def reais_to_cents(value) -> int:
    """Asaas sends reais as JSON numbers (e.g. 100.5): parse them with Decimal, never float."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
