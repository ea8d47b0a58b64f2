"""Browser-test fixtures: headless Debian Chromium driven by Playwright, phone-sized pages with and without
JavaScript. Pages are served by pytest-django's ``live_server`` (tests ask for it by name and open
``live_server.url + path``); the helpers in ``helpers.py`` check accessibility, take screenshots and weigh pages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from tests.e2e import helpers


def pytest_configure(config: pytest.Config) -> None:
    # Until pyproject.toml lists it (--strict-markers): the same text as the line proposed for [tool.pytest].
    config.addinivalue_line("markers", "browser: drives headless Chromium (tests/e2e; needs bootstrap.sh)")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    shots = helpers.SCREENSHOTS_WRITTEN
    if not shots and not helpers.WEIGHTS_MEASURED:
        return
    terminalreporter.section("browser tests")
    if shots:
        terminalreporter.write_line(
            f"{len(set(shots))} phone screenshots written to {helpers.screenshot_dir()}"
        )
    for weight in helpers.WEIGHTS_MEASURED:
        terminalreporter.write_line(
            f"page weight {weight.total_compressed_bytes:>7} B compressed"
            f" ({weight.total_wire_bytes} B as served, {len(weight.resources)} files): {weight.url}"
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (``/usr/bin/chromium``), one per test module (so no other module's test ever
    runs while Playwright's event loop is alive: pytest-randomly shuffles modules, not across them).

    Playwright's sync API keeps an asyncio event loop running in this thread for as long as it is started, and
    Django refuses database calls from a thread with a running loop. The tests call the domain services
    directly, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set exactly as long as Playwright runs.
    """
    helpers.require_tool(helpers.CHROMIUM, what="Chromium", install=helpers.INSTALL_CHROMIUM)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(helpers.CHROMIUM), headless=True, args=list(helpers.CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _phone_context(browser: Browser, *, javascript: bool) -> BrowserContext:
    context = browser.new_context(
        viewport=helpers.PHONE,
        screen={"width": helpers.PHONE["width"], "height": helpers.PHONE["height"]},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        java_script_enabled=javascript,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies, empty cache) on a 360×740 phone at 2× density, Vietnamese."""
    context = _phone_context(browser, javascript=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def nojs_phone_page(browser: Browser) -> Iterator[Page]:
    """Like ``phone_page``, with JavaScript disabled: the page must work without it."""
    context = _phone_context(browser, javascript=False)
    yield context.new_page()
    context.close()
