"""What a Lambda cold start imports. The time budget (`import app` at most 1.3x `import boto3`)
is measured by bench/cold_import.py; this test keeps out the modules that blew it before,
so a stray top-level import fails `make test` instead of only a benchmark figure."""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Loaded where used (a client, a PDF, an e-mail, a token check), never by `import app`.
DEFERRED = {
    "asyncio",            # pulled in by pydantic-settings, which the app no longer uses
    "pydantic_settings",
    "dotenv",
    "boto3", "botocore", "pynamodb",
    "jwt", "cryptography",
    "jinja2", "reportlab", "segno",
    "stripe",
    "holidays",           # the bank calendar's, on the first business day asked for
    "validate_docbr",     # CPF/CNPJ check digits, at the first billing data checked
}


def test_import_app_leaves_heavy_modules_for_later():
    probe = "import json, sys, app\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    env = {**os.environ, "RENOVA_STAGE": "local", "AWS_DEFAULT_REGION": "sa-east-1"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True,
                            text=True, check=True, timeout=60)

    assert DEFERRED.isdisjoint(json.loads(result.stdout))
