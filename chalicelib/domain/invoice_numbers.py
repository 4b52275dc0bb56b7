"""The number people read on an invoice: the year it was issued and the account's invoice sequence,
`2026-000123`.

The sequence is the account's, across all kinds of invoice, and it never restarts: a finance team
expects one series with no repeat and no gap, and a sequence that starts over each January would
need the year boundary settled between concurrent writers (an invoice issued on 31/12 committing
after one of 01/01). So the year only helps a reader; the sequence alone identifies the invoice
within its account (`2026-000123` may be followed by `2027-000124`)."""

_WIDTH = 6  # wider sequences are printed in full, never truncated


def invoice_number(year: int, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("invoice sequences start at 1")
    return f"{year:04d}-{sequence:0{_WIDTH}d}"


def number_sequence(number: str) -> int:
    """The account sequence of a number made by invoice_number."""
    year, _, sequence = number.partition("-")
    if not (year.isdigit() and sequence.isdigit()):
        raise ValueError(f"not an invoice number: {number!r}")
    return int(sequence)
