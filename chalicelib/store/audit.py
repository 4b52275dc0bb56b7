"""Audit trail: who changed what, when and why. Entries live in a partition of their own per account
(AUDIT#<account>), so reading an account's live items never pages through its history."""
import uuid

from pynamodb.attributes import MapAttribute, UnicodeAttribute

from chalicelib.store.base import BillingItem, query_page


class AuditItem(BillingItem, discriminator="audit"):
    account_id = UnicodeAttribute()
    audit_id = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    before = MapAttribute(null=True)
    after = MapAttribute(null=True)
    request_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)


def audit_pk(account_id: str) -> str:
    return f"AUDIT#{account_id}"


def new_audit_item(account_id: str, at: str, **fields) -> AuditItem:
    audit_id = uuid.uuid4().hex
    return AuditItem(
        pk=audit_pk(account_id), sk=f"{at}#{audit_id}", account_id=account_id,
        audit_id=audit_id, at=at, **fields,
    )


class AuditRepository:
    def list(self, account_id: str, limit: int, after_sk: str | None = None) -> tuple[list[AuditItem], str | None]:
        return query_page(AuditItem, audit_pk(account_id), None, limit, after_sk, newest_first=True)
