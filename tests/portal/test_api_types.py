"""The portal's API types (portal/src/api/schema.d.ts) are generated from the app's OpenAPI document by
openapi-typescript (`npm run gen:api` in portal/). Here the document is written again, offline, and the
types generated into a temporary directory: any difference means the API changed and the committed
types were not regenerated. (The portal is type-checked against them by its build, `npm run build`,
which the browser tests run whenever portal/dist is older than its sources.)"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"
COMMITTED = PORTAL / "src" / "api" / "schema.d.ts"


def _bin(name: str) -> Path:
    path = PORTAL / "node_modules" / ".bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make deps-portal` (npm ci in portal/)")
    return path


def test_the_committed_api_types_match_the_openapi_document(tmp_path):
    document = tmp_path / "openapi.json"
    generated = tmp_path / "schema.d.ts"
    subprocess.run([sys.executable, str(PORTAL / "tools" / "write_openapi.py"), str(document)], check=True, cwd=ROOT)
    subprocess.run([str(_bin("openapi-typescript")), str(document), "--default-non-nullable", "false",
                    "--output", str(generated)], check=True, cwd=PORTAL, capture_output=True)
    if generated.read_text() != COMMITTED.read_text():
        kept = ROOT / "build" / "portal-schema.d.ts"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(generated, kept)
        pytest.fail("portal/src/api/schema.d.ts is out of date with the API's OpenAPI document "
                    f"(generated copy: {kept}); run `make portal-api` and commit the result")

