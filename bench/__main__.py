"""`make bench`: run every benchmark, print one table and write it as JSON under bench/results/.

Each benchmark module exposes `measure() -> dict`; a figure with a `target` key is checked, and a
missed target makes the run exit non-zero, as does a non-empty `failures` list (a Scan, a call budget
over its target). `--ddb-local` runs DynamoDB on AWS's DynamoDB Local, `--quick` shrinks every size
(bench/backend.py); a result's `detail` goes to the JSON file only.

A plain run (`make bench`) also writes everything it printed, with when, on what and how long, to
bench/results/latest.md (committed: docs/performance.md reads its figures from there); `--markdown
PATH` writes it elsewhere, and a `--quick` or `--ddb-local` run writes none unless asked."""
import argparse
import importlib
import io
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
LATEST = RESULTS / "latest.md"
BENCHMARKS = (
    ("cold import (app vs boto3)", "bench.cold_import"),
    ("boleto lines and PDFs", "bench.bench_boleto"),
    ("purge: DynamoDB calls, 1,000-item account", "bench.bench_purge"),
    ("routes: DynamoDB calls per request", "bench.bench_routes"),
    ("jobs: calls per item, 5x accounts", "bench.bench_jobs"),
    ("settlement: calls and latency per webhook", "bench.bench_settlement"),
    ("invoicing: calls per invoice, 5x accounts", "bench.bench_invoicing"),
    ("pix automático: calls per cycle charge and its settlement", "bench.bench_pix_automatico"),
    ("nfs-e: calls and time per NFS-e issued, 5x NFS-e", "bench.bench_service_invoices"),
    ("portal: JavaScript gzip, Meu Plano render and API calls", "bench.bench_portal"),
    ("metrics: calls per event consumed, 12-month report at 10,000 subscriptions", "bench.bench_metrics"),
    ("cost: 10,000 subscriptions a month", "bench.cost"),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ddb-local", action="store_true", help="DynamoDB on AWS DynamoDB Local, not moto")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--markdown", type=Path, help="write the report here (default: bench/results/latest.md, "
                                                      "for a run without --quick or --ddb-local)")
    args = parser.parse_args(argv)
    markdown = args.markdown or (None if args.quick or args.ddb_local else LATEST)
    from bench import backend

    run_started, started_at, load_before = time.perf_counter(), datetime.now(timezone.utc), os.getloadavg()[0]
    printed = _Tee(sys.stdout)
    sys.stdout = printed
    try:
        backend.configure(ddb_local=args.ddb_local, quick=args.quick)  # before anything imports chalicelib
        rows, failed = _run_all()
    finally:
        sys.stdout = printed.terminal
    seconds = time.perf_counter() - run_started
    RESULTS.mkdir(exist_ok=True)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    if markdown is not None:
        load = (load_before, os.getloadavg()[0])
        markdown.write_text(report(rows, failed, printed.text(), started_at, seconds, argv_of(args), load))
        print(f"report: {markdown}")
    if failed:
        print(f"targets missed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _run_all() -> tuple[dict, list]:
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
    return rows, failed


class _Tee(io.TextIOBase):
    """The terminal's stdout, and a copy of everything printed for the report. Benchmarks that hide
    the app's log lines swap sys.stdout for a sink meanwhile (world.quiet_app): those stay out."""

    def __init__(self, terminal):
        self.terminal, self._copy = terminal, io.StringIO()

    def write(self, text):
        self._copy.write(text)
        return self.terminal.write(text)

    def flush(self):
        self.terminal.flush()

    def isatty(self):
        return self.terminal.isatty()

    def text(self) -> str:
        return self._copy.getvalue()


def argv_of(args) -> str:
    return " ".join(["python -m bench"] + (["--quick"] if args.quick else []) + (["--ddb-local"] if args.ddb_local else []))


def report(rows: dict, failed: list, printed: str, started_at: datetime, seconds: float, command: str,
           load: tuple[float, float] | None = None) -> str:
    """The run as Markdown: when, on what (with the machine's 1-minute load average at the start and
    the end: the times are only as good as the machine was quiet), how long, the verdict, one line
    per benchmark, then every table the benchmarks printed, as printed."""
    def git(*words) -> str:
        try:
            return subprocess.run(["git", *words], cwd=RESULTS.parents[1], capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " with uncommitted changes"
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    verdict = "exit 0: every target met" if not failed else f"exit 1: targets missed: {', '.join(failed)}"
    minutes, rest = divmod(round(seconds), 60)
    lines = [
        "# `make bench`: the latest run",
        "",
        "Written by `make bench` (bench/__main__.py) at the end of its run; do not edit by hand.",
        "How to read it and how to regenerate it: docs/performance.md.",
        "",
        f"- started {started_at:%Y-%m-%d %H:%M} UTC, `{command}`, commit {commit}",
        f"- machine: {os.cpu_count()} cores, {memory_gb:.0f} GB, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
        + (f"; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end" if load else ""),
        f"- wall time: {minutes} min {rest:02d} s (the benchmarks, without `make`'s own checks)",
        f"- {verdict}",
        "",
        "| benchmark | s | figures |",
        "| --- | ---: | --- |",
    ]
    for title, result in rows.items():
        figures = "  ".join(f"{key}={value}" for key, value in result.items() if key not in ("detail", "seconds"))
        lines.append(f"| {title} | {result.get('seconds', '')} | `{figures.replace('|', '/')}` |")
    lines += ["", "## As printed", "", "```text", printed.rstrip("\n"), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
