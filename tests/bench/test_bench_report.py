"""`make bench` writes its own report (bench/results/latest.md): the figures docs/performance.md
points to are the ones the run printed, never copied by hand."""
import io
from datetime import datetime, timezone

from bench.__main__ import _Tee, report


def test_the_report_holds_the_verdict_one_row_per_benchmark_and_every_printed_table():
    rows = {"cold import (app vs boto3)": {"ratio": 1.2, "target": 1.3, "seconds": 3.5},
            "jobs: calls per item, 5x accounts": {"failures": [], "detail": {"huge": "x" * 10_000}, "seconds": 300.0}}
    text = report(rows, [], "route  status\nGET /v1/health  200\n", datetime(2026, 12, 4, 22, 0, tzinfo=timezone.utc),
                  425.4, "python -m bench")

    assert "- wall time: 7 min 05 s" in text
    assert "exit 0: every target met" in text
    assert "| cold import (app vs boto3) | 3.5 | `ratio=1.2  target=1.3` |" in text
    assert "GET /v1/health  200" in text
    assert "x" * 100 not in text  # a result's detail goes to the JSON only


def test_a_missed_target_is_named_in_the_report():
    text = report({"cold import (app vs boto3)": {"ratio": 1.4, "target": 1.3, "seconds": 3.5}},
                  ["cold import (app vs boto3)"], "", datetime.now(timezone.utc), 61, "python -m bench")

    assert "exit 1: targets missed: cold import (app vs boto3)" in text


def test_the_tee_copies_what_reaches_the_terminal():
    terminal = io.StringIO()
    tee = _Tee(terminal)
    tee.write("table\n")

    assert terminal.getvalue() == tee.text() == "table\n"


def test_the_report_says_how_loaded_the_machine_was():
    text = report({}, [], "", datetime.now(timezone.utc), 1, "python -m bench", (0.2, 3.5))

    assert "load average 0.2 at the start, 3.5 at the end" in text
