"""Print the CloudFormation resources merged into `chalice package` (--merge-template): tables from
the same schema the tests and the local stack use, the files bucket (backups expire after 7 days),
the work queue with its dead-letter queue, the event bus, and API Gateway responses that answer in
our error shape with CORS headers.

API Gateway answers some requests itself, without the Lambda: an unknown path or a method the path
lacks (MISSING_AUTHENTICATION_TOKEN, whose default body repeats a Bearer token as an "incomplete
signature"), IAM refusals on /v1/internal, throttling, a body too large, a timeout. Each such type
gets a gateway response with a fixed body in our error shape (chalicelib/api/fallback.py): a template
never uses `$context.error.message`, which carries the token. A gateway response cannot check the
Origin, so it names the stage's portal origin when the stage configures exactly one (the browser
compares it with its own) and no origin otherwise; the Lambda answers every preflight itself
(chalicelib/api/cors.py: one OPTIONS route per path)."""
import json
import os
from pathlib import Path

from chalicelib.api.cors import ALLOWED_HEADERS, EXPOSED_HEADERS
from chalicelib.api.fallback import fallback_error
from chalicelib.settings import Settings
from chalicelib.store.schema import table_definitions

CHALICE_CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"
BACKUP_PREFIX = "backups/"
BACKUP_DAYS = 7


def stage_environment(stage: str) -> dict:
    """The environment variables .chalice/config.json gives the stage's Lambda functions."""
    config = json.loads(CHALICE_CONFIG.read_text())
    return dict(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))


def prod_settings() -> Settings:
    # Names only: the secrets are resolved by CloudFormation from SSM at deploy time.
    placeholders = {"AUTH_ISSUER": "x", "AUTH_JWKS_URL": "x", "CURSOR_SECRET": "x",
                    "STRIPE_WEBHOOK_SECRET": "x", "ASAAS_WEBHOOK_TOKEN": "x"}
    stage = os.environ.get("RENOVA_DEPLOY_STAGE", "prod")
    # The browser origins the stage's Lambda allows, so its gateway responses name the same ones.
    origins = stage_environment(stage).get("CORS_ORIGINS", "")
    return Settings(RENOVA_STAGE=stage, CORS_ORIGINS=origins, **placeholders)


def _table(definition: dict) -> dict:
    definition = dict(definition)
    ttl_attribute = definition.pop("TimeToLive")
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            **definition,
            "TimeToLiveSpecification": {"AttributeName": ttl_attribute, "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    }


def _bucket(name: str) -> dict:
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": name,
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True,
                "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "LifecycleConfiguration": {"Rules": [{
                "Id": "backups-expire", "Status": "Enabled", "Prefix": BACKUP_PREFIX,
                "ExpirationInDays": BACKUP_DAYS,
            }]},
            # Object events go to EventBridge, where the bank-return-landed rule picks the return
            # files (chalicelib/jobs/bank_files.py: Chalice cannot package on_s3_event).
            "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
        },
    }


# API Gateway's own answers: response type -> (logical id suffix, status whose code and message the
# body carries, status we answer with instead of the type's own, if any). Every 4xx type not named
# falls under DEFAULT_4XX, every 5xx one under DEFAULT_5XX.
GATEWAY_RESPONSES: dict[str, tuple[str, int, int | None]] = {
    "DEFAULT_4XX": ("4xx", 400, None),
    "DEFAULT_5XX": ("5xx", 500, None),
    "UNAUTHORIZED": ("Unauthorized", 401, None),
    # An unknown path, or a method the path lacks: 404 like `make run` (scripts/local_gateway.py);
    # also an /v1/internal call without an IAM signature.
    "MISSING_AUTHENTICATION_TOKEN": ("MissingToken", 404, 404),
    "RESOURCE_NOT_FOUND": ("ResourceNotFound", 404, None),
    "ACCESS_DENIED": ("AccessDenied", 403, None),
    "INVALID_SIGNATURE": ("InvalidSignature", 403, None),
    "EXPIRED_TOKEN": ("ExpiredToken", 403, None),
    "INVALID_API_KEY": ("InvalidApiKey", 403, None),
    "WAF_FILTERED": ("WafFiltered", 403, None),
    "BAD_REQUEST_BODY": ("BadRequestBody", 400, None),
    "BAD_REQUEST_PARAMETERS": ("BadRequestParameters", 400, None),
    "REQUEST_TOO_LARGE": ("RequestTooLarge", 413, None),
    "UNSUPPORTED_MEDIA_TYPE": ("UnsupportedMediaType", 415, None),
    "THROTTLED": ("Throttled", 429, None),
    "QUOTA_EXCEEDED": ("QuotaExceeded", 429, None),
    "INTEGRATION_TIMEOUT": ("IntegrationTimeout", 504, None),
    "INTEGRATION_FAILURE": ("IntegrationFailure", 502, None),
}


def _cors_parameters(settings: Settings) -> dict:
    parameters = {
        "gatewayresponse.header.Access-Control-Allow-Headers": f"'{ALLOWED_HEADERS}'",
        "gatewayresponse.header.Access-Control-Expose-Headers": f"'{EXPOSED_HEADERS}'",
        "gatewayresponse.header.Vary": "'Origin'",
    }
    origins = sorted(settings.allowed_origins)
    if len(origins) == 1:  # a gateway response cannot compare the Origin: only a single one is named
        parameters["gatewayresponse.header.Access-Control-Allow-Origin"] = f"'{origins[0]}'"
    return parameters


def _gateway_response(response_type: str, status: int, override: int | None, settings: Settings) -> dict:
    code, message = fallback_error(status)
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}, ensure_ascii=False)
    properties = {
        "RestApiId": {"Ref": "RestAPI"},
        "ResponseType": response_type,
        "ResponseParameters": _cors_parameters(settings),
        "ResponseTemplates": {"application/json": body},
    }
    if override is not None:
        properties["StatusCode"] = str(override)
    return {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": properties}


def gateway_responses(settings: Settings) -> dict:
    return {f"GatewayResponse{suffix}": _gateway_response(response_type, status, override, settings)
            for response_type, (suffix, status, override) in GATEWAY_RESPONSES.items()}


def build(settings: Settings) -> dict:
    billing, idempotency = table_definitions(settings)
    return {
        "Resources": {
            "BillingTable": _table(billing),
            "IdempotencyTable": _table(idempotency),
            "FilesBucket": _bucket(settings.files_bucket),
            "WorkDeadLetterQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": f"{settings.work_queue}-dlq", "MessageRetentionPeriod": 1209600},
            },
            "WorkQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": settings.work_queue,
                    "VisibilityTimeout": 180,
                    "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["WorkDeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": 5},
                },
            },
            "EventBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": settings.event_bus}},
            **gateway_responses(settings),
        }
    }


if __name__ == "__main__":
    print(json.dumps(build(prod_settings()), indent=2, ensure_ascii=False))
