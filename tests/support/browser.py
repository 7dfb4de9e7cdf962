"""Playwright (sync API) driving Debian's Chromium, for the browser tests.

Fixtures (tests/browser/conftest.py imports them; another test folder can do
the same with ``from tests.support.browser import browser, page  # noqa: F401``):

* ``browser`` (session): one headless Chromium from /usr/bin/chromium; skips
  the test with "browser tests skipped: no Chromium ..." when it is missing.
* ``page`` (function): a new context (own cookies/storage) and page, viewport
  1280x900, 10 s default timeout.  It records console errors, uncaught page
  errors, failed requests and responses with status >= 400 (favicon.ico 404s
  ignored) and FAILS the test at teardown if any occurred, unless the test is
  marked ``@pytest.mark.allow_console_errors``.

Helpers: ``page_problems(page)``, ``screenshot(page, name)``,
``admin_login(page, live_server_url, username, password)``.

Use pytest-django's ``live_server`` (it serves static files) with the
``transactional_db`` fixture, so the server thread sees the test's data.
tests/conftest.py sets DJANGO_ALLOW_ASYNC_UNSAFE because Playwright's sync
API runs an event loop in the test thread.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000
NO_CHROMIUM = f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)"

REPO = Path(__file__).resolve().parents[2]
# The committed evidence is refreshed on purpose (`SAVE_SCREENSHOTS=1 make test`);
# an ordinary run writes to a scratch folder so it leaves the work tree clean.
SCREENSHOTS = (
    REPO / "screenshots"
    if os.environ.get("SAVE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "bizunosync-screenshots"
)


def chromium_missing() -> bool:
    return not os.access(CHROMIUM, os.X_OK)


def _ignored(url: str) -> bool:
    return url.split("?", 1)[0].endswith("/favicon.ico")


def watch(page) -> list[str]:
    """Start recording what a user would call broken on ``page``; return the list."""
    problems: list[str] = []

    def on_console(msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if _ignored(url) or ("favicon.ico" in msg.text and "404" in msg.text):
            return
        problems.append(f"console error: {msg.text} ({url or 'inline'})")

    def on_request_failed(request):
        failure = request.failure or ""
        # ERR_ABORTED is the browser cancelling a request itself (the page navigated
        # away while it loaded): not something the server did wrong.
        if "ERR_ABORTED" in failure or _ignored(request.url):
            return
        problems.append(f"request failed: {request.method} {request.url} ({failure})")

    def on_response(response):
        if response.status >= 400 and not _ignored(response.url):
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page._bizunosync_problems = problems
    return problems


def page_problems(page) -> list[str]:
    """Console errors, page errors, failed requests and HTTP >= 400 answers seen so far."""
    return list(getattr(page, "_bizunosync_problems", []))


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as ``<name>.png`` in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def admin_login(page, live_server_url: str, username: str, password: str) -> None:
    """Log into Django's admin through its login form; lands on the admin index."""
    base = str(live_server_url).rstrip("/")
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    if page.locator("#login-form").count():
        errors = page.locator(".errornote").all_inner_texts()
        raise AssertionError(f"admin login as {username!r} failed: {errors or page.url}")


@pytest.fixture(scope="session")
def browser():
    if chromium_missing():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    watch(tab)
    yield tab
    problems = page_problems(tab)
    context.close()
    if problems and not request.node.get_closest_marker("allow_console_errors"):
        pytest.fail(
            "the browser saw problems (mark the test allow_console_errors if intended):\n  "
            + "\n  ".join(problems),
            pytrace=False,
        )
