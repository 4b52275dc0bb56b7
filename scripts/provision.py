"""Create every AWS resource the app needs (tables, bucket, queue, event bus, SES sender),
idempotently, against whatever endpoint the container points at: moto in tests, the moto server
of `make run`, DynamoDB Local for the store tests."""
from chalicelib.store.schema import create_tables


def provision(services) -> None:
    settings = services.settings
    create_tables(services.boto3_client("dynamodb"), settings)
    _bucket(services.boto3_client("s3"), settings.files_bucket, settings.aws_region)
    services.boto3_client("sqs").create_queue(QueueName=settings.work_queue)
    _event_bus(services.boto3_client("events"), settings.event_bus)
    services.boto3_client("ses").verify_email_identity(EmailAddress=settings.email_sender)


def _bucket(s3, name: str, region: str) -> None:
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name not in existing:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def _event_bus(events, name: str) -> None:
    existing = {bus["Name"] for bus in events.list_event_buses().get("EventBuses", [])}
    if name not in existing:
        events.create_event_bus(Name=name)
