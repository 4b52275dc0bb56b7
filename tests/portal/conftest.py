"""The portal in real Chromium against one local stack for the portal tests (package scope: the stack
and Playwright's loop end with the last of them, before a test worker goes on to other files):
portal/dist built when stale (scripts/local_stack.py does the same for `make run`), the stack
(tests/fuzz/stack.py) serving it
on a free port that its CORS_ORIGINS allows, Debian's chromium driven by Playwright (mk/browser.mk
installs it; Playwright's browser downloads are never used).

Every test makes its own account, owner and subscriptions through the API, then walks the screens as
a person would. The dev clock only moves forward; tests read it instead of assuming a date.
PORTAL_TEST_TIMINGS=1 (with `-s`) prints how long each set-up call and the stack's stop took.
`check_page` runs axe-core (from portal/node_modules) on the page and saves a screenshot under
build/portal-screenshots/."""
import json
import os
import shutil
import time
import uuid
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.fuzz.stack import LocalStack, free_port

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"
SCREENSHOTS = ROOT / "build" / "portal-screenshots"
AXE = PORTAL / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEV_SECRET = "local-dev-secret"

BILLING_DATA = {
    "legal_name": "Empresa de Teste Ltda", "document": "11222333000181",
    "address": {"street": "Rua das Araucárias", "number": "250", "complement": None, "district": "Centro",
                "city": "Bento Gonçalves", "state": "RS", "cep": "95700000"},
    "state_registration": None, "billing_emails": ["financeiro@teste.demo"],
}


def token_for(user_id: str, email: str, groups=()) -> str:
    import jwt

    warnings.filterwarnings("ignore", category=jwt.warnings.InsecureKeyLengthWarning)
    now = int(time.time())
    return jwt.encode({"sub": user_id, "email": email, "groups": list(groups), "iat": now, "exp": now + 86400},
                      DEV_SECRET, algorithm="HS256")


class Api:
    """The stack's API as the tests' set-up uses it: asserts the status, returns the JSON."""

    def __init__(self, stack: LocalStack):
        self.stack = stack

    def __call__(self, method: str, path: str, token: str | None = None, body=None, status: int | None = None):
        started = time.monotonic()
        answer = self.stack.call(method, path, token=token, body=body)
        if os.environ.get("PORTAL_TEST_TIMINGS"):
            print(f"{time.monotonic() - started:6.2f}s {method} {path}")
        expected = status or (201 if method == "POST" and answer.status == 201 else 200)
        assert answer.status == expected, (method, path, answer.status, answer.body[:800])
        return answer.json

    def today(self) -> date:
        return date.fromisoformat(self("GET", "/v1/_dev/clock")["today"])

    def move_clock(self, day: date, hour: int = 9) -> None:
        """Forward only: every test shares the clock."""
        if day > self.today():
            self("PUT", "/v1/_dev/clock", body={"now": f"{day.isoformat()}T{hour:02d}:00:00-03:00"})

    def set_clock(self, instant: datetime) -> None:
        self("PUT", "/v1/_dev/clock", body={"now": instant.isoformat()})

    def run_job(self, job: str) -> dict:
        return self("POST", f"/v1/_dev/jobs/{job}")

    def pay(self, invoice_id: str, method: str = "boleto") -> dict:
        return self("POST", "/v1/_dev/gateway/pay", body={"invoice_id": invoice_id, "method": method})


class Customer:
    """A new account with its owner (and billing data), made through the API."""

    def __init__(self, api: Api, name: str, billing_data: dict | None = BILLING_DATA):
        self.api = api
        suffix = uuid.uuid4().hex[:8]
        self.user_id = f"user-{suffix}"
        self.email = f"dono-{suffix}@teste.demo"
        self.token = token_for(self.user_id, self.email)
        self.account_id = api("POST", "/v1/accounts", self.token, {"name": name}, status=201)["id"]
        if billing_data:
            api("PUT", f"/v1/accounts/{self.account_id}/billing-data", self.token, billing_data)

    def call(self, method: str, path: str, body=None, status: int | None = None):
        return self.api(method, f"/v1/accounts/{self.account_id}{path}", self.token, body, status)

    def subscribe(self, product_id: str, periodicity: str = "monthly", quantity: int = 1,
                  payment_method: str = "boleto", paid: bool = True) -> dict:
        sub = self.call("POST", "/subscriptions", {"product_id": product_id, "periodicity": periodicity,
                                                   "quantity": quantity, "payment_method": payment_method}, status=201)
        if paid:
            self.api.pay(sub["invoice_id"], "card" if payment_method == "card" else "boleto")
        return sub

    def member(self, role: str) -> str:
        """A person with `role` in this account (invited, then signed in once): their token."""
        suffix = uuid.uuid4().hex[:8]
        email = f"{role}-{suffix}@teste.demo"
        self.call("POST", "/members", {"email": email, "role": role}, status=201)
        token = token_for(f"user-{suffix}", email)
        self.api("GET", "/v1/accounts", token)  # the first sign-in claims the invitation by e-mail
        return token


@pytest.fixture(scope="package")
def portal_dist():
    from scripts.local_stack import build_portal

    problem = build_portal(PORTAL)
    if problem:
        pytest.fail(f"the portal did not build: {problem}")
    return PORTAL / "dist"


@pytest.fixture(scope="package")
def stack(portal_dist):
    port = free_port()
    with LocalStack(env={"PORTAL_PORT": str(port), "CORS_ORIGINS": f"http://127.0.0.1:{port}"}) as running:
        assert running.ready.get("portal") == f"http://127.0.0.1:{port}", running.ready
        yield running
        started = time.monotonic()
    if os.environ.get("PORTAL_TEST_TIMINGS"):
        print(f"stack stopped in {time.monotonic() - started:.1f}s")


@pytest.fixture(scope="package")
def api(stack) -> Api:
    return Api(stack)


@pytest.fixture(scope="package")
def browser(stack):  # closed before the stack: its keep-alive connections would hold `chalice local`
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make deps-browser` (part of `make test`) installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            started = time.monotonic()
            launched.close()
            if os.environ.get("PORTAL_TEST_TIMINGS"):
                print(f"browser closed in {time.monotonic() - started:.1f}s")


class Portal:
    """One browser tab on the portal, signed in with `token`, recording the API calls it makes."""

    def __init__(self, browser, stack: LocalStack):
        self.base = stack.ready["portal"]
        self.api_url = stack.url
        self.context = browser.new_context(base_url=self.base, viewport={"width": 1280, "height": 900},
                                           locale="pt-BR", timezone_id="America/Sao_Paulo")
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.base)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.api_calls: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.page.on("request", self._record)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _record(self, request) -> None:
        if request.url.startswith(self.api_url) and request.method != "OPTIONS":
            self.api_calls.append((request.method, request.url[len(self.api_url):]))

    def open(self, path: str, token: str | None = None, heading: str | None = None):
        self.api_calls.clear()
        self.page.goto(path + (f"#token={token}" if token else ""))
        if heading:
            self.expect_heading(heading)
        return self.page

    def expect_heading(self, heading: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("h1")).to_have_text(heading)
        expect(self.page.locator("h1")).to_have_count(1)

    def settle(self) -> None:
        """Until nothing says "Carregando…"."""
        from playwright.sync_api import expect

        expect(self.page.get_by_text("Carregando…")).to_have_count(0)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def portal(browser, stack):
    opened = Portal(browser, stack)
    try:
        yield opened
        assert not opened.errors, opened.errors
    finally:
        opened.close()


def check_page(portal: Portal, name: str) -> None:
    """axe-core finds no serious or critical violation; a full-page screenshot is kept."""
    page = portal.page
    portal.settle()
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("""async () => {
        const r = await window.axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False, indent=1)


def days_before(day: str, days: int) -> date:
    return date.fromisoformat(day) - timedelta(days=days)
