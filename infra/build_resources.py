"""Print the CloudFormation resources merged into `chalice package` (--merge-template): tables from
the same schema the tests and the local stack use, the files bucket (backups expire after 7 days),
the work queue with its dead-letter queue, the event bus, and API Gateway responses that answer in
our error shape with CORS headers."""
import json
import os

from chalicelib.settings import Settings
from chalicelib.store.schema import table_definitions

BACKUP_PREFIX = "backups/"
BACKUP_DAYS = 7


def prod_settings() -> Settings:
    # Names only: the secrets are resolved by CloudFormation from SSM at deploy time.
    placeholders = {"AUTH_ISSUER": "x", "AUTH_JWKS_URL": "x", "CURSOR_SECRET": "x",
                    "STRIPE_WEBHOOK_SECRET": "x", "ASAAS_WEBHOOK_TOKEN": "x"}
    return Settings(RENOVA_STAGE=os.environ.get("RENOVA_DEPLOY_STAGE", "prod"), **placeholders)


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


def _gateway_response(response_type: str, code: str, message: str) -> dict:
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}, ensure_ascii=False)
    return {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": response_type,
            "ResponseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.origin",
                "gatewayresponse.header.Access-Control-Allow-Headers":
                    "'Authorization,Content-Type,Idempotency-Key'",
                "gatewayresponse.header.Vary": "'Origin'",
            },
            "ResponseTemplates": {"application/json": body},
        },
    }


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
            "GatewayResponse4xx": _gateway_response("DEFAULT_4XX", "bad_request", "Requisição inválida."),
            "GatewayResponse5xx": _gateway_response(
                "DEFAULT_5XX", "internal_error", "Erro interno. Tente novamente em instantes."),
            "GatewayResponseUnauthorized": _gateway_response(
                "UNAUTHORIZED", "unauthorized", "Autenticação necessária ou token inválido."),
            "GatewayResponseMissingToken": _gateway_response(
                "MISSING_AUTHENTICATION_TOKEN", "route_not_found", "Rota não encontrada."),
            "GatewayResponseThrottled": _gateway_response(
                "THROTTLED", "too_many_requests", "Muitas requisições; tente novamente em instantes."),
        }
    }


if __name__ == "__main__":
    print(json.dumps(build(prod_settings()), indent=2, ensure_ascii=False))
