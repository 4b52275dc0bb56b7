"""Files in the S3 bucket: backups, and whatever else belongs to an account.

Every file of an account lives under `<category>/<account_id>/`, one category per kind of file, so
the purge finds them by listing a handful of prefixes. A new kind of file adds its category to
ACCOUNT_FILE_CATEGORIES (docs/data-lifecycle.md). Backups stay under `backups/`, where the bucket's
lifecycle rule (infra/build_resources.py) expires them after 7 days.
"""
from dataclasses import dataclass

BACKUPS = "backups"
ACCOUNT_FILE_CATEGORIES = (BACKUPS, "invoices", "boletos", "bank-files", "uploads")
_DELETE_BATCH = 1000  # DeleteObjects accepts at most 1,000 keys


def account_prefix(category: str, account_id: str) -> str:
    if not account_id or "/" in account_id:
        raise ValueError("account id must be a non-empty path segment")
    return f"{category}/{account_id}/"


def account_prefixes(account_id: str) -> list[str]:
    return [account_prefix(category, account_id) for category in ACCOUNT_FILE_CATEGORIES]


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_in_seconds: int


class FileStore:
    def __init__(self, s3_client, bucket: str):
        self._s3 = s3_client
        self._bucket = bucket

    def put(self, key: str, content: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, ContentType=content_type,
                            ServerSideEncryption="AES256")

    def get(self, key: str) -> bytes:
        return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)

    def download_link(self, key: str, filename: str, expires_in_seconds: int) -> DownloadLink:
        url = self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"'},
            ExpiresIn=expires_in_seconds,
        )
        return DownloadLink(url=url, expires_in_seconds=expires_in_seconds)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix`; returns how many. Safe to repeat."""
        deleted = 0
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            for start in range(0, len(keys), _DELETE_BATCH):
                batch = keys[start:start + _DELETE_BATCH]
                self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True})
                deleted += len(batch)
        return deleted
