"""The clock, the AWS adapters, the card gateway and the catalog: what every context is built on."""
from functools import cached_property, lru_cache


@lru_cache(maxsize=32)
def _client(service: str, region: str, endpoint_url: str | None):
    # Building a botocore client costs tens of milliseconds; one per service and endpoint is enough.
    import boto3
    from botocore.config import Config

    # SigV4 everywhere: presigned S3 links carry X-Amz-Expires and work in every region.
    config = Config(signature_version="s3v4") if service == "s3" else None
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, config=config)


class UnconfiguredCardGateway:
    """The card gateway of a stage without STRIPE_API_KEY: every service can be built there (a bank-slip
    settlement, a purge of an account that never saved a card) and only a real card call fails."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("set STRIPE_API_KEY to charge cards")

    save_card = charge = refund = delete_customer = _refuse


class AdaptersWiring:
    @cached_property
    def catalog(self):
        from chalicelib.catalog import load_catalog

        return load_catalog()

    def boto3_client(self, service: str):
        return _client(service, self.settings.aws_region, self.settings.aws_endpoint_url)

    @cached_property
    def clock(self):
        from chalicelib.adapters.clock import OffsetClock, SystemClock

        return OffsetClock(self.system) if self.settings.is_local else SystemClock()

    @cached_property
    def mailer(self):
        from chalicelib.adapters.email import SesMailer

        if not self.settings.is_local:
            return SesMailer(self.boto3_client("ses"), self.settings.email_sender)
        return SesMailer(self.boto3_client("ses"), self.settings.email_sender, outbox=self.system, clock=self.clock)

    @cached_property
    def events(self):
        """Domain events publisher: `container().events.publish(type, account_id, data, event_id=...)`."""
        from chalicelib.adapters.events import EventBridgePublisher, LocalDelivery

        publisher = EventBridgePublisher(self.boto3_client("events"), self.settings.event_bus, self.clock)
        if not self.settings.is_local:
            return publisher  # the bus's rules deliver (infra/build_resources.py)
        # The local bus (moto) has no Lambda targets: what its rule would deliver to the metrics
        # consumer is handed to it here, after the bus accepted the entry.
        return LocalDelivery(publisher, [lambda detail: self.metrics_recorder.record(detail)])

    @cached_property
    def files(self):
        from chalicelib.adapters.files import FileStore

        return FileStore(self.boto3_client("s3"), self.settings.files_bucket)

    @cached_property
    def work_queue(self):
        from chalicelib.adapters.work_queue import WorkQueue

        return WorkQueue(self.boto3_client("sqs"), self.settings.work_queue)

    # The card gateway's name in receipts and lookups (the local fake stands in for Stripe).
    card_gateway_name = "stripe"

    @cached_property
    def card_gateway(self):
        """FakeCardGateway in the local stage (tests set `.script`); Stripe elsewhere."""
        if self.settings.is_local:
            from chalicelib.adapters.gateways.fake import FakeCardGateway

            return FakeCardGateway()
        if not self.settings.stripe_api_key:
            return UnconfiguredCardGateway()
        from chalicelib.adapters.gateways.stripe_gateway import StripeCardGateway

        return StripeCardGateway(self.settings.stripe_api_key)
