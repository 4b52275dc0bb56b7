"""A real browser calls the API from the portal's origin: Chromium (Debian's `chromium`, driven by
Playwright; mk/browser.mk installs it) opens tests/browser/portal.html served from
http://localhost:3000, which calls `GET /v1/accounts` of `make run`'s stack with a bearer token. The
call only succeeds if the preflight grants the origin and the Authorization header and the answer
carries Access-Control-Allow-Origin; the same page from an origin not configured is blocked."""
import errno
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from tests.fuzz.stack import LocalStack, free_port

pytestmark = pytest.mark.stack

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PORTAL_PORT = 3000  # the local stage's default CORS_ORIGINS names http://localhost:3000


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 — http.server's signature
        pass


def serve_pages(port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(HERE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def pages():
    """The portal page on localhost:3000 (or, when something else holds 3000, another port that the
    stack is then told to allow), and the same page on a port no configuration names."""
    try:
        portal = serve_pages(PORTAL_PORT)
        stack_env = {}  # the local default origins
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        portal = serve_pages(free_port())
        stack_env = {"CORS_ORIGINS": f"http://localhost:{portal.server_address[1]}"}
    stranger = serve_pages(free_port())
    try:
        yield portal.server_address[1], stranger.server_address[1], stack_env
    finally:
        for server in (portal, stranger):
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def stack(pages):
    _, _, stack_env = pages
    with LocalStack(env=stack_env) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make deps-browser` (part of `make test`) installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def open_portal(browser, port: int, stack, screenshot: str) -> tuple[dict, list[str]]:
    page = browser.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"http://localhost:{port}/portal.html#api={stack.url}&token={stack.ready['dev_token']}")
        result = page.evaluate("window.result")  # the fetch's outcome, awaited
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
        return result, console
    finally:
        page.close()


def test_the_portal_origin_lists_my_accounts_through_chromium(browser, stack, pages):
    portal_port, _, _ = pages
    result, console = open_portal(browser, portal_port, stack, "minhas-contas.png")
    assert result["ok"], (result, console)
    assert [(item["id"], item["role"]) for item in result["items"]] == [(stack.ready["demo_account_id"], "owner")]
    assert result["requestId"]  # Access-Control-Expose-Headers lets the page read it


def test_a_page_from_another_origin_is_blocked_by_the_browser(browser, stack, pages):
    _, stranger_port, _ = pages
    result, console = open_portal(browser, stranger_port, stack, "origem-nao-permitida.png")
    assert not result["ok"]
    assert "Failed to fetch" in result["error"]
    assert any("CORS" in line for line in console), console
