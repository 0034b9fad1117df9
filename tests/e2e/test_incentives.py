"""A month's incentives in a real browser: the program manager computes May 2003, opens a
provider's statement, approves it, puts it in a payment batch and downloads the bank's file.
And the incentive pages fit a phone and a desktop."""

import csv
import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from bdsmarket.incentives import services
from bdsmarket.incentives.models import IncentiveScheme, PaymentBatch, Statement
from tests.incentives.conftest import MAY, months, scheme  # noqa: F401

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def fits(page: Page, viewport: dict) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.usefixtures("months", "scheme")
def test_the_manager_computes_a_month_approves_a_statement_and_pays_it(
    new_page, log_in, manager, provider_a
):
    page = log_in(new_page(viewport=DESKTOP), manager)
    page.locator("nav.main-nav").get_by_role("link", name="Incentives").click()
    expect(page.locator("h1")).to_have_text("Incentive statements")

    page.locator("form.compute-form input[name=month]").fill("2003-05")
    page.get_by_role("button", name="Compute the statements of this month").click()
    expect(page.locator(".messages")).to_contain_text("The statements of May 2003 were computed")
    expect(page.locator("#statement-totals")).to_contain_text("67.00")

    page.get_by_role("link", name="May 2003 CDE-LIM-01").click()
    expect(page.locator("h1")).to_have_text("Statement of May 2003")
    expect(page.locator("#line-paid")).to_contain_text("45.00")
    expect(page.locator("#line-women")).to_contain_text("10.00")
    expect(page.locator("#line-women")).to_contain_text("5.00 for each of the attentions to women")

    page.get_by_role("button", name="Approve this statement").click()
    expect(page.locator(".messages")).to_contain_text("was approved")
    expect(page.locator(".subtitle .status")).to_have_text("Approved")
    expect(page.get_by_role("button", name="Approve this statement")).to_have_count(0)

    page.locator(".breadcrumb").get_by_role("link", name="May 2003").click()
    expect(page.locator("#waiting-payment")).to_contain_text(
        "1 approved statement is not in a payment batch yet"
    )
    page.get_by_role("button", name="Create a payment batch of them").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"Payment batch \d+"))
    batch = PaymentBatch.objects.get()
    assert list(Statement.objects.filter(batch=batch).values_list("provider", flat=True)) == [
        provider_a.pk
    ]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the bank's file (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"payment-batch-{batch.pk}-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[1][0] == "CDE-LIM-01" and rows[1][6] == "55.00" and len(rows) == 2


@pytest.mark.usefixtures("months", "scheme")
@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_incentive_pages_fit_a_phone_and_a_desktop(
    screenshots, new_page, log_in, manager, officer, provider_a, viewport, name
):
    services.statements_compute(actor=officer, month=MAY)
    statement = Statement.objects.get(provider=provider_a)
    simulation = f"?scheme={IncentiveScheme.objects.get().pk}&first=2003-05&last=2003-06"
    page = log_in(new_page(viewport=viewport), manager)
    for label, url in [
        ("statements", reverse("incentives:statements") + "?month=2003-05"),
        ("statement", reverse("incentives:statement_detail", args=[statement.pk])),
        ("schemes", reverse("incentives:schemes")),
        ("scheme-form", reverse("incentives:scheme_create")),
        ("simulator", reverse("incentives:simulator") + simulation),
        ("packages", reverse("incentives:packages")),
        ("package", reverse("incentives:package_detail", args=[provider_a.package.pk])),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=screenshots / f"incentives-{label}-{name}.png", full_page=True)
        fits(page, viewport)
