"""Items of an account that live outside its partitions.

An account's data lives in `ACCOUNT#<id>` (live items) and `AUDIT#<id>` (its audit trail). An item
that must be keyed by something else — a lookup by request id, by nosso número, by gateway id, an
e-mail in the local outbox — still belongs to the account: it declares so in the `gsi1` index under
`OWNED#<account_id>`, and the retention purge finds and deletes it with one Query, never a Scan.
(An item that needs gsi1 for a lookup of its own must live in the account partition instead.)
"""
OWNED_PREFIX = "OWNED#"


def owned_pk(account_id: str) -> str:
    return f"{OWNED_PREFIX}{account_id}"


def owned_by(account_id: str, pk: str, sk: str) -> dict:
    """The gsi1 attributes that mark the item (pk, sk) as belonging to the account."""
    return {"gsi1pk": owned_pk(account_id), "gsi1sk": f"{pk}|{sk}"}
