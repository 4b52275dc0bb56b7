"""Who may call what: the role matrix of PRODUCT.md §1, in one place."""
from enum import Enum

from chalicelib.domain.enums import Role


class Access(Enum):
    PUBLIC = "public"                  # no credentials (health, OpenAPI)
    USER = "user"                      # any authenticated person
    ACCOUNT_MEMBER = "account_member"  # any active member of the account in the path
    BILLING = "billing"                # billing screens and actions
    PLAN_CHANGE = "plan_change"        # changes that cost money: plan, seats, storage, cancel
    MEMBERS_MANAGE = "members_manage"  # invite, change roles, deactivate
    AUDIT = "audit"                    # the account's audit trail
    OWNER = "owner"                    # owner-only actions
    BACKUP_OWNER = "backup_owner"      # schedule and download backups: the owner, or the partner holding the license
    FINANCE_STAFF = "finance_staff"    # the vendor's finance team (token group `finance`)
    INTERNAL = "internal"              # the vendor's product, service to service
    WEBHOOK = "webhook"                # authenticated by the handler (signature or token)
    DEV = "dev"                        # local stage only

    @property
    def account_scoped(self) -> bool:
        return self in ACCOUNT_ROLES


_BILLING_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.FINANCE})
_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})

ACCOUNT_ROLES: dict[Access, frozenset[Role]] = {
    Access.ACCOUNT_MEMBER: frozenset(Role),
    Access.BILLING: _BILLING_ROLES,
    Access.PLAN_CHANGE: _MANAGERS,
    Access.MEMBERS_MANAGE: _MANAGERS,
    Access.AUDIT: _MANAGERS,
    Access.OWNER: frozenset({Role.OWNER}),
    Access.BACKUP_OWNER: frozenset({Role.OWNER}),
}

# Routes a partner may use on a client account whose license it holds in a batch (Conta Azul Mais:
# the partner makes the backup "na Conta Azul Pro do seu cliente"), with these roles in the
# partner's own account. It never becomes a member: every other route of the client stays 404.
PARTNER_ROLES: dict[Access, frozenset[Role]] = {
    Access.BACKUP_OWNER: _MANAGERS,
}

# Roles that see billing data inside otherwise open screens (e.g. the account itself).
BILLING_VIEWERS = _BILLING_ROLES
