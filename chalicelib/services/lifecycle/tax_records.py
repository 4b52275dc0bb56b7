"""What the purge keeps for tax law (PRODUCT.md §9): invoices, payments and NFS-e references, 5 years,
without personal data.

A tax record is an allow-list copy: only the fiscal attributes named here survive (ids, amounts,
dates, status, boleto numbers, line descriptions); everything else — billing data snapshots, names,
CPF/CNPJ, addresses, e-mails, card details, free text — is left behind with the original item.
An item type that should be kept adds its allow-list to KEPT_TYPES (docs/data-lifecycle.md)."""
from datetime import date, datetime, time, timezone

from chalicelib.domain.data_lifecycle import tax_record_kept_until
from chalicelib.store.retention import tax_pk

_LINE_FIELDS = ("line_id", "invoice_id", "description", "kind", "amount_cents", "quantity", "unit_cents",
                "subscription_id", "product_id", "period_start", "period_end", "source_invoice_id")
_BOLETO_FIELDS = ("nosso_numero", "bank_code", "barcode", "digitable_line", "due_date", "amount_cents",
                  "status")
_INVOICE_FIELDS = ("invoice_id", "id", "number", "status", "origin", "issue_date", "issued_at",
                   "issued_on", "due_date", "payment_method", "total_cents", "paid_cents", "amount_cents",
                   "credit_applied_cents", "currency", "nosso_numero", "barcode", "digitable_line",
                   "paid_at", "created_at", "superseded_by", "boleto_due_date", "boleto_amount_cents")
# The NFS-e itself (signed XML, DANFSe) names the taker and goes with the account's files; the national
# data environment (ADN) keeps it, and its access key, kept here, finds it there.
_SERVICE_INVOICE_FIELDS = ("invoice_id", "status", "number", "access_key", "issued_at", "dps_id", "dps_series",
                           "dps_number", "paid_on", "service_cents", "discount_cents", "kept_cents",
                           "replaced_keys", "cancelled_at")
_PAYMENT_FIELDS = ("payment_id", "id", "invoice_id", "amount_cents", "fee_cents", "refunded_cents",
                   "currency", "method", "source", "status", "paid_at", "credited_on", "gateway",
                   "gateway_payment_id", "nosso_numero", "created_at")

# type → (top-level allow-list, nested maps/lists and their allow-lists)
KEPT_TYPES: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    # `documents`: every boleto issued for the invoice (services/invoicing/records.py).
    "invoice": (_INVOICE_FIELDS, {"lines": _LINE_FIELDS, "boleto": _BOLETO_FIELDS, "documents": _BOLETO_FIELDS}),
    "invoice_line": (_LINE_FIELDS, {}),
    "payment": (_PAYMENT_FIELDS, {}),
    "service_invoice": (_SERVICE_INVOICE_FIELDS, {}),
}
# The date a record's legal term counts from, first present wins.
_DATE_FIELDS = ("paid_at", "issue_date", "issued_at", "issued_on", "paid_on", "due_date", "created_at")


def _pick(values: dict, fields: tuple[str, ...]) -> dict:
    return {name: values[name] for name in fields if values.get(name) not in (None, "")}


def _nested(value, fields: tuple[str, ...]):
    if isinstance(value, dict):
        return _pick(value, fields)
    if isinstance(value, list):
        return [_pick(entry, fields) for entry in value if isinstance(entry, dict)]
    return None


def document_date(item: dict, fallback: date) -> date:
    for name in _DATE_FIELDS:
        raw = item.get(name)
        if not raw:
            continue
        try:
            return date.fromisoformat(str(raw)[:10])
        except ValueError:
            continue
    return fallback


def tax_record(item: dict, account_id: str, today: date) -> dict | None:
    """The anonymised copy to keep, or None when the item is not a tax record or its term is over."""
    kept = KEPT_TYPES.get(str(item.get("type")))
    if kept is None:
        return None
    top_fields, nested_fields = kept
    issued = document_date(item, today)
    kept_until = tax_record_kept_until(issued)
    if kept_until <= today:
        return None
    data = _pick(item, top_fields)
    for name, fields in nested_fields.items():
        if item.get(name) is not None:
            data[name] = _nested(item[name], fields)
    expires = datetime.combine(kept_until, time(0), tzinfo=timezone.utc)
    return {
        "pk": tax_pk(account_id), "sk": item["sk"], "type": "tax_record", "account_id": account_id,
        "record_type": item["type"], "document_date": issued.isoformat(),
        "kept_until": kept_until.isoformat(), "data": data,
        "expires_at": int(expires.timestamp()),  # the table's TTL removes it when the term ends
    }
