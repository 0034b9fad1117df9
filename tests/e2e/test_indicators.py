"""A provider's benchmark in a real browser: its staff open their figures, choose a month,
click their own figure and land on the rows behind it, which add up to the same figure."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.indicators.conftest import provider_c, reported, today  # noqa: F401

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def fits(page: Page, viewport: dict) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.usefixtures("reported", "today")
def test_provider_staff_open_their_benchmark_and_the_rows_behind_a_figure(
    new_page, log_in, staff_a, provider_a
):
    page = log_in(new_page(viewport=DESKTOP), staff_a)
    page.locator("nav.main-nav").get_by_role("link", name="Figures").click()
    expect(page).to_have_url(re.compile(reverse("indicators:provider", args=[provider_a.pk])))
    expect(page.locator("h1")).to_have_text("Figures of Centro Lima Norte")

    # Another month, without reloading the page: only the benchmark is drawn again.
    page.evaluate("window.stillHere = true")
    page.locator("#benchmark select[name=period]").select_option("2003-05")
    benchmark = page.locator("#benchmark")
    expect(benchmark).to_contain_text("May 2003, compared with")
    assert page.evaluate("window.stillHere") is True
    expect(page).to_have_url(re.compile(r"period=2003-05"))
    row = benchmark.locator("#bench-attentions")
    expect(row).to_contain_text("1st of 3")
    shown = row.locator("a[data-figure=attentions]").inner_text()
    assert shown == "3"
    income = benchmark.locator("#bench-income a[data-figure=income]").inner_text()
    assert income == "USD 240.00"

    benchmark.locator("#bench-income a[data-figure=income]").click()
    expect(page.locator("h1")).to_have_text("Rows behind a figure")
    expect(page.locator("#cell-figure")).to_have_text(income)
    expect(page.locator("#rows-figure")).to_have_text(income)
    expect(page.locator(".cell-check")).to_contain_text("The same")
    expect(page.locator("table.deliveries tbody tr")).to_have_count(3)
    expect(page.locator("dl.scope")).to_contain_text("May 2003")
    expect(page.locator("dl.scope")).to_contain_text("CDE-LIM-01")


@pytest.mark.usefixtures("reported", "today")
def test_the_benchmark_works_without_javascript_and_fits_a_phone(
    screenshots, browser, live_server, staff_a, provider_a
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(reverse("login"))
        page.locator("input[name=username]").fill(staff_a.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.goto(reverse("indicators:provider", args=[provider_a.pk]))
        page.locator("#benchmark select[name=period]").select_option("2003-05")
        page.locator("#benchmark").get_by_role("button", name="Compare").click()
        expect(page.locator("#benchmark")).to_contain_text("May 2003, compared with")
        expect(page.locator("#bench-attentions")).to_contain_text("1st of 3")
        page.screenshot(path=screenshots / "indicators-benchmark-phone.png", full_page=True)
        fits(page, PHONE)
    finally:
        context.close()


@pytest.mark.usefixtures("reported", "today")
@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_figure_pages_fit_a_phone_and_a_desktop(
    screenshots, new_page, log_in, manager, provider_a, viewport, name
):
    page = log_in(new_page(viewport=viewport), manager)
    explore = reverse("indicators:explore") + (
        "?indicator=attentions&indicator=income&group_by=client_type&period=month"
        "&first=2003-05&last=2003-07"
    )
    rows = reverse("indicators:rows") + "?first=2003-05&last=2003-06&indicator=income"
    for label, url in [
        ("program", reverse("indicators:index")),
        ("provider", reverse("indicators:provider", args=[provider_a.pk]) + "?period=2003-05"),
        ("explore", explore),
        ("rows", rows),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=screenshots / f"indicators-{label}-{name}.png", full_page=True)
        fits(page, viewport)
