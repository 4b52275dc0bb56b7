"""The NFS-e libraries load when a DPS is built, signed or sent, never on import: `import app` and
importing every module of the adapter leave them out (the Lambda cold start budget, docs/performance.md)."""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HEAVY = {"nfelib", "xsdata", "lxml", "signxml", "pynfe", "cryptography", "requests", "reportlab", "segno",
         "validate_docbr", "certifi"}
MODULES = ("app", "chalicelib.adapters.service_invoices", "chalicelib.adapters.service_invoices.sefin",
           "chalicelib.adapters.service_invoices.fake_sefin", "chalicelib.adapters.service_invoices.factory",
           "chalicelib.adapters.service_invoices.municipalities", "chalicelib.adapters.pdf.danfse_pdf")


def test_importing_the_adapter_loads_none_of_its_libraries():
    probe = (f"import importlib, json, sys\nfor name in {MODULES!r}: importlib.import_module(name)\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")
    env = {**os.environ, "RENOVA_STAGE": "local", "AWS_DEFAULT_REGION": "sa-east-1"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                            check=True, timeout=60)

    assert HEAVY.isdisjoint(json.loads(result.stdout))
