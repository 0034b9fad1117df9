"""Each role in a real browser: where they land, the language switch, what they may list."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bdsmarket.core.models import User
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ServiceType

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

PROGRAM_ROLES = ["manager", "officer", "auditor", "evaluator"]


@pytest.mark.parametrize("role", PROGRAM_ROLES)
def test_program_roles_land_on_the_program_at_a_glance(
    request, page, log_in, role, provider_a, provider_b
):
    log_in(page, request.getfixturevalue(role))
    expect(page.locator("h1")).to_have_text("The program at a glance")
    expect(page.locator("#by-status")).to_be_visible()
    enterprises_link = page.locator("nav.main-nav").get_by_role("link", name="Enterprises")
    expect(enterprises_link).to_have_count(0 if role == "evaluator" else 1)


def test_provider_staff_land_on_their_own_provider(page, log_in, staff_a, provider_a, provider_b):
    log_in(page, staff_a)
    expect(page.locator("h1")).to_have_text(provider_a.name)
    expect(page.get_by_text(provider_b.name)).to_have_count(0)
    page.locator("nav.main-nav").get_by_role("link", name="My provider").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("registry:provider_detail", args=[provider_a.pk])) + "$")
    )
    # Guessing the list's address still shows only their own provider.
    page.goto(reverse("registry:provider_list"))
    expect(page.locator("h1")).to_have_text(provider_a.name)
    response = page.goto(reverse("registry:provider_detail", args=[provider_b.pk]))
    assert response is not None and response.status == 404


def test_the_language_switch_changes_the_page_and_is_remembered(page, log_in, manager):
    log_in(page, manager)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("es")
    expect(html).to_have_attribute("lang", "es")
    manager.refresh_from_db()
    assert manager.language == "es"
    page.locator("#language-select").select_option("en")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("The program at a glance")
    assert User.objects.get(pk=manager.pk).language == "en"


def test_staff_filter_the_provider_list_in_place(page, log_in, officer, provider_a, provider_b):
    log_in(page, officer)
    page.locator("nav.main-nav").get_by_role("link", name="Providers").click()
    rows = page.locator("#provider-results tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Code or name").fill("Chiclayo")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(provider_b.code)
    expect(page).to_have_url(re.compile(r"q=Chiclayo"))
    page.get_by_label("Code or name").fill("")
    page.get_by_label("Status").select_option("suspended")
    expect(page.locator("#provider-results")).to_contain_text("No provider matches")


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_pages_fit_a_phone_and_a_desktop(
    screenshots,
    new_page,
    log_in,
    manager,
    staff_a,
    provider_a,
    provider_b,
    garments,
    viewport,
    name,
):
    registry.service_create(
        actor=manager,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Costing for garment makers",
        price=120,
        sectors=[garments],
        description="Two evenings a week for a month",
    )
    registry.provider_update(actor=manager, provider=provider_a, changes={"phone": "01 555"})
    page = log_in(new_page(viewport=viewport), manager)
    page.screenshot(path=screenshots / f"home-{name}.png", full_page=True)
    page.goto(reverse("registry:provider_list"))
    page.screenshot(path=screenshots / f"providers-{name}.png", full_page=True)
    page.goto(reverse("registry:provider_detail", args=[provider_a.pk]))
    page.screenshot(path=screenshots / f"provider-{name}.png", full_page=True)
    # Nothing but the tables' own boxes may scroll sideways.
    body_width = page.evaluate("document.documentElement.scrollWidth")
    assert body_width <= viewport["width"]
    staff_page = log_in(new_page(viewport=viewport), staff_a)
    staff_page.screenshot(path=screenshots / f"provider-home-{name}.png", full_page=True)
    assert staff_page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    staff_page.goto(reverse("api_tokens"))
    staff_page.get_by_label("Name").fill("Our accounting system")
    staff_page.get_by_role("button", name="Create token").click()
    expect(staff_page.locator("#new-key")).to_have_value(re.compile(r"^bds_"))
    assert staff_page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
