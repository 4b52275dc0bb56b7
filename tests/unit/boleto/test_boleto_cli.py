"""`python -m chalicelib.cli boleto build|parse` as API.md's "Command line" section specifies."""
import json
import subprocess
import sys

import pytest

from chalicelib.cli.__main__ import main
from tests.unit.boleto.independent import REPO


def run(capsys, *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_build_prints_the_four_values(capsys):
    code, out = run(
        capsys, "boleto", "build", "--bank", "341", "--agency", "0057", "--account", "12345", "--wallet", "110",
        "--agreement", "", "--nosso-numero", "12345678", "--due", "2026-12-21", "--amount-cents", "12345",
    )

    assert code == 0
    assert out == {
        "barcode": "34196166700000123451101234567880057123457000",
        "digitable_line": "34191101213456788005871234570001616670000012345",
        "formatted_line": "34191.10121 34567.880058 71234.570001 6 16670000012345",
        "nosso_numero": "110/12345678-8",
    }


@pytest.mark.parametrize("bank, extra, nosso_numero", [
    ("001", ["--agency", "1606", "--account", "06809350", "--wallet", "17", "--agreement", "1234567"], "42"),
    ("033", ["--wallet", "101", "--agreement", "0282033"], "566612457800"),
    ("104", ["--agreement", "005507"], "14222333777777777"),
    ("237", ["--agency", "0031", "--account", "0095279", "--wallet", "09"], "00000000002"),
])
def test_build_then_parse_through_the_cli(capsys, bank, extra, nosso_numero):
    _, built = run(capsys, "boleto", "build", "--bank", bank, *extra, "--nosso-numero", nosso_numero,
                   "--due", "2027-05-10", "--amount-cents", "99990")

    code, parsed = run(capsys, "boleto", "parse", built["formatted_line"], "--today", "2027-01-01")

    assert code == 0
    assert parsed == {
        "valid": True, "bank_code": bank, "amount_cents": 99990, "due_date": "2027-05-10",
        "barcode": built["barcode"], "digitable_line": built["digitable_line"],
    }


def test_parse_accepts_the_line_split_in_arguments(capsys):
    code, out = run(capsys, "boleto", "parse", "34191.10121", "34567.880058", "71234.570001", "6",
                    "16670000012345", "--today", "2002-04-01")
    assert code == 0
    assert out["due_date"] == "2002-05-01"


def test_invalid_line_exits_1_with_valid_false(capsys):
    code, out = run(capsys, "boleto", "parse", "34191.10121 34567.880059 71234.570001 6 16670000012345")
    assert code == 1
    assert out["valid"] is False
    assert out["code"] == "field_2_check_digit"
    assert "campo 2" in out["error"]


def test_invalid_build_exits_1_with_error(capsys):
    code, out = run(capsys, "boleto", "build", "--bank", "001", "--agreement", "12345", "--wallet", "17",
                    "--nosso-numero", "1", "--due", "2027-01-01", "--amount-cents", "100")
    assert code == 1
    assert out == {"error": "Convênio do Banco do Brasil deve ter 4, 6, 7 ou 8 dígitos.", "code": "invalid_field"}


def test_as_a_process():
    result = subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", "boleto", "parse", "846700000017435900240209024050002435842210108119"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["valid"] is False and out["code"] == "arrecadacao_not_supported"
