"""Where the benchmarks' AWS calls go, chosen once per process:

- default: moto's in-process mock (`mock_aws`) for every service;
- `--ddb-local` (or BENCH_DDB_LOCAL=1): DynamoDB on AWS's DynamoDB Local (scripts/ddb_local.py, started
  on a free 127.0.0.1 port and stopped at exit), every other service still on moto.

With BENCH_DDB_LOCAL_FILE=1 DynamoDB Local keeps its data in an SQLite file in a temporary directory
(tmpfs /dev/shm when it has room) instead of memory, removed at exit: bench/seeding/ then seeds large
tables by writing rows into that file (bench_jobs runs this way, in two processes of its own: one per
table size, see bench/job_runs.py).

`--quick` (or BENCH_QUICK=1) shrinks every benchmark's sizes for a fast smoke run.

AWS_ENDPOINT_URL is set only inside `endpoint_environment()` (bench/world.py opens it around its
world): the world's settings are read there (installing its container binds the PynamoDB models to
them), and benchmarks that start their own processes on moto (bench_purge) must not inherit DynamoDB
Local's address."""
import argparse
import atexit
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

_server = None
_db_dir: Path | None = None


def configure(ddb_local: bool = False, quick: bool = False) -> None:
    if quick:
        os.environ["BENCH_QUICK"] = "1"
    os.environ.update({
        "RENOVA_STAGE": "local",  # dev tokens (HS256) and the `_dev` routes; see world.BenchContainer
        "AWS_DEFAULT_REGION": "sa-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
    })
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    if ddb_local or os.environ.get("BENCH_DDB_LOCAL") == "1":
        _start_ddb_local()
    from bench import call_counter

    call_counter.install()  # before the app creates its first client


def _start_ddb_local() -> None:
    global _server
    if _server is not None:
        return
    global _db_dir
    from scripts.ddb_local import start

    if os.environ.get("BENCH_DDB_LOCAL_FILE") == "1":
        _db_dir = Path(tempfile.mkdtemp(prefix="renova-bench-ddb-", dir=_scratch_dir()))
    _server = start(db_path=_db_dir)
    atexit.register(_stop_ddb_local)
    os.environ["BENCH_DDB_LOCAL"] = "1"


def _stop_ddb_local() -> None:
    _server.stop()
    if _db_dir is not None:
        shutil.rmtree(_db_dir, ignore_errors=True)


def _scratch_dir() -> str | None:
    """/dev/shm when it is a tmpfs with room for 50,000 accounts (about 2.5 GB), else the default."""
    shm = "/dev/shm"
    try:
        usage = shutil.disk_usage(shm)
    except OSError:
        return None
    return shm if os.access(shm, os.W_OK) and usage.free > 6 * 2 ** 30 else None


def ddb_local_pid() -> int | None:
    """DynamoDB Local's process id when it runs (bench_jobs reads its CPU time)."""
    return _server.process.pid if _server is not None else None


def ddb_local_db() -> Path | None:
    """DynamoDB Local's SQLite file when it runs on one (BENCH_DDB_LOCAL_FILE=1), else None."""
    return _db_dir / "shared-local-instance.db" if _db_dir is not None else None


@contextmanager
def endpoint_environment():
    """AWS_ENDPOINT_URL pointing at DynamoDB Local for the block (nothing changes on moto)."""
    if _server is None:
        yield
        return
    saved = {name: os.environ.get(name) for name in ("AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")}
    os.environ["AWS_ENDPOINT_URL"] = _server.endpoint
    # Clients without an explicit endpoint (S3, SES, ...) must reach moto, not DynamoDB Local.
    os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ddb_local() -> bool:
    return _server is not None


def quick() -> bool:
    return os.environ.get("BENCH_QUICK") == "1"


def name() -> str:
    return "dynamodb-local" if ddb_local() else "moto"


def run_alone(measure, description: str, argv=None) -> int:
    """`python -m bench.<name> [--quick] [--ddb-local]`: one benchmark on its own; exit 1 on failures."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ddb-local", action="store_true")
    args = parser.parse_args(argv)
    configure(ddb_local=args.ddb_local, quick=args.quick)
    result = measure()
    print({k: v for k, v in result.items() if k != "detail"})
    return 1 if result.get("failures") else 0
