"""scripts/deploy_portal.py against moto: the stack's outputs read, portal/dist uploaded with its cache
headers (hashed assets immutable, index.html last), config.json written from the outputs at deploy
time (never the build's own), the brand kept across deploys, and the CloudFront invalidation."""
import json

import boto3
import pytest
from moto import mock_aws

from scripts import deploy_portal

REGION = "sa-east-1"
STACK = "renova-prod"
API = "https://abc123.execute-api.sa-east-1.amazonaws.com/v1/"
COGNITO = "https://marca.auth.sa-east-1.amazoncognito.com"


def _template() -> str:
    """A stack with the outputs `make template` gives (the portal's, and chalice's EndpointURL)."""
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"DistributionId": {"Type": "String"},
                       "PortalCognitoDomain": {"Type": "String", "Default": ""},
                       "PortalCognitoClientId": {"Type": "String", "Default": ""}},
        "Resources": {"PortalBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "PortalBucketName": {"Value": {"Ref": "PortalBucket"}},
            "PortalDistributionId": {"Value": {"Ref": "DistributionId"}},
            "PortalUrl": {"Value": "https://portal.example.com.br"},
            "EndpointURL": {"Value": API},
            "PortalCognitoDomain": {"Value": {"Ref": "PortalCognitoDomain"}},
            "PortalCognitoClientId": {"Value": {"Ref": "PortalCognitoClientId"}},
        },
    })


def _distribution(cloudfront) -> str:
    origin = {"Id": "portal-bucket", "DomainName": "portal.s3.sa-east-1.amazonaws.com",
              "S3OriginConfig": {"OriginAccessIdentity": ""}}
    answer = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "test", "Comment": "portal", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "portal-bucket", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}},
    })
    return answer["Distribution"]["Id"]


@pytest.fixture
def deployed(monkeypatch):
    """A stack with its portal bucket (moto), and the clients the tests read it back with."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CLOUDFORMATION"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        distribution_id = _distribution(cloudfront)
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName=STACK, TemplateBody=_template(), Parameters=[
            {"ParameterKey": "DistributionId", "ParameterValue": distribution_id},
            {"ParameterKey": "PortalCognitoDomain", "ParameterValue": COGNITO + "/"},
            {"ParameterKey": "PortalCognitoClientId", "ParameterValue": "1example23456789"}])
        stack = deploy_portal.stack_outputs(cloudformation, STACK)
        yield stack, boto3.client("s3", region_name=REGION), cloudfront


@pytest.fixture
def dist(tmp_path):
    """A portal build as `make portal` leaves it, its config.json the local stage's."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-Ab12.js").write_text("console.log('portal')")
    (tmp_path / "assets" / "index-Cd34.css").write_text("body{}")
    (tmp_path / "index.html").write_text("<!doctype html><title>Portal</title>")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path / "config.json").write_text(json.dumps({"stage": "local", "apiUrl": "http://127.0.0.1:8000"}))
    return tmp_path


def _object(s3, bucket: str, key: str) -> dict:
    return s3.get_object(Bucket=bucket, Key=key)


def test_the_stack_outputs_name_the_bucket_the_distribution_the_api_and_cognito(deployed):
    stack, _, _ = deployed
    assert stack.api_url == API.rstrip("/")
    assert (stack.portal_url, stack.cognito_domain, stack.cognito_client_id) == (
        "https://portal.example.com.br", COGNITO, "1example23456789")
    assert stack.bucket.startswith(STACK) and stack.distribution_id


def test_upload_writes_the_bundle_with_its_cache_headers_and_config_json_from_the_outputs(deployed, dist):
    stack, s3, _ = deployed
    brand = {"name": "Sua Marca", "primaryColor": "#7a1f5c", "logoUrl": None}
    written = deploy_portal.upload(s3, stack.bucket, dist, deploy_portal.portal_config(stack, brand))
    assert written == ["assets/index-Ab12.js", "assets/index-Cd34.css", "favicon.svg", "config.json", "index.html"]
    asset = _object(s3, stack.bucket, "assets/index-Ab12.js")
    assert asset["CacheControl"] == "public,max-age=31536000,immutable"
    assert asset["ContentType"].startswith(("text/javascript", "application/javascript"))
    index = _object(s3, stack.bucket, "index.html")
    assert (index["CacheControl"], index["ContentType"]) == ("no-cache", "text/html; charset=utf-8")
    config = _object(s3, stack.bucket, "config.json")
    assert (config["CacheControl"], config["ContentType"]) == ("no-store", "application/json; charset=utf-8")
    assert json.loads(config["Body"].read()) == {  # written at deploy time: not the build's local one
        "stage": "prod", "apiUrl": API.rstrip("/"), "brand": brand,
        "cognito": {"domain": COGNITO, "clientId": "1example23456789",
                    "redirectUri": "https://portal.example.com.br/entrar",
                    "scopes": ["openid", "email", "profile"]}}


def test_a_redeploy_keeps_the_brand_unless_a_brand_file_is_given(deployed, dist, tmp_path):
    stack, s3, _ = deployed
    first = deploy_portal.choose_brand(s3, stack.bucket, None)
    assert first["name"] == "Renova"  # nothing deployed yet: portal/public/config.json's
    branded = {"name": "Sua Marca", "primaryColor": "#7a1f5c"}
    brand_file = tmp_path / "marca.json"
    brand_file.write_text(json.dumps(branded))
    assert deploy_portal.choose_brand(s3, stack.bucket, brand_file) == branded
    deploy_portal.upload(s3, stack.bucket, dist, deploy_portal.portal_config(stack, branded))
    assert deploy_portal.choose_brand(s3, stack.bucket, None) == branded
    brand_file.write_text(json.dumps({"primaryColor": "#000000"}))
    with pytest.raises(SystemExit, match="name"):
        deploy_portal.choose_brand(s3, stack.bucket, brand_file)


def test_without_cognito_outputs_config_json_has_no_cognito(deployed):
    stack, _, _ = deployed
    bare = deploy_portal.PortalStack(**{**stack.__dict__, "cognito_domain": "", "cognito_client_id": ""})
    assert "cognito" not in deploy_portal.portal_config(bare, {"name": "Renova"})


def test_main_uploads_writes_config_and_invalidates_index_and_config(deployed, dist, capsys):
    stack, s3, cloudfront = deployed
    assert deploy_portal.main(["--stack", STACK, "--region", REGION, "--dist", str(dist),
                               "--api-url", "https://api.example.com.br/"]) == 0
    config = json.loads(_object(s3, stack.bucket, "config.json")["Body"].read())
    assert config["apiUrl"] == "https://api.example.com.br"
    [invalidation] = cloudfront.list_invalidations(DistributionId=stack.distribution_id)["InvalidationList"]["Items"]
    detail = cloudfront.get_invalidation(DistributionId=stack.distribution_id, Id=invalidation["Id"])
    assert detail["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/", "/index.html", "/config.json"]
    assert "https://portal.example.com.br" in capsys.readouterr().out


def test_a_missing_build_or_a_stack_without_the_portal_outputs_stops_with_a_message(deployed, tmp_path):
    stack, s3, _ = deployed
    with pytest.raises(SystemExit, match="make portal"):
        deploy_portal.upload(s3, stack.bucket, tmp_path / "vazio", {})
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="sem-portal", TemplateBody=json.dumps({
        "Resources": {"Other": {"Type": "AWS::S3::Bucket"}}}))
    with pytest.raises(SystemExit, match="PortalBucketName"):
        deploy_portal.stack_outputs(cloudformation, "sem-portal")
