"""Writes the API's OpenAPI document, the same one `GET /v1/openapi.json` serves, to a file, offline
(no server, no AWS): `python portal/tools/write_openapi.py OUT.json`. `npm run gen:api` runs it and
then openapi-typescript; tests/portal/test_api_types.py does the same into a temporary directory and
fails when the committed src/api/schema.d.ts differs."""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def openapi_document() -> dict:
    os.environ.setdefault("RENOVA_STAGE", "local")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import app  # noqa: F401 — registers every route
    from chalicelib.api.openapi import build_openapi
    from chalicelib.api.routing import ENDPOINTS
    from chalicelib.wiring import container

    return build_openapi(ENDPOINTS, container().catalog.version)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("uso: write_openapi.py ARQUIVO.json", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(openapi_document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
