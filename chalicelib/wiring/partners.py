"""The partners context: partner batches of licenses."""
from functools import cached_property


class PartnersWiring:
    @cached_property
    def batches(self):
        from chalicelib.services.partners.batches import BatchService

        return BatchService(self.billing_repository, self.batch_repository, self.retention, self.standing_notices,
                            self.catalog, self.clock)

    @cached_property
    def client_access(self):
        from chalicelib.services.partners.clients import ClientAccess

        return ClientAccess(self.memberships, self.batch_repository, self.account_repository, self.clock)
