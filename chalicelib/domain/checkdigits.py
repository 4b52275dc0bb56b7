"""Check-digit arithmetic shared by the FEBRABAN layout and the banks' own rules.

Every weighted sum here walks the digits from the right, the way all the manuals describe it.
"""
from itertools import cycle


def weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    """Sum of digit × weight, the rightmost digit taking weights[0], the sequence repeating."""
    return sum(int(d) * w for d, w in zip(reversed(digits), cycle(weights)))


def mod10(digits: str) -> int:
    """Módulo 10 (weights 2,1,2,1… from the right; products above 9 have their digits added).

    Used for the three field check digits of the linha digitável and Itaú's DACs."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product  # 18 -> 1+8 == 18-9
    return (10 - total % 10) % 10


WEIGHTS_2_TO_9 = (2, 3, 4, 5, 6, 7, 8, 9)


def mod11_general(digits: str) -> int:
    """The barcode's general check digit (position 5) over the other 43 digits.

    11 - (sum mod 11) with weights 2..9; results 0, 10 and 11 become 1, since 0 in position 5
    would mean "no check digit"."""
    result = 11 - weighted_sum(digits, WEIGHTS_2_TO_9) % 11
    return 1 if result in (0, 10, 11) else result


def mod11_zero_when_above_9(digits: str) -> int:
    """11 - (sum mod 11), weights 2..9, results 10 and 11 become 0 (Caixa, Santander)."""
    result = 11 - weighted_sum(digits, WEIGHTS_2_TO_9) % 11
    return 0 if result > 9 else result
