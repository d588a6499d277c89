"""End-to-end tests in Debian's headless Chromium, driven by Playwright (never downloads a browser).

Every request the page makes is routed through a guard: anything not addressed to the app's own
live server is aborted and fails the test (no CDN, no tracker, no font host).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would then refuse the ORM
    # calls the fixtures make, which are plain synchronous calls and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: apt-get install -y chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Guard:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if url.startswith(self.origin) or parsed.scheme in {"data", "blob"}:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


@pytest.fixture
def open_page(browser, live_server, request):
    """``open_page(phone=False)`` → a fresh page whose requests may only go to the app."""
    contexts = []
    guards = []

    def _open(*, phone: bool = False):
        context = browser.new_context(**(PHONE if phone else DESKTOP), locale="zh-CN")
        guard = Guard(live_server.url)
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.console_errors = []
        page.on(
            "console",
            lambda message: (
                page.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        contexts.append(context)
        guards.append(guard)
        return page

    yield _open
    for context in contexts:
        context.close()
    foreign = [url for guard in guards for url in guard.foreign]
    assert foreign == [], f"the page asked another host for something: {foreign}"


@pytest.fixture
def shot():
    """``shot(page, "name")`` saves a full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
