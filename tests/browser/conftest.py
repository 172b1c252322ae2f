"""Real-browser fixtures: the app under uvicorn on 127.0.0.1, and Debian's Chromium driven by Playwright.

The server runs the real application (``create_app``) on a session-scoped SQLite database with the
packs in bots/. Chromium is the one Debian installs (``make test`` installs it when it can); Playwright
never downloads a browser here. Without Chromium the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (`make test` does it as root)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run the browser tests")
    pytest.skip(message)


def start_services(tmp_path_factory: pytest.TempPathFactory, name: str = "browser"):
    """The platform's services on a fresh, migrated SQLite database (the browser tests use SQLite only)."""
    from core.settings import Settings
    from core.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp(f'{name}-db') / 'madoguchi.db'}"
    upgrade(url)
    settings = Settings.from_mapping(
        {
            "database_url": url,
            "bots_dir": ROOT / "bots",
            "model_dir": tmp_path_factory.mktemp(f"{name}-models"),
            "rate_limit_per_minute": 1000,
            "rate_limit_per_address_per_minute": 100000,
            "rate_limit_sessions_per_address_per_minute": 100000,
            "rate_limit_parse_per_address_per_minute": 100000,
        }
    )
    from madoguchi.app import start_services as start_platform

    return start_platform(settings)


@contextmanager
def serving(services) -> Iterator[str]:
    """The real app served by uvicorn in a background thread; yields its base URL."""
    import uvicorn

    from madoguchi.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(services=services, watch=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="browser-test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_services(tmp_path_factory: pytest.TempPathFactory):
    _require_chromium()
    running = start_services(tmp_path_factory)
    yield running
    running.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_url(browser_services) -> Iterator[str]:
    with serving(browser_services) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One Chromium for the whole session; each test gets its own context (fresh sessionStorage)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Browse:
    """Opens pages in fresh browser contexts and records uncaught page errors."""

    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def new_page(self, **context_options) -> Page:
        options = {"viewport": {"width": 1280, "height": 800}, "locale": "ja-JP", **context_options}
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page


@pytest.fixture
def browse(chromium, server_url: str) -> Iterator[Browse]:
    opened = Browse(chromium, server_url)
    yield opened
    for context in opened.contexts:
        context.close()
    assert not opened.errors, f"uncaught JavaScript errors in the page: {opened.errors}"


@pytest.fixture
def page(browse: Browse) -> Page:
    """A desktop-sized page (1280×800) in a fresh context."""
    return browse.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go for people to look at (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
