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
(chalicelib/api/cors.py: one OPTIONS route per path).

The customer portal (portal/, docs/portal.md) is served from a private bucket through CloudFront with
origin access control: only the distribution reads the bucket, every answer goes out over HTTPS, and
S3's 403/404 for a path the SPA routes itself (`/contas/...`) becomes index.html with status 200.
The bundle is the same for every stage: scripts/deploy_portal.py uploads it and writes `config.json`
from this stack's outputs (the API URL, the Cognito domain and app client, the portal's URL)."""
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


# CloudFront's managed policies (the same ids in every account): caching by the origin's Cache-Control
# with gzip and brotli, and the security headers (HSTS, nosniff, frame options, referrer policy).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
PORTAL_ORIGIN = "portal-bucket"
HAS_PORTAL_DOMAIN = "HasPortalDomain"

PORTAL_PARAMETERS = {
    "PortalDomainName": {
        "Type": "String", "Default": "",
        "Description": "Domínio do portal (ex.: portal.example.com.br); vazio: o domínio *.cloudfront.net.",
    },
    "PortalCertificateArn": {
        "Type": "String", "Default": "",
        "Description": "Certificado do ACM em us-east-1 para PortalDomainName (sem ele, o domínio é ignorado).",
    },
    "PortalCognitoDomain": {
        "Type": "String", "Default": "",
        "Description": "Domínio do Hosted UI do Cognito (https://<prefixo>.auth.<região>.amazoncognito.com).",
    },
    "PortalCognitoClientId": {
        "Type": "String", "Default": "",
        "Description": "App client do Cognito do portal (público, sem segredo, fluxo authorization code + PKCE).",
    },
}


def _portal_bucket() -> dict:
    """Private: no public access, no ACLs; CloudFront reads it through origin access control."""
    return {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True,
                "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        },
    }


def _portal_bucket_policy() -> dict:
    """Reads by this distribution only (origin access control signs them), and never over plain HTTP."""
    objects = {"Fn::Sub": "${PortalBucket.Arn}/*"}
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "PortalBucket"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "CloudFrontReads", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                 "Action": "s3:GetObject", "Resource": objects,
                 "Condition": {"StringEquals": {"AWS:SourceArn": {
                     "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PortalDistribution}"}}}},
                {"Sid": "HttpsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": [{"Fn::GetAtt": ["PortalBucket", "Arn"]}, objects],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]},
        },
    }


def _portal_distribution() -> dict:
    """HTTPS only (HTTP is redirected, HSTS from the security headers); the SPA fallback maps S3's 403
    (a key that does not exist: the bucket does not grant ListBucket) and 404 to /index.html, 200."""
    spa_fallback = [{"ErrorCode": code, "ResponseCode": 200, "ResponsePagePath": "/index.html",
                     "ErrorCachingMinTTL": 0} for code in (403, 404)]
    with_domain = {"Ref": "AWS::NoValue"}
    return {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {"DistributionConfig": {
            "Enabled": True,
            "Comment": {"Fn::Sub": "Portal do cliente (${AWS::StackName})"},
            "DefaultRootObject": "index.html",
            "HttpVersion": "http2and3",
            "IPV6Enabled": True,
            "PriceClass": "PriceClass_All",  # South America's edge locations are in no cheaper class
            "Aliases": {"Fn::If": [HAS_PORTAL_DOMAIN, [{"Ref": "PortalDomainName"}], with_domain]},
            "ViewerCertificate": {"Fn::If": [
                HAS_PORTAL_DOMAIN,
                {"AcmCertificateArn": {"Ref": "PortalCertificateArn"}, "SslSupportMethod": "sni-only",
                 "MinimumProtocolVersion": "TLSv1.2_2021"},
                {"CloudFrontDefaultCertificate": True}]},
            "Origins": [{
                "Id": PORTAL_ORIGIN,
                "DomainName": {"Fn::GetAtt": ["PortalBucket", "RegionalDomainName"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": {"Fn::GetAtt": ["PortalOriginAccessControl", "Id"]},
            }],
            "DefaultCacheBehavior": {
                "TargetOriginId": PORTAL_ORIGIN,
                "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": ["GET", "HEAD"],
                "CachedMethods": ["GET", "HEAD"],
                "Compress": True,
                "CachePolicyId": CACHING_OPTIMIZED,
                "ResponseHeadersPolicyId": SECURITY_HEADERS,
            },
            "CustomErrorResponses": spa_fallback,
        }},
    }


def portal_template() -> dict:
    """The portal's parameters, resources and outputs (scripts/deploy_portal.py reads the outputs)."""
    portal_url = {"Fn::If": [HAS_PORTAL_DOMAIN, {"Fn::Sub": "https://${PortalDomainName}"},
                             {"Fn::Sub": "https://${PortalDistribution.DomainName}"}]}
    return {
        "Parameters": PORTAL_PARAMETERS,
        "Conditions": {HAS_PORTAL_DOMAIN: {"Fn::And": [
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "PortalDomainName"}, ""]}]},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "PortalCertificateArn"}, ""]}]}]}},
        "Resources": {
            "PortalBucket": _portal_bucket(),
            "PortalBucketPolicy": _portal_bucket_policy(),
            "PortalOriginAccessControl": {
                "Type": "AWS::CloudFront::OriginAccessControl",
                "Properties": {"OriginAccessControlConfig": {
                    "Name": {"Fn::Sub": "${AWS::StackName}-portal"},
                    "Description": "Portal do cliente: leitura do bucket pelo CloudFront",
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }},
            },
            "PortalDistribution": _portal_distribution(),
        },
        "Outputs": {
            "PortalBucketName": {"Description": "Bucket privado do portal", "Value": {"Ref": "PortalBucket"}},
            "PortalDistributionId": {"Description": "Distribuição do CloudFront do portal",
                                     "Value": {"Ref": "PortalDistribution"}},
            "PortalUrl": {"Description": "Endereço do portal", "Value": portal_url},
            "PortalCognitoDomain": {"Description": "Hosted UI do Cognito do portal",
                                    "Value": {"Ref": "PortalCognitoDomain"}},
            "PortalCognitoClientId": {"Description": "App client do Cognito do portal",
                                      "Value": {"Ref": "PortalCognitoClientId"}},
        },
    }


def metrics_consumer_on_bus(settings: Settings) -> dict:
    """The metrics consumer's rule listens on Renova's bus, not the default one: Chalice packages
    `on_cw_event` as a rule without EventBusName, so it is merged into that function's event."""
    return {"MetricsConsumer": {"Properties": {"Events": {"MetricsConsumerEvent": {"Properties": {
        "EventBusName": {"Ref": "EventBus"}}}}}}}


def build(settings: Settings) -> dict:
    billing, idempotency = table_definitions(settings)
    portal = portal_template()
    return {
        "Parameters": portal["Parameters"],
        "Conditions": portal["Conditions"],
        "Outputs": portal["Outputs"],
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
            **metrics_consumer_on_bus(settings),
            **gateway_responses(settings),
            **portal["Resources"],
        }
    }


if __name__ == "__main__":
    print(json.dumps(build(prod_settings()), indent=2, ensure_ascii=False))
