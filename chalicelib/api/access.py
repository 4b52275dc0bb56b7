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
    OWNER = "owner"                    # owner-only actions (backups)
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
}

# Roles that see billing data inside otherwise open screens (e.g. the account itself).
BILLING_VIEWERS = _BILLING_ROLES
