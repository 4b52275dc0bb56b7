"""``python -m chalicelib.cli cnab parse FILE``, run as support would run it."""
import json
import subprocess
import sys
from pathlib import Path

from .conftest import REPO_ROOT, replace_at


def run_cli(*args: str) -> tuple[int, dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert completed.stderr == ""
    return completed.returncode, json.loads(completed.stdout)


def test_parse_prints_the_records_as_json(reference_cnab: Path):
    code, output = run_cli("cnab", "parse", str(reference_cnab / "CNAB240.RET"))

    assert code == 0
    assert (output["layout"], output["bank_code"]) == (240, "001")
    assert len(output["records"]) == 35
    first = output["records"][0]
    assert {key: first[key] for key in ("nosso_numero", "movement", "amount_cents", "paid_cents", "fee_cents",
                                        "occurred_on", "credited_on")} == {
        "nosso_numero": "14499570000020673", "movement": "17", "amount_cents": 34400, "paid_cents": 34400,
        "fee_cents": 103, "occurred_on": "2011-12-29", "credited_on": "2012-01-02",
    }
    assert (first["net_cents"], first["movement_kind"], first["line"]) == (34297, "settled", 3)


def test_parse_cnab400_has_null_dates_where_the_bank_sends_none(reference_cnab: Path):
    code, output = run_cli("cnab", "parse", str(reference_cnab / "CNAB400BRADESCO.RET"))

    assert code == 0
    assert (output["layout"], output["bank_code"]) == (400, "237")
    assert output["records"][0]["nosso_numero"] == "000000000303"
    assert output["records"][1]["credited_on"] is None


def test_invalid_file_exits_1_with_the_line(corrupted_copy):
    path = corrupted_copy("CNAB400ITAU.RET", 7, lambda text: replace_at(text, 255, "X"))

    code, output = run_cli("cnab", "parse", str(path))

    assert code == 1
    assert output["line"] == 7
    assert "valor principal" in output["error"]


def test_missing_file_exits_1(tmp_path: Path):
    code, output = run_cli("cnab", "parse", str(tmp_path / "nada.RET"))

    assert code == 1
    assert "arquivo não encontrado" in output["error"]
