"""Playwright harness: headless Debian Chromium against pytest-django's live server.

- The browser is Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run`` installs it),
  never a Playwright download: set ``POSTOPS_CHROMIUM`` to use another binary.
- ``browser`` is one Chromium per test process (per xdist worker); each test gets a fresh
  context (cookies, storage, cache), and ``launch()`` gives the process a fresh temporary
  profile (user-data dir) that Playwright deletes on close.
- Every page is guarded: a console error, an uncaught exception, a CSP violation, a
  response ≥ 500 or any request to a host other than the live server fails the test. Foreign
  requests are also aborted, so a journey never reaches the internet.
- Mark journeys with ``@pytest.mark.e2e`` (``pytest -m e2e`` runs only them).
"""

from __future__ import annotations

import os
import re
import shutil
from base64 import b32decode
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told it is safe (it is: the calls are synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """On SQLite the live server's threads share the test's in-memory connection: two
    requests at once (a page and the postman app's background sync) can run statements on
    it together, which SQLite answers with "bad parameter or other API misuse" (a 500 seen
    under load). There the live server handles one request at a time; Django then closes
    each connection after its answer, so the browser never waits on a kept-alive one.
    PostgreSQL gives each thread its own connection and keeps the threaded server."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATimeServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # Requests run in the server thread, which installs the overrides itself.
            super().__init__(*args, **kwargs)

    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneAtATimeServer
    yield
    LiveServerThread.server_class = threaded


DESKTOP_VIEWPORT = {"width": 1366, "height": 800}
PHONE_VIEWPORT = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "correct-horse-battery"  # the make_user default (conftest.py)


def _chromium_path() -> str:
    configured = os.environ.get("POSTOPS_CHROMIUM")
    path = configured or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path}: install Debian's package (apt-get install chromium)"
            " or set POSTOPS_CHROMIUM. Do not use `playwright install`.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class PageGuard:
    """Collects everything that must not happen on a page; :meth:`check` fails the test.

    ``allow_console(regex)`` tolerates console errors a test provokes on purpose.
    """

    def __init__(self, origin: str):
        self.origin = origin
        self.problems: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow_console(self, pattern: str) -> None:
        self._allowed.append(re.compile(pattern))

    def attach(self, context) -> None:
        context.expose_binding("__postopsCspViolation", self._on_csp)
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " window.__postopsCspViolation(e.violatedDirective + ' blocked '"
            " + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber); });"
        )
        context.route("**/*", self._on_route)
        context.on("console", self._on_console)
        context.on("weberror", lambda err: self.problems.append(f"page error: {err.error}"))
        context.on("response", self._on_response)

    def _on_csp(self, _source, description: str) -> None:
        self.problems.append(f"CSP violation: {description}")

    def _on_route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        local = f"{parts.scheme}://{parts.netloc}" == self.origin
        if local or parts.scheme in {"data", "blob", "about"}:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort("blockedbyclient")

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(p.search(text) for p in self._allowed):
            return
        self.problems.append(f"console error: {text} ({message.location.get('url', '')})")

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")

    def check(self) -> None:
        if self.problems:
            problems, self.problems = self.problems, []
            pytest.fail("Browser guard:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def _new_page(request, browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", **context_options)
    context.set_default_timeout(10_000)
    guard = PageGuard(live_server.url)
    guard.attach(context)
    page = context.new_page()
    page.guard = guard
    yield page
    if getattr(request.node, "e2e_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    guard.check()


@pytest.fixture
def page(request, browser, live_server):
    """A desktop page (1366×800) in a fresh context, Vietnamese locale, guarded."""
    yield from _new_page(request, browser, live_server, viewport=DESKTOP_VIEWPORT)


@pytest.fixture
def mobile_page(request, browser, live_server):
    """A phone page (360×740, touch, mobile viewport rules) in a fresh context, guarded."""
    yield from _new_page(
        request,
        browser,
        live_server,
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def login():
    """Log in through the real login form: ``login(page, user)``; returns the page."""

    def _login(page, user_or_username, password: str = PASSWORD):
        username = getattr(user_or_username, "username", user_or_username)
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        return page

    return _login


def totp_now(secret_base32: str) -> str:
    """The current 6-digit TOTP code (RFC 6238, 30 s steps) for a base-32 secret."""
    from django_otp.oath import totp

    padded = secret_base32.strip() + "=" * (-len(secret_base32.strip()) % 8)
    return f"{totp(b32decode(padded, casefold=True)):06d}"
