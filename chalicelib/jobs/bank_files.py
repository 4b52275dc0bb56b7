"""Bank files: `register-boletos` writes the day's CNAB 240 remittance (20:00 São Paulo, after the
day's boletos), and a return file landing in the bucket under BANK_RETURNS_PREFIX is imported.

The landing is an S3 "Object Created" event delivered through EventBridge (the bucket sends its
events there, infra/build_resources.py): Chalice cannot package `on_s3_event` into a CloudFormation
template (an existing bucket's notifications are not a resource), while `on_cw_event` packages as a
plain rule. `import_landed_files` also reads the classic S3 notification shape (`Records`)."""
from urllib.parse import unquote_plus

from chalice import Blueprint

from chalicelib.jobs.registry import register_job
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.settings import get_settings
from chalicelib.wiring import container

bp = Blueprint(__name__)
_log = get_logger("jobs")
_settings = get_settings()


@register_job("register-boletos")
def register_boletos(services, business_date):
    return services.remittances.run_due(business_date).as_dict()


def landed_keys(event: dict, bucket: str, prefix: str) -> list[str]:
    """Object keys under `prefix` of `bucket`, from an EventBridge S3 event or an S3 notification."""
    if "Records" in event:
        found = [(r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"])) for r in event["Records"]]
    else:
        detail = event.get("detail") or {}
        found = [((detail.get("bucket") or {}).get("name"), (detail.get("object") or {}).get("key"))]
    return [key for name, key in found if name == bucket and key and key.startswith(prefix)]


def import_landed_files(event: dict) -> list[dict]:
    services = container()
    summaries = []
    for key in landed_keys(event, services.settings.files_bucket, services.settings.bank_returns_prefix):
        summary = services.bank_returns.import_object(key)
        summaries.append({"key": key, "imported": summary is not None,
                          "settled": summary.settled if summary else 0})
        log_event(_log, "bank return landed", key=key, imported=summary is not None)
    return summaries


@bp.on_cw_event({"source": ["aws.s3"], "detail-type": ["Object Created"],
                 "detail": {"bucket": {"name": [_settings.files_bucket]},
                            "object": {"key": [{"prefix": _settings.bank_returns_prefix}]}}},
                name="bank-return-landed")
def bank_return_landed(event):
    return import_landed_files(event.to_dict())
