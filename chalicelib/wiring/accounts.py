"""The accounts context: accounts, memberships, credits."""
from functools import cached_property


class AccountsWiring:
    @cached_property
    def memberships(self):
        from chalicelib.services.accounts.memberships import MembershipService

        return MembershipService(self.account_repository)

    @cached_property
    def accounts(self):
        from chalicelib.services.accounts.accounts import AccountService

        return AccountService(self.account_repository, self.clock, self.mailer)

    @cached_property
    def credits(self):
        from chalicelib.services.accounts.credits import CreditService

        return CreditService(self.account_repository, self.credit_repository, self.clock)
