"""The local stack (`make run`) as a subprocess on free loopback ports, for suites that need the
real HTTP server: the OpenAPI fuzzing run (tests/fuzz/fuzz_openapi.py) and anything else that must
see what `chalice local` really answers.

Its output goes to files, not pipes (a full pipe would stall the server): stdout carries the ready
line and the application's JSON logs, stderr the access logs of `chalice local` and of the moto
server. `server_errors()` reads the access log back, so a 5xx is seen even when no check asked."""
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
READY_SECONDS = 150
# `127.0.0.1 - - [22/Nov/2026 02:22:35] "GET /v1/health HTTP/1.1" 200 -` (http.server's format).
_ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """The stack gets SIGTERM if the test process dies, and passes it on to its own children."""
    try:
        ctypes.CDLL("libc.so.6").prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class HttpAnswer:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        """The JSON body; None for an empty or a text answer (the metrics' CSV)."""
        content_type = {k.lower(): v for k, v in self.headers.items()}.get("content-type", "")
        return json.loads(self.body) if self.body and "json" in content_type else None


@dataclass
class LocalStack:
    """A running `scripts.local_stack`; use as a context manager or call `start()` / `stop()`."""

    env: dict = field(default_factory=dict)
    ready: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    workdir: Path | None = None

    @property
    def url(self) -> str:
        return self.ready["url"]

    @property
    def stdout_path(self) -> Path:
        return self.workdir / "stack.stdout"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "stack.stderr"

    def start(self) -> "LocalStack":
        self.workdir = Path(tempfile.mkdtemp(prefix="renova-stack-"))
        env = {**os.environ, "MOTO_PORT": str(free_port()), "API_PORT": str(free_port()), **self.env}
        for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                    "AWS_PROFILE", "RENOVA_TEST_BACKEND"):
            if key not in self.env:
                env.pop(key, None)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "scripts.local_stack"], cwd=ROOT, env=env,
                                            stdout=out, stderr=err, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        try:
            self.ready = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> dict:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            for line in self.stdout_path.read_text(errors="replace").splitlines():
                if line.startswith('{"ready"'):
                    return json.loads(line)
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        tail = self.stderr_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the local stack did not print its ready line (exit {self.process.poll()}):\n{tail}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # local_stack stops its children on SIGTERM
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only our children
            self.process.wait(timeout=10)

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- talking to it ------------------------------------------------------------------------
    def call(self, method: str, path: str, token: str | None = None, body=None,
             headers: dict | None = None) -> HttpAnswer:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return HttpAnswer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, dict(error.headers), error.read())

    # --- what it wrote ------------------------------------------------------------------------
    def access_log(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request `chalice local` served (moto's `/` lines left out)."""
        entries = []
        for line in self.stderr_path.read_text(errors="replace").splitlines():
            match = _ACCESS_LINE.search(line)
            if match and match["path"].startswith("/v1/"):
                entries.append((match["method"], match["path"], int(match["status"])))
        return entries

    def server_errors(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.access_log() if entry[2] >= 500]

    def app_log(self) -> list[dict]:
        """The application's JSON log records (chalicelib/observability/logging.py)."""
        records = []
        for line in self.stdout_path.read_text(errors="replace").splitlines():
            if line.startswith("{") and not line.startswith('{"ready"'):
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return records
