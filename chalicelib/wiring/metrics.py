"""The metrics context: the aggregates, the event consumer, the report and the rebuild."""
from functools import cached_property


class MetricsWiring:
    @cached_property
    def metrics_repository(self):
        from chalicelib.store.metrics import MetricsRepository

        return MetricsRepository(self.boto3_client("dynamodb"), self.settings.billing_table)

    @cached_property
    def metrics_recorder(self):
        """`record(envelope)`: the event bus consumer (chalicelib/jobs/metrics.py)."""
        from chalicelib.services.metrics.recorder import MetricsRecorder

        return MetricsRecorder(self.metrics_repository)

    @cached_property
    def metrics_report(self):
        """`months(MonthRange, product_id)`: GET /v1/admin/metrics."""
        from chalicelib.services.metrics.report import MetricsReport

        return MetricsReport(self.metrics_repository, self.catalog)

    @cached_property
    def metrics_rebuild(self):
        """`run(through)`: the aggregates recomputed from the stored history (`metrics rebuild`)."""
        from chalicelib.services.metrics.rebuild import MetricsRebuild

        return MetricsRebuild(self.metrics_repository, self.catalog, self.clock)
