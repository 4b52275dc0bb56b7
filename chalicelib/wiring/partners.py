"""The partners context: partner batches of licenses."""
from functools import cached_property


class PartnersWiring:
    @cached_property
    def batches(self):
        """`view(...)`, `assign(...)`, `substitute(...)`: a batch's licenses and the clients who get them."""
        from chalicelib.services.partners.batches import BatchService

        return BatchService(self.billing_repository, self.batch_repository, self.retention, self.standing_notices,
                            self.catalog, self.clock)

    @cached_property
    def license_exits(self):
        """`transfer(...)`, `cancel(...)`, `release(...)` (check-overdue job), `batch_ended(...)`."""
        from chalicelib.services.partners.license_exits import LicenseExits

        return LicenseExits(self.billing_repository, self.batch_repository, self.retention, self.catalog, self.clock)

    @cached_property
    def client_access(self):
        from chalicelib.services.partners.clients import ClientAccess

        return ClientAccess(self.memberships, self.batch_repository, self.account_repository, self.clock)
