"""`make run`'s stack over real HTTP: starts, serves, stops without leaving a process behind."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url: str, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.mark.stack
def test_stack_serves_over_http_and_stops_every_child():
    env = {**os.environ, "MOTO_PORT": str(free_port()), "API_PORT": str(free_port())}
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(key, None)
    stack = subprocess.Popen([sys.executable, "-m", "scripts.local_stack"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and ready is None:
            line = stack.stdout.readline()
            if not line:
                break
            if line.startswith("{"):
                ready = json.loads(line)
        assert ready and ready["ready"], "the stack did not print its ready line"
        status, health = get(ready["url"] + "/v1/health")
        assert status == 200 and health["status"] == "ok"
        status, account = get(f"{ready['url']}/v1/accounts/{ready['demo_account_id']}", ready["dev_token"])
        assert status == 200 and account["role"] == "owner"
        children = descendants(stack.pid)
        assert len(children) >= 2  # moto server and chalice local
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=30)
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []
