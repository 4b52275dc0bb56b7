"""The collections context: overdue steps, cancellations, the check-overdue job."""
from functools import cached_property


class CollectionsWiring:
    @cached_property
    def overdue(self):
        """`review_account(account_id)`: the overdue steps of one account (check-overdue job)."""
        from chalicelib.services.collections.overdue import OverdueService

        return OverdueService(self.billing_repository, self.invoice_reads, self.catalog, self.standing_notices,
                              self.retention, self.clock)

    @cached_property
    def cancellations(self):
        """`cancel(...)`, `reactivate(...)`, `take_effect(...)` (PRODUCT.md §8)."""
        from chalicelib.services.collections.cancellation_terms import CancellationTerms
        from chalicelib.services.collections.cancellations import CancellationService

        terms = CancellationTerms(self.catalog, self.payment_repository, self.invoice_reads)
        # A cancelled partner batch ends its licenses through the partners context, which sits above
        # collections: the service gets that one operation, not the batches service.
        return CancellationService(self.billing_repository, terms, self.invoice_reads, self.refunds, self.retention,
                                   self.standing_notices, self.catalog, self.clock,
                                   on_batch_end=self.batches.batch_ended)

    @cached_property
    def check_overdue_job(self):
        from chalicelib.services.collections.overdue_job import CheckOverdueJob

        return CheckOverdueJob(self.overdue, self.cancellations, self.batches, self.standing_notices, self.checkpoints)
