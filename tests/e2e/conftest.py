"""A real browser against a live server. Copy these fixtures' pattern for new browser tests.

The browser is the machine's Chromium (never a downloaded one), headless. Playwright's sync
API runs an event loop in the test's thread, so Django must be told that its ORM calls from
that thread are safe (they are: the test thread only sets up and checks data).
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bdsmarket.core.models import User
from tests.conftest import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session", autouse=True)
def plain_http_settings() -> Iterator[None]:
    """Serve the live server over plain HTTP with uncollected static files.

    Session-wide and set up before the live server starts, because the server builds its
    middleware (which reads the HTTPS settings) once.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Return a function opening a fresh page (own cookies) on the live server.

    `viewport` is PHONE or DESKTOP; `locale` sets the browser's Accept-Language.
    """
    contexts = []

    def open_page(viewport: dict = DESKTOP, locale: str = "en-GB") -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture
def log_in() -> Callable[[Page, User], Page]:
    """Return a function that logs `user` in through the login form and waits for home."""

    def log_in_as(page: Page, user: User) -> Page:
        page.goto(reverse("login"))
        # By name, not label: the labels follow the language.
        page.locator("input[name=username]").fill(user.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(re.escape(reverse("home")) + "$"))
        return page

    return log_in_as


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """The folder of a test's screenshots: its own temporary folder, kept by pytest for the
    last few runs (pytest's --basetemp sets where)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder
