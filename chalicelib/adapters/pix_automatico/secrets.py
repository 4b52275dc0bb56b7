"""The PSP's credentials kept in AWS Secrets Manager: one JSON secret with `client_id`,
`client_secret`, `certificate_pem`, `private_key_pem` and optionally `ca_pem`. The PEMs are written
to files readable only by this process's user (requests takes certificate paths), once per process."""
import json
import os
import tempfile
from functools import lru_cache


@lru_cache(maxsize=4)
def _files(certificate_pem: str, private_key_pem: str, ca_pem: str | None) -> tuple[str, str, str | None]:
    folder = tempfile.mkdtemp(prefix="pix-psp-")
    os.chmod(folder, 0o700)

    def write(name: str, content: str) -> str:
        path = os.path.join(folder, name)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content)
        return path

    return (write("client.pem", certificate_pem), write("client.key", private_key_pem),
            write("ca.pem", ca_pem) if ca_pem else None)


def credentials_from_secret(client, secret_id: str) -> dict:
    secret = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    cert_file, key_file, ca_file = _files(secret["certificate_pem"], secret["private_key_pem"], secret.get("ca_pem"))
    fields = {"client_id": secret["client_id"], "client_secret": secret["client_secret"],
              "cert_file": cert_file, "key_file": key_file}
    if ca_file:
        fields["ca_file"] = ca_file
    return fields
