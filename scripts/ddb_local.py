"""AWS DynamoDB Local (the jar inside the npm package amplify-dynamodb-simulator, installed by
`make deps-ddblocal` under .local/ddblocal) on 127.0.0.1: start, wait until it answers, stop.

    with dynamodb_local() as server:        # a free port, in memory; killed on exit
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint

    python -m scripts.ddb_local start [--port 8000]    # background; prints the endpoint
    python -m scripts.ddb_local stop                   # stops the one `start` left running
    python -m scripts.ddb_local status

DynamoDB Local has no host option (its Jetty server listens on every interface). When the loopback
launcher is compiled (scripts/ddblocal/LoopbackDynamoDBLocal.java, needs a JDK) it listens on
127.0.0.1 only; otherwise we run the plain jar and warn. Either way every client here talks to
http://127.0.0.1:<port>. Data lives in memory only (-inMemory) and one database serves every
credential and region (-sharedDb). Telemetry is disabled. `start(db_path=...)` keeps the data in
an SQLite file instead (the benchmarks' large tables, bench/world.py).

No java process outlives its owner: a server started by `dynamodb_local()` gets PR_SET_PDEATHSIG
(SIGKILL when the starting thread's process dies, even by SIGKILL) and is terminated in `finally`.
A server started by the `start` command is detached on purpose and recorded in a pid file.
"""
from __future__ import annotations

import argparse
import ctypes
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("DDBLOCAL_HOME", ROOT / ".local" / "ddblocal"))
EMULATOR = HOME / "package" / "emulator"
LAUNCHER_DIR = HOME / "launcher"
LAUNCHER_CLASS = "LoopbackDynamoDBLocal"
RUN_DIR = HOME / "run"
PID_FILE = RUN_DIR / "ddblocal.pid"
HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


class DynamoDBLocalError(RuntimeError):
    pass


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path
    loopback_only: bool

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self, timeout: float = 10) -> None:
        _terminate(self.process, timeout)


def installed() -> bool:
    return (EMULATOR / "DynamoDBLocal.jar").is_file()


def java_executable() -> str:
    java = os.environ.get("RENOVA_JAVA") or shutil.which("java")
    if not java:
        raise DynamoDBLocalError("java not found: run `make deps-ddblocal` (installs openjdk-17-jre-headless)")
    return java


def command(port: int, db_path: Path | None = None) -> tuple[list[str], bool]:
    """The java command line, and whether it listens on the loopback interface only. Data in memory,
    or in the SQLite file `shared-local-instance.db` of the directory `db_path` when given."""
    if not installed():
        raise DynamoDBLocalError(f"DynamoDB Local is not installed in {EMULATOR}: run `make deps-ddblocal`")
    storage = ["-dbPath", str(db_path)] if db_path is not None else ["-inMemory"]
    options = [*storage, "-sharedDb", "-disableTelemetry", "-port", str(port)]
    native = f"-Djava.library.path={EMULATOR / 'DynamoDBLocal_lib'}"
    java = java_executable()
    if (LAUNCHER_DIR / f"{LAUNCHER_CLASS}.class").is_file():
        classpath = f"{LAUNCHER_DIR}{os.pathsep}{EMULATOR / 'DynamoDBLocal.jar'}"
        return [java, native, f"-Dddblocal.host={HOST}", "-cp", classpath, LAUNCHER_CLASS, *options], True
    return [java, native, "-jar", str(EMULATOR / "DynamoDBLocal.jar"), *options], False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _die_with(parent_pid: int):
    def set_parent_death_signal() -> None:  # runs in the child between fork and exec
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)
    return set_parent_death_signal


def start(port: int | None = None, *, detach: bool = False, timeout: float = 60,
          db_path: Path | None = None) -> Server:
    """Start DynamoDB Local and return once it answers ListTables. `detach` leaves it running after
    this process exits (the `start` command); otherwise it dies with this process. `db_path`: a
    directory for its SQLite file instead of memory (bench/world.py seeds large tables there)."""
    attempts = 1 if port else 3  # a free port can be taken between probe and bind: try another
    last_error: Exception | None = None
    for _ in range(attempts):
        chosen = port or free_port()
        args, loopback_only = command(chosen, db_path)
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        log_path = RUN_DIR / f"ddblocal-{chosen}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                args, cwd=EMULATOR, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=None if detach else _die_with(os.getpid()), start_new_session=detach,
            )
        server = Server(process, chosen, log_path, loopback_only)
        try:
            wait_until_ready(server, timeout)
        except DynamoDBLocalError as exc:
            server.stop()
            last_error = exc
            continue
        if not loopback_only:
            print(f"ddb_local: no loopback launcher compiled; DynamoDB Local listens on every interface "
                  f"(port {chosen}); clients use {server.endpoint}", file=sys.stderr)
        return server
    raise last_error or DynamoDBLocalError("DynamoDB Local did not start")


def wait_until_ready(server: Server, timeout: float) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "dynamodb", endpoint_url=server.endpoint, region_name="sa-east-1",
        aws_access_key_id="local", aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise DynamoDBLocalError(f"DynamoDB Local exited with {server.process.returncode}: "
                                     f"{server.log_path.read_text(errors='replace')[-2000:]}")
        try:
            client.list_tables(Limit=1)
            return
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.2)
    raise DynamoDBLocalError(f"DynamoDB Local did not answer on {server.endpoint} within {timeout:.0f}s")


def _terminate(process: subprocess.Popen, timeout: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


@contextmanager
def dynamodb_local(port: int | None = None, timeout: float = 60):
    server = start(port, timeout=timeout)
    try:
        yield server
    finally:
        server.stop()


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) != port or fields[3] != "0A":  # 0A = LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            ip = ipaddress.ip_address(raw) if width == 4 else ipaddress.IPv6Address(raw)
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            found.add(str(ip))
    return found


# --- command line ---------------------------------------------------------------------------------

def _recorded() -> tuple[int, int] | None:
    try:
        pid, port = PID_FILE.read_text().split()
        return int(pid), int(port)
    except (OSError, ValueError):
        return None


def _is_ours(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    text = b" ".join(cmdline).decode(errors="replace")
    return "java" in text and str(EMULATOR) in text


def _cli_start(port: int | None) -> int:
    recorded = _recorded()
    if recorded and _is_ours(recorded[0]):
        print(f"already running: pid {recorded[0]}, AWS_ENDPOINT_URL=http://{HOST}:{recorded[1]}")
        return 0
    server = start(port or 8000, detach=True)
    PID_FILE.write_text(f"{server.process.pid} {server.port}\n")
    scope = "127.0.0.1 only" if server.loopback_only else "every interface"
    print(f"DynamoDB Local running: pid {server.process.pid}, listening on {scope}")
    print(f"AWS_ENDPOINT_URL={server.endpoint}")
    return 0


def _cli_stop() -> int:
    recorded = _recorded()
    if not recorded:
        print("not running (no pid file)")
        return 0
    pid, port = recorded
    if _is_ours(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _is_ours(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_ours(pid):
            os.kill(pid, signal.SIGKILL)
        print(f"stopped pid {pid} (port {port})")
    else:
        print(f"pid {pid} is not our DynamoDB Local any more; removing the stale pid file")
    PID_FILE.unlink(missing_ok=True)
    return 0


def _cli_status() -> int:
    recorded = _recorded()
    if recorded and _is_ours(recorded[0]):
        print(f"running: pid {recorded[0]}, AWS_ENDPOINT_URL=http://{HOST}:{recorded[1]}, "
              f"listening on {sorted(listening_addresses(recorded[1]))}")
        return 0
    print("not running")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.ddb_local", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start_parser = sub.add_parser("start", help="start in the background (default port 8000)")
    start_parser.add_argument("--port", type=int)
    sub.add_parser("stop", help="stop the server `start` left running")
    sub.add_parser("status", help="is it running, where")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            return _cli_start(args.port)
        if args.command == "stop":
            return _cli_stop()
        return _cli_status()
    except DynamoDBLocalError as exc:
        print(f"ddb_local: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
