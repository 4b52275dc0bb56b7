"""Audit trail: who changed what, when and why, in the account's item collection."""
import uuid

from pynamodb.attributes import MapAttribute, UnicodeAttribute

from chalicelib.store.base import BillingItem, account_pk


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


def new_audit_item(account_id: str, at: str, **fields) -> AuditItem:
    audit_id = uuid.uuid4().hex
    return AuditItem(
        pk=account_pk(account_id), sk=f"AUDIT#{at}#{audit_id}", account_id=account_id,
        audit_id=audit_id, at=at, **fields,
    )


class AuditRepository:
    def list(self, account_id: str, limit: int, after_sk: str | None = None) -> tuple[list[AuditItem], str | None]:
        kwargs = {"scan_index_forward": False, "limit": limit}
        if after_sk:
            kwargs["last_evaluated_key"] = {"pk": {"S": account_pk(account_id)}, "sk": {"S": after_sk}}
        result = AuditItem.query(account_pk(account_id), AuditItem.sk.startswith("AUDIT#"), **kwargs)
        items = list(result)
        last = result.last_evaluated_key
        return items, (last["sk"]["S"] if last else None)
