"""Audit entries are built here and written by repositories in the same transaction as the change."""
from chalicelib.observability.logging import request_id_var
from chalicelib.store.audit import new_audit_item


def audit_entry(clock, account_id: str, *, actor: str, action: str, target: str,
                before: dict | None = None, after: dict | None = None, reason: str | None = None):
    return new_audit_item(
        account_id, clock.now().isoformat(), actor=actor, action=action, target=target,
        before=before, after=after, reason=reason, request_id=request_id_var.get(),
    )
