"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from fixtures are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "not-a-real-password-123"  # tests/conftest.py's users


class _OneRequestAtATime:
    """A live server thread that serves requests one by one.

    With SQLite's in-memory test database every server thread shares one connection; the default
    threaded server lets a page and its side requests (favicon, htmx) use it at the same time,
    which SQLite answers with "database table is locked".
    """

    @staticmethod
    def thread_class():
        from django.core.servers.basehttp import WSGIServer
        from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

        class SingleThreadedLiveServerThread(LiveServerThread):
            def _create_server(self, connections_override=None):
                return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)

        return SingleThreadedLiveServerThread


def _warm_up_language_models() -> None:
    """Load spaCy and the PHI guard once, before any page waits on them (several seconds, cold)."""
    from phi_guard.profile import PracticeProfile
    from phi_guard.service import guard_check
    from responses.drafting import detect_topics

    detect_topics("The wait was long.", 2)
    guard_check("Thank you for your feedback.", practice=PracticeProfile(name="Warm-up"))


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, single-threaded (see _OneRequestAtATime), with warm models."""
    from pytest_django.live_server_helper import LiveServer

    _warm_up_language_models()
    server = LiveServer(request.config.getvalue("liveserver") or "localhost", start=False)
    default = server.thread
    server.thread = _OneRequestAtATime.thread_class()(
        default.host, static_handler=default.static_handler,
        connections_override=default.connections_override, port=default.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    def log_in_as(username: str):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return page

    return log_in_as


@pytest.fixture
def log_out(page):
    def log_out_now():
        page.locator("details.account > summary").click()  # the account menu holds "Log out"
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/accounts/login/")

    return log_out_now


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(name: str):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save
