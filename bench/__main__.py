"""`make bench`: run every benchmark, print one table and write it as JSON under bench/results/.

Each benchmark module exposes `measure() -> dict`; a figure with a `target` key is checked, and a
missed target makes the run exit non-zero, as does a non-empty `failures` list (a Scan, a call budget
over its target). `--ddb-local` runs DynamoDB on AWS's DynamoDB Local, `--quick` shrinks every size
(bench/backend.py); a result's `detail` goes to the JSON file only."""
import argparse
import importlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = (
    ("cold import (app vs boto3)", "bench.cold_import"),
    ("boleto lines and PDFs", "bench.bench_boleto"),
    ("purge: DynamoDB calls, 1,000-item account", "bench.bench_purge"),
    ("routes: DynamoDB calls per request", "bench.bench_routes"),
    ("jobs: calls per item, 5x accounts", "bench.bench_jobs"),
    ("settlement: calls and latency per webhook", "bench.bench_settlement"),
    ("invoicing: calls per invoice, 5x accounts", "bench.bench_invoicing"),
    ("cost: 10,000 subscriptions a month", "bench.cost"),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ddb-local", action="store_true", help="DynamoDB on AWS DynamoDB Local, not moto")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args(argv)
    from bench import backend

    backend.configure(ddb_local=args.ddb_local, quick=args.quick)  # before anything imports chalicelib
    rows, failed = {}, []
    for title, module_name in BENCHMARKS:
        started = time.perf_counter()
        result = importlib.import_module(module_name).measure()
        result["seconds"] = round(time.perf_counter() - started, 1)
        rows[title] = result
        if "target" in result and "ratio" in result and result["ratio"] > result["target"]:
            failed.append(title)
        elif result.get("failures"):
            failed.append(title)
    width = max(len(title) for title in rows)
    for title, result in rows.items():
        figures = "  ".join(f"{key}={value}" for key, value in result.items() if key != "detail")
        print(f"{title:<{width}}  {figures}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    if failed:
        print(f"targets missed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
