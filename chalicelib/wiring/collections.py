"""The collections context: overdue steps, cancellations, the check-overdue job."""
from functools import cached_property


class CollectionsWiring:
    @cached_property
    def overdue(self):
        """`review_account(account_id)`: the overdue steps of one account (check-overdue job)."""
        from chalicelib.services.collections.overdue import OverdueService

        return OverdueService(self.billing_repository, self.invoice_reads, self.catalog, self.standing_notices,
                              self.retention, self.clock,
                              on_cancelled=lambda *args: self.pix_automatico.end_with_subscription(*args))

    @cached_property
    def cancellations(self):
        """`cancel(...)`, `reactivate(...)` (PRODUCT.md §8)."""
        from chalicelib.services.collections.cancellation_terms import CancellationTerms
        from chalicelib.services.collections.cancellations import CancellationService

        terms = CancellationTerms(self.catalog, self.payment_repository, self.invoice_reads)
        return CancellationService(self.billing_repository, terms, self.invoice_reads, self.withdrawals,
                                   self.standing_notices, self.catalog, self.clock,
                                   on_cancelled=lambda *args: self.pix_automatico.end_with_subscription(*args))

    @cached_property
    def withdrawals(self):
        """A cancellation within the withdrawal window: the payment refunded, the subscription ended at once."""
        from chalicelib.services.collections.withdrawals import Withdrawals

        return Withdrawals(self.billing_repository, self.invoice_reads, self.refunds, self.cancellation_endings,
                           self.catalog, self.clock)

    @cached_property
    def cancellation_endings(self):
        """`take_effect(...)` (check-overdue job): a subscription ended by its cancellation."""
        from chalicelib.services.collections.cancellation_endings import CancellationEndings

        # A cancelled partner batch ends its licenses through the partners context, which sits above
        # collections: the endings get that one operation, not the partners' service.
        return CancellationEndings(self.billing_repository, self.retention, self.standing_notices, self.catalog,
                                   self.clock, on_batch_end=self.license_exits.batch_ended,
                                   on_cancelled=lambda *args: self.pix_automatico.end_with_subscription(*args))

    @cached_property
    def check_overdue_job(self):
        from chalicelib.services.collections.overdue_job import CheckOverdueJob

        return CheckOverdueJob(self.overdue, self.cancellation_endings, self.license_exits, self.standing_notices,
                               self.checkpoints, self.review_repository)
