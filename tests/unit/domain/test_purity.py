"""The domain is pure: no AWS library, no I/O clients, no reading of the clock."""
import json
import re
import subprocess
import sys
from pathlib import Path

import chalicelib.domain

DOMAIN_DIR = Path(chalicelib.domain.__file__).parent
REPO_ROOT = DOMAIN_DIR.parents[1]
AWS_LIBRARIES = ("boto3", "botocore", "pynamodb", "aioboto3", "s3transfer")

_IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import chalicelib.domain as domain
names = [m.name for m in pkgutil.walk_packages(domain.__path__, "chalicelib.domain.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""


def _source_files():
    return sorted(DOMAIN_DIR.rglob("*.py"))


def test_importing_every_domain_module_loads_no_aws_library():
    result = subprocess.run([sys.executable, "-c", _IMPORT_EVERY_MODULE], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True)
    report = json.loads(result.stdout)
    assert "chalicelib.domain.proration" in report["modules"]  # really walked the package
    loaded_roots = {name.split(".")[0] for name in report["loaded"]}
    assert not loaded_roots & set(AWS_LIBRARIES)


def test_domain_source_does_not_mention_aws_libraries():
    pattern = re.compile(r"^\s*(from|import)\s+(" + "|".join(AWS_LIBRARIES) + r")\b", re.M)
    offenders = [str(path) for path in _source_files() if pattern.search(path.read_text())]
    assert offenders == []


def test_domain_never_reads_the_clock():
    """'today' and 'now' are parameters: the time-travel clock lives outside the domain."""
    pattern = re.compile(r"\b(date|datetime)\.(today|now|utcnow)\(|\btime\.time\(")
    offenders = [str(path) for path in _source_files() if pattern.search(path.read_text())]
    assert offenders == []
