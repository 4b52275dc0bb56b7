"""`make run`: the whole local stack on this machine, no Docker.

moto server (AWS endpoint) → resources created → demo data seeded → `chalice local` (its access log
redacted, scripts/chalice_local.py). Prints the URL, a dev token and where e-mails land. Ctrl-C or
SIGTERM stops every child; children also die with us if we are killed outright (PR_SET_PDEATHSIG)."""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

MOTO_PORT = int(os.environ.get("MOTO_PORT", "5000"))
API_PORT = int(os.environ.get("API_PORT", "8000"))
HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6").prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _environment() -> dict:
    env = dict(os.environ)
    env.update({
        "RENOVA_STAGE": "local",
        "AWS_ENDPOINT_URL": f"http://{HOST}:{MOTO_PORT}",
        "AWS_DEFAULT_REGION": env.get("AWS_DEFAULT_REGION", "sa-east-1"),
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
    })
    env.pop("AWS_PROFILE", None)
    return env


def _wait_http(url: str, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error still means the server answers
                return
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, preexec_fn=_die_with_parent)


def _prepare(env: dict) -> list[dict]:
    os.environ.update(env)
    from chalicelib.wiring import container
    from scripts.provision import provision
    from scripts.seed_demo import seed_demo

    services = container()
    provision(services)
    return seed_demo(services)


def _dev_token(user_id: str, email: str) -> str:
    import warnings

    import jwt

    # API.md fixes the local secret; its length is a local-stage concern only.
    warnings.filterwarnings("ignore", category=jwt.warnings.InsecureKeyLengthWarning)

    now = int(time.time())
    claims = {"sub": user_id, "email": email, "groups": [], "iat": now, "exp": now + 30 * 86400}
    return jwt.encode(claims, os.environ.get("AUTH_DEV_SECRET", "local-dev-secret"), algorithm="HS256")


def main() -> int:
    env = _environment()
    children: list[subprocess.Popen] = []

    def stop(*_):
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    python = sys.executable
    moto = _start([python, "-m", "moto.server", "-H", HOST, "-p", str(MOTO_PORT)], env)
    children.append(moto)
    _wait_http(f"http://{HOST}:{MOTO_PORT}/moto-api/", 60, moto)
    demo = _prepare(env)
    # `chalice local` through scripts/chalice_local.py: the same server, its access log redacted.
    chalice = _start([python, "-m", "scripts.chalice_local",
                      "--host", HOST, "--port", str(API_PORT), "--stage", "local"], env)
    children.append(chalice)
    url = f"http://{HOST}:{API_PORT}"
    _wait_http(f"{url}/v1/health", 120, chalice)
    owner = demo[0]
    print(json.dumps({
        "ready": True,
        "url": url,
        "aws_endpoint": env["AWS_ENDPOINT_URL"],
        "demo_account_id": owner["account_id"],
        "dev_token": _dev_token(owner["owner"], owner["email"]),
        "emails": f"{url}/v1/_dev/outbox",
        "accounts": demo,
    }, ensure_ascii=False), flush=True)
    print(f"\nRenova local em {url}  (Ctrl-C para parar)\n"
          f"E-mails enviados: GET {url}/v1/_dev/outbox\n", flush=True)
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[0]} terminou ({child.returncode}); parando.", file=sys.stderr)
                stop()
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
