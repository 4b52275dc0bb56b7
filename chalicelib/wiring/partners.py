"""The partners context: partner batches of licenses."""
from functools import cached_property


class PartnersWiring:
    @cached_property
    def batches(self):
        from chalicelib.services.partners.batches import BatchService

        return BatchService(self.billing_repository, self.batch_repository, self.retention, self.standing_notices,
                            self.catalog, self.clock)
