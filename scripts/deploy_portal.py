"""Deploy the customer portal to its stack: upload portal/dist to the portal bucket, write config.json
from the stack's outputs, invalidate what is not content-hashed (docs/portal.md, "Deploying").

The bundle is the same for every stage; only config.json differs, and it is written here, at deploy
time, never at build time:
- `apiUrl`: the stack's EndpointURL (or --api-url, for an API behind a custom domain);
- `cognito`: the PortalCognitoDomain and PortalCognitoClientId parameters of the stack, the redirect
  to `<PortalUrl>/entrar`;
- `brand`: --brand FILE (JSON: name, primaryColor, logoUrl), else the brand of the config.json already
  in the bucket (a redeploy keeps it), else portal/public/config.json's.

Order: the hashed assets first (immutable, cached a year), then every other file, then config.json and
index.html last (no-cache), so a browser never gets an index.html naming assets not uploaded yet. Old
assets stay: a tab opened before the deploy may still load them.

    .venv/bin/python -m scripts.deploy_portal --stack renova-prod [--region sa-east-1] [--dist portal/dist]
        [--brand marca.json] [--api-url https://api.example.com.br] [--no-invalidate]

Needs credentials allowed cloudformation:DescribeStacks, s3:PutObject/GetObject on the bucket and
cloudfront:CreateInvalidation on the distribution. `make portal` builds portal/dist first."""
from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "portal" / "dist"
LOCAL_CONFIG = ROOT / "portal" / "public" / "config.json"
CONFIG_KEY = "config.json"
INDEX_KEY = "index.html"
ASSETS_PREFIX = "assets/"
IMMUTABLE = "public,max-age=31536000,immutable"
REVALIDATE = "no-cache"
NEVER_CACHED = "no-store"
SCOPES = ["openid", "email", "profile"]
REQUIRED_OUTPUTS = ("PortalBucketName", "PortalDistributionId", "PortalUrl", "EndpointURL")


@dataclass(frozen=True)
class PortalStack:
    """What the deploy needs from the stack's outputs."""
    bucket: str
    distribution_id: str
    portal_url: str
    api_url: str
    cognito_domain: str
    cognito_client_id: str


def stack_outputs(cloudformation, stack_name: str) -> PortalStack:
    [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])}
    missing = [key for key in REQUIRED_OUTPUTS if not outputs.get(key)]
    if missing:
        raise SystemExit(f"deploy_portal: a stack {stack_name} não tem a saída {', '.join(missing)} "
                         "(foi implantada a partir de `make template`?)")
    return PortalStack(bucket=outputs["PortalBucketName"], distribution_id=outputs["PortalDistributionId"],
                       portal_url=outputs["PortalUrl"].rstrip("/"), api_url=outputs["EndpointURL"].rstrip("/"),
                       cognito_domain=outputs.get("PortalCognitoDomain", "").rstrip("/"),
                       cognito_client_id=outputs.get("PortalCognitoClientId", ""))


def portal_config(stack: PortalStack, brand: dict, stage: str = "prod") -> dict:
    """config.json for the deployed portal (portal/src/config.ts reads it at start-up)."""
    config = {"stage": stage, "apiUrl": stack.api_url, "brand": brand}
    if stack.cognito_domain and stack.cognito_client_id:
        config["cognito"] = {"domain": stack.cognito_domain, "clientId": stack.cognito_client_id,
                             "redirectUri": f"{stack.portal_url}/entrar", "scopes": SCOPES}
    return config


def current_brand(s3, bucket: str) -> dict | None:
    """The brand of the config.json already deployed, if any."""
    try:
        body = s3.get_object(Bucket=bucket, Key=CONFIG_KEY)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    brand = json.loads(body).get("brand")
    return brand if isinstance(brand, dict) and brand.get("name") else None


def choose_brand(s3, bucket: str, brand_file: Path | None) -> dict:
    if brand_file is not None:
        brand = json.loads(brand_file.read_text(encoding="utf-8"))
        if not isinstance(brand, dict) or not brand.get("name"):
            raise SystemExit(f"deploy_portal: {brand_file} deve ser um objeto JSON com pelo menos \"name\"")
        return brand
    return current_brand(s3, bucket) or json.loads(LOCAL_CONFIG.read_text(encoding="utf-8"))["brand"]


def _content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed in ("text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
                   "application/json", "text/plain"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def upload_order(dist: Path) -> list[tuple[Path, str]]:
    """(file, key) in upload order: hashed assets, other files, index.html last. The build's own
    config.json (the local stage's) is never uploaded."""
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    keyed = [(p, p.relative_to(dist).as_posix()) for p in files]
    keyed = [(p, key) for p, key in keyed if key != CONFIG_KEY]
    return sorted(keyed, key=lambda item: (0 if item[1].startswith(ASSETS_PREFIX) else
                                           2 if item[1] == INDEX_KEY else 1, item[1]))


def upload(s3, bucket: str, dist: Path, config: dict) -> list[str]:
    """Uploads the bundle and config.json; returns the keys written, in order."""
    if not (dist / INDEX_KEY).is_file():
        raise SystemExit(f"deploy_portal: falta {dist / INDEX_KEY}: `make portal` gera o build")
    written = []
    order = upload_order(dist)
    index = [item for item in order if item[1] == INDEX_KEY]
    for path, key in [item for item in order if item[1] != INDEX_KEY]:
        cache = IMMUTABLE if key.startswith(ASSETS_PREFIX) else REVALIDATE
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=_content_type(path),
                      CacheControl=cache)
        written.append(key)
    body = json.dumps(config, ensure_ascii=False, indent=2).encode("utf-8")
    s3.put_object(Bucket=bucket, Key=CONFIG_KEY, Body=body, ContentType="application/json; charset=utf-8",
                  CacheControl=NEVER_CACHED)
    written.append(CONFIG_KEY)
    for path, key in index:
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=_content_type(path),
                      CacheControl=REVALIDATE)
        written.append(key)
    return written


def invalidate(cloudfront, distribution_id: str) -> str:
    """What is not content-hashed: the SPA's entry (every route falls back to it) and config.json."""
    paths = ["/", f"/{INDEX_KEY}", f"/{CONFIG_KEY}"]
    answer = cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
        "Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": f"deploy-portal-{time.time_ns()}"})
    return answer["Invalidation"]["Id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publica o portal do cliente no bucket e no CloudFront da stack.")
    parser.add_argument("--stack", required=True, help="nome da stack do CloudFormation (ex.: renova-prod)")
    parser.add_argument("--region", default="sa-east-1")
    parser.add_argument("--dist", type=Path, default=DIST, help="build do portal (padrão: portal/dist)")
    parser.add_argument("--brand", type=Path, help="JSON da marca: name, primaryColor, logoUrl")
    parser.add_argument("--api-url", help="URL da API, quando diferente da EndpointURL da stack")
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--no-invalidate", action="store_true", help="não invalida o cache do CloudFront")
    args = parser.parse_args(argv)

    import boto3

    session = boto3.Session(region_name=args.region)
    stack = stack_outputs(session.client("cloudformation"), args.stack)
    if args.api_url:
        stack = PortalStack(**{**stack.__dict__, "api_url": args.api_url.rstrip("/")})
    s3 = session.client("s3")
    config = portal_config(stack, choose_brand(s3, stack.bucket, args.brand), args.stage)
    written = upload(s3, stack.bucket, args.dist, config)
    print(f"portal: {len(written)} arquivos em s3://{stack.bucket} (config.json: apiUrl {config['apiUrl']}, "
          f"Cognito {'configurado' if 'cognito' in config else 'não configurado'})")
    if not args.no_invalidate:
        # CloudFront is a global service; its API lives in us-east-1.
        invalidation = invalidate(session.client("cloudfront", region_name="us-east-1"), stack.distribution_id)
        print(f"portal: invalidação {invalidation} na distribuição {stack.distribution_id}")
    print(f"portal: {stack.portal_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
