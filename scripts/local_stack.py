"""`make run`: the whole local stack on this machine, no Docker.

moto server (AWS endpoint) → resources created → demo data seeded → `chalice local` (its access log
redacted, scripts/chalice_local.py) → the customer portal (portal/dist, built first when missing or
older than its sources) served at http://127.0.0.1:3000 with a config.json naming this API and the demo
users. Prints the URLs, a dev token and where e-mails land. Ctrl-C or SIGTERM stops every child;
children also die with us if we are killed outright (PR_SET_PDEATHSIG).

`PORTAL_PORT` moves the portal (`off` leaves it out); when the port is taken the stack runs without it."""
import ctypes
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

MOTO_PORT = int(os.environ.get("MOTO_PORT", "5000"))
API_PORT = int(os.environ.get("API_PORT", "8000"))
HOST = "127.0.0.1"
PORTAL_PORT = os.environ.get("PORTAL_PORT", "3000")
PORTAL_DIR = Path(__file__).resolve().parents[1] / "portal"
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
    if PORTAL_PORT not in ("off", "3000") and not env.get("CORS_ORIGINS"):
        # The portal moved off its default port: its origins join the local stage's defaults.
        from chalicelib.settings import LOCAL_CORS_ORIGINS

        env["CORS_ORIGINS"] = f"{LOCAL_CORS_ORIGINS},http://127.0.0.1:{PORTAL_PORT},http://localhost:{PORTAL_PORT}"
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


def _dev_token(user_id: str, email: str, groups: tuple[str, ...] = ()) -> str:
    import warnings

    import jwt

    # API.md fixes the local secret; its length is a local-stage concern only.
    warnings.filterwarnings("ignore", category=jwt.warnings.InsecureKeyLengthWarning)

    now = int(time.time())
    claims = {"sub": user_id, "email": email, "groups": list(groups), "iat": now, "exp": now + 30 * 86400}
    return jwt.encode(claims, os.environ.get("AUTH_DEV_SECRET", "local-dev-secret"), algorithm="HS256")


# --- the customer portal ------------------------------------------------------------------------
_PORTAL_SOURCES = ("src", "public", "index.html", "vite.config.ts", "tsconfig.json", "package.json", "package-lock.json")


def _newest_mtime(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    return max((f.stat().st_mtime for f in path.rglob("*") if f.is_file()), default=0.0)


def portal_is_stale(portal: Path = PORTAL_DIR) -> bool:
    built = portal / "dist" / "index.html"
    if not built.exists():
        return True
    sources = [portal / name for name in _PORTAL_SOURCES if (portal / name).exists()]
    return max(_newest_mtime(path) for path in sources) > built.stat().st_mtime


def build_portal(portal: Path = PORTAL_DIR) -> str | None:
    """`npm run build` when portal/dist is missing or older than its sources. None when the build is
    ready, else why there is none (no npm, no node_modules: `make deps-portal`, a failed build)."""
    if not portal_is_stale(portal):
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm não encontrado"
    if not (portal / "node_modules").is_dir():
        return "portal/node_modules ausente (make deps-portal)"
    done = subprocess.run([npm, "run", "--silent", "build"], cwd=portal, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        return "falha no build do portal:\n" + done.stdout[-3000:]
    return None


class _PortalHandler(http.server.SimpleHTTPRequestHandler):
    """portal/dist as a static site: /config.json from this stack, every unknown path → index.html."""

    settings: dict = {}

    def log_message(self, format, *args):  # noqa: A002 — http.server's signature
        pass

    def do_GET(self):  # noqa: N802 — http.server's naming
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/config.json":
            body = json.dumps(self.settings, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        target = Path(self.directory) / path.lstrip("/")
        if path == "/" or not target.is_file():
            self.path = "/index.html"
        super().do_GET()

    def end_headers(self):
        if self.path.startswith("/assets/"):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()


FINANCE_DEMO_EMAIL = "financeiro@fornecedor.demo"


def portal_settings(api_url: str, demo: list[dict], portal: Path = PORTAL_DIR) -> dict:
    """The config.json of the local stage: this API, the brand of portal/public/config.json and the
    demo users with their development tokens (the local stage's secret is public anyway)."""
    from scripts.seed_demo import DEMO_ACCOUNTS

    brand = {}
    try:
        brand = json.loads((portal / "public" / "config.json").read_text()).get("brand", {})
    except (OSError, ValueError):
        pass
    names = {d["account_id"]: d["name"] for d in DEMO_ACCOUNTS}
    users = [{"label": f"Conta {names.get(d['account_id'], d['account_id'])} (proprietário)", "email": d["email"],
              "accountId": d["account_id"], "token": _dev_token(d["owner"], d["email"])} for d in demo]
    # The vendor's finance team (token group `finance`): the console's Painel and work queues.
    users.append({"label": "Equipe financeira do fornecedor (console)", "email": FINANCE_DEMO_EMAIL,
                  "token": _dev_token("demo-finance", FINANCE_DEMO_EMAIL, ("finance",))})
    return {"stage": "local", "apiUrl": api_url, "brand": brand, "devUsers": users}


def serve_portal(port: int, settings: dict, portal: Path = PORTAL_DIR) -> http.server.ThreadingHTTPServer:
    handler = type("PortalHandler", (_PortalHandler,), {"settings": settings})
    server = http.server.ThreadingHTTPServer((HOST, port), functools.partial(handler, directory=str(portal / "dist")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _start_portal(api_url: str, demo: list[dict], build: threading.Thread, problem: list) -> str | None:
    build.join()
    reason = next((p for p in problem if p), None)
    if reason:
        print(f"portal: não servido ({reason})", file=sys.stderr, flush=True)
        return None
    try:
        server = serve_portal(int(PORTAL_PORT), portal_settings(api_url, demo))
    except OSError as error:
        print(f"portal: não servido (porta {PORTAL_PORT}: {error.strerror})", file=sys.stderr, flush=True)
        return None
    return f"http://{HOST}:{server.server_address[1]}"


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
    portal_problem: list = []
    # The portal builds (when stale) while moto and chalice start.
    portal_build = threading.Thread(target=lambda: portal_problem.append(build_portal()), daemon=True)
    if PORTAL_PORT != "off":
        portal_build.start()
    moto = _start([python, "-m", "moto.server", "-H", HOST, "-p", str(MOTO_PORT)], env)
    children.append(moto)
    _wait_http(f"http://{HOST}:{MOTO_PORT}/moto-api/", 60, moto)
    demo = _prepare(env)
    if not env.get("PIX_PSP_BASE_URL"):  # the fake Pix PSP (Pix Automático), in this process
        from chalicelib.adapters.pix_automatico.fake_psp import FakePspServer

        env["PIX_PSP_BASE_URL"] = FakePspServer(HOST, int(env.get("PIX_PSP_PORT", "0"))).start().url
    if not env.get("SEFIN_BASE_URL"):  # the fake SEFIN Nacional (NFS-e, mutual TLS), in this process
        from chalicelib.adapters.service_invoices.factory import start_local_sefin
        from chalicelib.settings import Settings

        sefin = start_local_sefin(Settings.from_environment(env), HOST, int(env.get("SEFIN_PORT", "0")))
        env["SEFIN_BASE_URL"] = sefin.url
        env["NFSE_CERTIFICATES_DIR"] = str(sefin.certificates.directory.parent)
    # `chalice local` through scripts/chalice_local.py: the same server, its access log redacted.
    chalice = _start([python, "-m", "scripts.chalice_local",
                      "--host", HOST, "--port", str(API_PORT), "--stage", "local"], env)
    children.append(chalice)
    url = f"http://{HOST}:{API_PORT}"
    _wait_http(f"{url}/v1/health", 120, chalice)
    portal_url = None
    if PORTAL_PORT != "off":
        portal_url = _start_portal(url, demo, portal_build, portal_problem)
    owner = demo[0]
    print(json.dumps({
        "ready": True,
        "url": url,
        "portal": portal_url,
        "aws_endpoint": env["AWS_ENDPOINT_URL"],
        "demo_account_id": owner["account_id"],
        "dev_token": _dev_token(owner["owner"], owner["email"]),
        "emails": f"{url}/v1/_dev/outbox",
        "pix_psp": env["PIX_PSP_BASE_URL"],
        "sefin": env["SEFIN_BASE_URL"],
        "accounts": demo,
    }, ensure_ascii=False), flush=True)
    print(f"\nRenova local em {url}  (Ctrl-C para parar)\n"
          + (f"Portal do cliente em {portal_url}\n" if portal_url else "")
          + f"E-mails enviados: GET {url}/v1/_dev/outbox\n", flush=True)
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[0]} terminou ({child.returncode}); parando.", file=sys.stderr)
                stop()
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
