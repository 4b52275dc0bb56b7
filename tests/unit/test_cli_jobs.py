import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chalicelib.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, env={"RENOVA_STAGE": "local", "PATH": "/usr/bin:/bin"})


def test_an_unknown_job_exits_1_with_json():
    result = cli("jobs", "run", "no-such-job", "--date", "2026-01-01")
    assert result.returncode == 1
    assert "no-such-job" in json.loads(result.stdout)["error"]


def test_an_invalid_date_exits_1_with_json():
    result = cli("jobs", "run", "issue-invoices", "--date", "2026-13-40")
    assert result.returncode == 1
    assert "data inválida" in json.loads(result.stdout)["error"]
