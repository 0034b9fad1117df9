"""A month's report in a real browser: the provider uploads its file (sees an error, fixes
it), enters the cost report and sends the report; the officer returns one row with a
comment; the provider sees it next to the row, corrects the row and sends again; the
officer approves. And the monitoring pages fit a phone and a desktop."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Delivery, Submission, SubmissionStatus

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

HEADER = (
    "provider_code;date;client_id;client_type;client_gender;client_sector;client_city;"
    "service_type;service_name;participants;price;paid_by_client;paid_by_voucher;"
    "voucher_code;reference"
)
COURSE = (
    "CDE-LIM-01;12/05/2003;44556677;micro;female;garments;Lima;training;Costos;1;"
    "30,00;20,00;10,00;BP-1;M-1"
)
WORKSHOP = (
    "CDE-LIM-01;20/05/2003;C-18;pre_enterprise;female;commerce;Huanuco;training;Taller;1;"
    "20,00;20,00;0;;M-3"
)


def assistance(paid_by_client: str) -> str:
    return (
        "CDE-LIM-01;13/05/2003;C-17;small;male;garments;Lima;technical_assistance;"
        f"Asesoría;1;50,00;{paid_by_client};0;;M-2"
    )


def csv_file(*rows: str) -> dict:
    """A file as Excel in Spanish saves it: semicolons, decimal commas, Windows-1252."""
    content = "\r\n".join([HEADER, *rows]) + "\r\n"
    return {"name": "mayo-2003.csv", "mimeType": "text/csv", "buffer": content.encode("cp1252")}


def upload(page: Page, file: dict) -> None:
    page.locator("input[type=file]").set_input_files(files=[file])
    page.locator("main form.import-form button[type=submit]").click()


@pytest.fixture
def delivery_row(lima, garments):
    """Return a function making a valid delivery of May 2003 (override any field)."""

    def make(provider, **overrides) -> services.DeliveryInput:
        values = {
            "provider": provider,
            "date": date(2003, 5, 12),
            "client_id": "44556677",
            "client_type": "micro",
            "client_gender": "female",
            "client_sector": garments,
            "client_city": lima,
            "service_type": "training",
            "service_name": "Costos para confeccionistas",
            "price": Decimal("30.00"),
            "paid_by_client": Decimal("20.00"),
            "paid_by_voucher": Decimal("10.00"),
            "voucher_code": "BP-0001",
        }
        return services.DeliveryInput(**{**values, **overrides})

    return make


def fits(page: Page, viewport: dict) -> None:
    """Nothing but the tables' own boxes may scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_month_is_uploaded_returned_on_one_row_corrected_and_approved(
    new_page, log_in, staff_a, officer, provider_a
):
    # The provider, on a phone.
    provider = log_in(new_page(viewport=PHONE), staff_a)
    provider.locator("nav.main-nav").get_by_role("link", name="Reports").click()
    expect(provider.locator("h1")).to_have_text("Our monthly reports")
    provider.get_by_role("link", name="Upload a file of deliveries").click()

    upload(provider, csv_file(COURSE, assistance("45,00"), WORKSHOP))
    expect(provider.locator(".import-result")).to_contain_text("The file was not imported")
    errors = provider.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")
    expect(errors.first).to_contain_text("price")
    expect(errors.first).to_contain_text("45.00")
    assert not Delivery.objects.exists()

    upload(provider, csv_file(COURSE, assistance("50,00"), WORKSHOP))
    expect(provider.locator(".import-result")).to_contain_text("The file was imported")
    assert Delivery.objects.count() == 3

    provider.locator("nav.main-nav").get_by_role("link", name="Reports").click()
    provider.get_by_role("link", name="May 2003").click()
    expect(provider.locator("h1")).to_have_text("Report of May 2003")
    expect(provider.locator("#deliveries-section tbody tr[id^=row-]")).to_have_count(3)
    fits(provider, PHONE)

    provider.get_by_role("link", name="Enter the cost report").click()
    provider.get_by_label("Staff costs").fill("1200")
    provider.get_by_label("Premises costs").fill("300")
    provider.get_by_label("Other costs").fill("80.50")
    provider.get_by_label("Staff", exact=True).fill("3")
    provider.get_by_role("button", name="Save").click()
    expect(provider.locator(".messages")).to_contain_text("The cost report was saved.")
    expect(provider.locator("dl.facts")).to_contain_text("1,580.50")

    provider.get_by_role("button", name="Send the report for review").click()
    expect(provider.locator(".messages")).to_contain_text("sent to the program for review")
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.SUBMITTED

    # The officer, at a desk, returns the assistance row with a comment.
    officer_page = log_in(new_page(viewport=DESKTOP), officer)
    officer_page.locator("nav.main-nav").get_by_role("link", name="Reports").click()
    expect(officer_page.locator("h1")).to_have_text("Monthly reports")
    officer_page.locator("#queue-results").get_by_role("link", name=re.compile("May 2003")).click()
    expect(officer_page.locator("h1")).to_have_text("Report of May 2003")
    row = Delivery.objects.get(client_id="C-17")
    officer_page.locator(f"#comment-{row.pk}").fill("The client says the price was 45.")
    officer_page.get_by_role("button", name="Return to the provider").click()
    expect(officer_page.locator(".messages")).to_contain_text("returned to the provider")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED

    # The provider sees the comment next to the row, corrects it and sends again.
    provider.reload()
    expect(provider.locator(".notice.returned")).to_contain_text("returned this report")
    comment = provider.locator(f"#row-{row.pk} + tr.row-comment")
    expect(comment).to_contain_text("The client says the price was 45.")
    provider.locator(f"#row-{row.pk}").get_by_role("link", name=re.compile("^Edit")).click()
    expect(provider.locator(".notice.returned")).to_contain_text("the price was 45")
    provider.get_by_label("Price", exact=True).fill("45")
    provider.get_by_label("Paid by the client").fill("45")
    fits(provider, PHONE)
    provider.get_by_role("button", name="Save", exact=True).click()
    expect(provider.locator(".messages")).to_contain_text("The row was saved.")
    row.refresh_from_db()
    assert row.price == Decimal("45.00")
    provider.get_by_role("button", name="Send the corrected report").click()
    expect(provider.locator(".messages")).to_contain_text("sent to the program for review")

    # The officer approves.
    officer_page.goto(reverse("monitoring:review_queue"))
    expect(officer_page.locator("#queue-results")).to_contain_text("Resubmitted")
    officer_page.locator("#queue-results").get_by_role("link", name=re.compile("May 2003")).click()
    officer_page.get_by_role("button", name="Approve version 1").click()
    expect(officer_page.locator(".messages")).to_contain_text("Version 1 was approved.")
    expect(officer_page.locator(".subtitle .status")).to_have_text("Approved")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.approved_versions.get().deliveries[1]["price"] == "45.00"


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_monitoring_pages_fit_a_phone_and_a_desktop(
    screenshots,
    new_page,
    log_in,
    staff_a,
    officer,
    provider_a,
    delivery_row,
    chiclayo,
    viewport,
    name,
):
    services.deliveries_store(
        actor=staff_a,
        rows=[
            delivery_row(provider_a, reference="A-1"),
            delivery_row(provider_a, reference="A-2", client_id="C-17", client_type="small"),
            delivery_row(
                provider_a,
                reference="A-3",
                client_id="C-18",
                client_city=chiclayo,
                price=Decimal("1250.50"),
                paid_by_client=Decimal("250.50"),
                paid_by_voucher=Decimal("0"),
                voucher_code="",
                paid_by_third_party=Decimal("1000"),
                third_party="Municipalidad Provincial",
            ),
        ],
        source="file",
    )
    submission = Submission.objects.get()
    services.submission_submit(actor=staff_a, submission=submission)
    services.submission_return(
        actor=officer,
        submission=submission,
        comment="Check the third party's part.",
        row_comments={submission.deliveries.get(reference="A-3").pk: "Was it 1,000?"},
    )

    provider = log_in(new_page(viewport=viewport), staff_a)
    for label, url in [
        ("my-reports", reverse("monitoring:my_reports")),
        ("month", reverse("monitoring:submission_detail", args=[submission.pk])),
        ("delivery-form", reverse("monitoring:delivery_create", args=[submission.pk])),
        ("training-form", reverse("monitoring:training_create", args=[submission.pk])),
        ("cost-form", reverse("monitoring:cost_report_edit", args=[submission.pk])),
    ]:
        provider.goto(url)
        provider.screenshot(path=screenshots / f"monitoring-{label}-{name}.png", full_page=True)
        fits(provider, viewport)

    services.submission_submit(actor=staff_a, submission=submission)
    staff = log_in(new_page(viewport=viewport), officer)
    rows_url = (
        reverse("monitoring:rows") + f"?provider={provider_a.pk}&month=2003-05&payer=third_party"
    )
    for label, url in [
        ("queue", reverse("monitoring:review_queue")),
        ("review", reverse("monitoring:submission_detail", args=[submission.pk])),
        ("rows", rows_url),
        ("overdue", reverse("monitoring:overdue")),
    ]:
        staff.goto(url)
        staff.screenshot(path=screenshots / f"monitoring-{label}-{name}.png", full_page=True)
        fits(staff, viewport)
    expect(staff.locator("h1")).to_have_text("Late reports")

    services.submission_approve(actor=officer, submission=submission)
    services.submission_amend(actor=officer, submission=submission, reason="A wrong price")
    services.delivery_update(
        actor=officer,
        delivery=submission.deliveries.get(reference="A-1"),
        changes={"price": Decimal("35.00"), "paid_by_client": Decimal("25.00")},
    )
    staff.goto(reverse("monitoring:submission_changes", args=[submission.pk]))
    staff.screenshot(path=screenshots / f"monitoring-changes-{name}.png", full_page=True)
    fits(staff, viewport)
    expect(staff.locator("table.changes")).to_contain_text("35.00")
