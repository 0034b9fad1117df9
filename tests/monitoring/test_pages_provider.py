"""A provider's pages: its months, a month's rows, the forms that add and correct rows, the
cost report, sending the report, asking for an amendment. Each write is checked in the
database."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import (
    CostReport,
    Delivery,
    ImportBatch,
    Submission,
    SubmissionStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(staff_a, provider_a, delivery_row) -> Submission:
    """provider_a's report of May 2003 with two rows of 30.00, a draft."""
    services.deliveries_store(
        actor=staff_a,
        rows=[
            delivery_row(provider_a, reference="A-1"),
            delivery_row(provider_a, reference="A-2", client_id="C-17"),
        ],
        source="form",
    )
    return Submission.objects.get(provider=provider_a)


@pytest.fixture
def row_data(lima, garments):
    """Return the fields of the delivery form as a browser posts them (override any)."""

    def make(**overrides: str) -> dict[str, str]:
        data = {
            "date": "2003-05-14",
            "client_id": "10203040",
            "client_type": "micro",
            "client_gender": "female",
            "client_sector": str(garments.pk),
            "client_city": str(lima.pk),
            "service_type": "technical_assistance",
            "service_name": "Costeo de prendas",
            "participants": "1",
            "price": "40.00",
            "paid_by_client": "",
            "paid_by_voucher": "10",
            "voucher_code": "BP-0009",
            "paid_by_third_party": "",
            "third_party": "",
        }
        return {**data, **overrides}

    return make


def page(response) -> str:
    return response.content.decode()


# My reports


def test_my_reports_lists_each_month_with_status_due_date_rows_and_income(login, staff_a, report):
    response = login(staff_a).get(reverse("monitoring:my_reports"))
    text = page(response)
    assert reverse("monitoring:submission_detail", args=[report.pk]) in text
    assert "May 2003" in text
    assert "Draft" in text
    assert "60.00" in text
    # Due on 10 June 2003 and never sent: late.
    assert 'class="late"' in text


def test_my_reports_offers_the_months_past_due_that_were_never_opened(
    login, staff_a, provider_a, report
):
    # Active since April 2003: every month since then is owed until it is sent.
    provider_a.status_changes.update(date=date(2003, 4, 1))
    response = login(staff_a).get(reverse("monitoring:my_reports"))
    text = page(response)
    assert "Months not reported yet" in text
    owed = [report.month for report in response.context["owed"]]
    assert date(2003, 4, 1) in owed
    # May has a report already: it is listed as a month, not offered again.
    assert date(2003, 5, 1) not in owed
    # The latest months are offered first; the rest are counted.
    assert 'value="2003-04"' not in text
    assert f"and {len(owed) - 6} more" in text


def test_opening_a_month_makes_its_draft_report(login, staff_a, provider_a):
    response = login(staff_a).post(reverse("monitoring:month_open"), {"month": "2003-07"})
    submission = Submission.objects.get(provider=provider_a)
    assert submission.period.month == date(2003, 7, 1)
    assert submission.status == SubmissionStatus.DRAFT
    assert response["Location"] == reverse("monitoring:submission_detail", args=[submission.pk])


def test_a_month_that_has_not_begun_cannot_be_opened(login, staff_a):
    next_year = date.today().year + 1
    response = login(staff_a).post(
        reverse("monitoring:month_open"), {"month": f"{next_year}-01"}, follow=True
    )
    assert "has not begun yet" in page(response)
    assert not Submission.objects.exists()


# A month's page


def test_the_month_shows_its_rows_figures_and_the_ways_to_add_rows(login, staff_a, report):
    text = page(login(staff_a).get(reverse("monitoring:submission_detail", args=[report.pk])))
    assert "C-17" in text and "44556677" in text
    for name in ("delivery_create", "training_create", "cost_report_edit", "submission_submit"):
        assert reverse(f"monitoring:{name}", args=[report.pk]) in text
    row = report.deliveries.first()
    assert reverse("monitoring:delivery_edit", args=[row.pk]) in text


def test_the_upload_link_shows_only_when_the_import_lets_the_user_in(login, staff_a, report):
    from bdsmarket.core.tabular import importer_class

    text = page(login(staff_a).get(reverse("monitoring:submission_detail", args=[report.pk])))
    upload = reverse("imports:upload", args=["deliveries"])
    importer = importer_class("deliveries")
    assert (upload in text) == bool(importer and importer.can_import(staff_a))


def test_the_months_rows_are_paginated(login, staff_a, provider_a, delivery_row):
    rows = [delivery_row(provider_a, reference=f"R-{n}") for n in range(55)]
    services.deliveries_store(actor=staff_a, rows=rows, source="file")
    submission = Submission.objects.get()
    url = reverse("monitoring:submission_detail", args=[submission.pk])
    text = page(login(staff_a).get(url))
    assert text.count('id="row-') == 50
    assert "Page 1 of 2" in text
    assert page(login(staff_a).get(url + "?page=2")).count('id="row-') == 5


# One delivery


def test_the_form_adds_one_delivery_and_the_client_pays_the_rest(
    login, staff_a, report, row_data, garments
):
    url = reverse("monitoring:delivery_create", args=[report.pk])
    response = login(staff_a).post(url, row_data())
    assert response.status_code == 302
    delivery = Delivery.objects.get(client_id="10203040")
    assert delivery.submission == report
    assert delivery.date == date(2003, 5, 14)
    assert delivery.client_sector == garments
    assert delivery.service_type == "technical_assistance"
    assert (delivery.price, delivery.paid_by_client, delivery.paid_by_voucher) == (
        Decimal("40.00"),
        Decimal("30.00"),
        Decimal("10.00"),
    )
    assert delivery.batch.source == ImportBatch.Source.FORM
    assert delivery.batch.created_by == staff_a


def test_the_delivery_form_is_one_column_with_big_inputs_for_phones(login, staff_a, report):
    text = page(login(staff_a).get(reverse("monitoring:delivery_create", args=[report.pk])))
    assert 'class="form phone-form"' in text
    assert 'inputmode="decimal"' in text
    assert 'min="2003-05-01"' in text and 'max="2003-05-31"' in text


def test_save_and_add_another_comes_back_to_an_empty_form(login, staff_a, report, row_data):
    url = reverse("monitoring:delivery_create", args=[report.pk])
    response = login(staff_a).post(url, {**row_data(), "another": "1"})
    assert response["Location"] == url
    assert Delivery.objects.filter(client_id="10203040").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"client_id": "20100047219"}, "client_id", "a DNI (8 digits) or a RUC"),
        ({"paid_by_client": "25"}, "price", "which is 35.00"),
        ({"voucher_code": ""}, "voucher_code", "the voucher&#x27;s code"),
        ({"date": "2003-06-02"}, "date", "is not in 2003-05"),
        ({"price": "-1"}, "price", "greater than or equal to 0"),
        ({"paid_by_voucher": "50"}, "paid_by_voucher", "are more than the price"),
        ({"client_type": ""}, "client_type", "This field is required"),
    ],
)
def test_a_wrong_delivery_is_refused_with_a_message_next_to_its_field(
    login, staff_a, report, row_data, overrides, field, message
):
    url = reverse("monitoring:delivery_create", args=[report.pk])
    response = login(staff_a).post(url, row_data(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert field in response.context["form"].errors
    assert not Delivery.objects.filter(client_id__in=["10203040", "20100047219"]).exists()


def test_the_same_delivery_sent_twice_is_stored_once(login, staff_a, report, row_data):
    client = login(staff_a)
    url = reverse("monitoring:delivery_create", args=[report.pk])
    client.post(url, row_data())
    response = client.post(url, row_data(), follow=True)
    assert "already in the report" in page(response)
    assert Delivery.objects.filter(client_id="10203040").count() == 1


def test_correcting_a_row_stores_the_change_and_keeps_the_before(login, staff_a, report, row_data):
    row = report.deliveries.get(reference="A-1")
    url = reverse("monitoring:delivery_edit", args=[row.pk])
    form = row_data(
        date="2003-05-12",
        client_id="44556677",
        price="35.00",
        paid_by_client="25.00",
        paid_by_voucher="10.00",
        voucher_code="BP-0001",
    )
    response = login(staff_a).post(url, form)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.price, row.paid_by_client) == (Decimal("35.00"), Decimal("25.00"))
    history = list(row.history.order_by("history_date"))
    assert [h.price for h in history] == [Decimal("30.00"), Decimal("35.00")]
    assert history[-1].history_user == staff_a


def test_removing_a_row_asks_first_then_removes_it(login, staff_a, report):
    row = report.deliveries.get(reference="A-1")
    client = login(staff_a)
    url = reverse("monitoring:delivery_delete", args=[row.pk])
    assert "Remove the row" in page(client.get(url))
    assert Delivery.objects.filter(pk=row.pk).exists()
    client.post(url)
    assert not Delivery.objects.filter(pk=row.pk).exists()
    assert report.deliveries.count() == 1


# A training event


def _event_data(lima, garments, participants: list[dict[str, str]], total: int = 5) -> dict:
    data = {
        "date": "2003-05-20",
        "service_type": "training",
        "service_name": "Taller de costos",
        "price": "25.00",
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "200",
    }
    for index in range(total):
        # An empty box as a browser sends it: only the preselected city.
        data.update(
            {
                f"form-{index}-client_city": str(lima.pk),
                f"form-{index}-client_sector": "",
                f"form-{index}-client_type": "",
                f"form-{index}-client_gender": "",
            }
        )
    for index, person in enumerate(participants):
        values = {
            "client_type": "micro",
            "client_gender": "female",
            "client_sector": str(garments.pk),
            "client_city": str(lima.pk),
            **person,
        }
        data.update({f"form-{index}-{name}": value for name, value in values.items()})
    return data


def test_a_training_event_stores_one_delivery_per_participant(
    login, staff_a, report, lima, garments
):
    people = [
        {"client_id": "10203040"},
        {
            "client_id": "C-88",
            "client_gender": "male",
            "paid_by_voucher": "15",
            "voucher_code": "BP-1",
        },
        {"client_id": "C-89", "paid_by_third_party": "25", "third_party": "Municipalidad"},
    ]
    url = reverse("monitoring:training_create", args=[report.pk])
    response = login(staff_a).post(url, _event_data(lima, garments, people))
    assert response.status_code == 302
    rows = Delivery.objects.filter(service_name="Taller de costos").order_by("client_id")
    assert rows.count() == 3
    assert {(r.participants, r.price, r.date) for r in rows} == {
        (1, Decimal("25.00"), date(2003, 5, 20))
    }
    by_client = {r.client_id: r for r in rows}
    assert by_client["10203040"].paid_by_client == Decimal("25.00")
    assert (by_client["C-88"].paid_by_client, by_client["C-88"].paid_by_voucher) == (
        Decimal("10.00"),
        Decimal("15.00"),
    )
    assert by_client["C-89"].paid_by_third_party == Decimal("25.00")
    assert by_client["C-89"].paid_by_client == Decimal("0.00")
    assert {r.batch_id for r in rows} == {rows[0].batch_id}
    assert rows[0].batch.source == ImportBatch.Source.FORM


def test_a_training_event_with_one_wrong_participant_stores_nothing(
    login, staff_a, report, lima, garments
):
    people = [{"client_id": "10203040"}, {"client_id": "20100047219"}]
    url = reverse("monitoring:training_create", args=[report.pk])
    response = login(staff_a).post(url, _event_data(lima, garments, people))
    assert response.status_code == 200
    participants = response.context["participants"]
    assert "client_id" in participants.forms[1].errors
    assert not Delivery.objects.filter(service_name="Taller de costos").exists()


def test_a_training_event_needs_a_participant(login, staff_a, report, lima, garments):
    url = reverse("monitoring:training_create", args=[report.pk])
    response = login(staff_a).post(url, _event_data(lima, garments, []))
    assert response.status_code == 200
    assert not Delivery.objects.filter(service_name="Taller de costos").exists()


def test_more_participants_adds_empty_boxes_and_keeps_what_was_typed(
    login, staff_a, report, lima, garments
):
    data = {**_event_data(lima, garments, [{"client_id": "C-70"}]), "more": "1"}
    url = reverse("monitoring:training_create", args=[report.pk])
    response = login(staff_a).post(url, data)
    assert response.status_code == 200
    participants = response.context["participants"]
    assert len(participants.forms) == 10
    assert 'value="C-70"' in page(response)
    assert "This field is required" not in page(response)
    assert not Delivery.objects.filter(service_name="Taller de costos").exists()


# The cost report


def test_the_cost_report_is_stored_for_the_month(login, staff_a, report):
    url = reverse("monitoring:cost_report_edit", args=[report.pk])
    data = {
        "staff_costs": "1200.50",
        "premises_costs": "300",
        "other_costs": "80",
        "other_income": "",
        "staff_count": "3",
    }
    assert login(staff_a).post(url, data).status_code == 302
    cost = CostReport.objects.get(submission=report)
    assert (cost.staff_costs, cost.other_income, cost.staff_count) == (
        Decimal("1200.50"),
        Decimal("0.00"),
        3,
    )
    response = login(staff_a).get(url)
    assert 'value="1200.50"' in page(response)


def test_a_negative_cost_is_refused(login, staff_a, report):
    url = reverse("monitoring:cost_report_edit", args=[report.pk])
    data = {"staff_costs": "-5", "premises_costs": "0", "other_costs": "0"}
    response = login(staff_a).post(url, data)
    assert response.status_code == 200
    assert "staff_costs" in response.context["form"].errors
    assert not CostReport.objects.exists()


# Sending and amending


def test_sending_the_report_puts_it_in_review(login, staff_a, report):
    response = login(staff_a).post(
        reverse("monitoring:submission_submit", args=[report.pk]), follow=True
    )
    report.refresh_from_db()
    assert report.status == SubmissionStatus.SUBMITTED
    assert report.submitted_by == staff_a
    assert "sent to the program for review" in page(response)
    # Nothing to add or change any more.
    assert reverse("monitoring:delivery_create", args=[report.pk]) not in page(response)


def test_provider_staff_ask_for_an_amendment_of_an_approved_month_with_a_reason(
    login, staff_a, officer, report
):
    services.submission_submit(actor=staff_a, submission=report)
    services.submission_approve(actor=officer, submission=report)
    client = login(staff_a)
    url = reverse("monitoring:submission_amend", args=[report.pk])
    assert url in page(client.get(reverse("monitoring:submission_detail", args=[report.pk])))
    response = client.post(url, {"reason": ""})
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "Two courses were entered in June by mistake"})
    report.refresh_from_db()
    assert (report.status, report.version) == (SubmissionStatus.DRAFT, 2)
    assert report.amendment_reason == "Two courses were entered in June by mistake"
    text = page(client.get(reverse("monitoring:submission_detail", args=[report.pk])))
    assert escape("Two courses were entered in June by mistake") in text
    assert reverse("monitoring:submission_changes", args=[report.pk]) in text


# One row's trail


def test_a_rows_page_says_where_it_came_from_and_what_changed(login, staff_a, auditor, report):
    row = report.deliveries.get(reference="A-1")
    services.delivery_update(
        actor=staff_a,
        delivery=row,
        changes={"price": Decimal("35.00"), "paid_by_client": Decimal("25.00")},
    )
    url = reverse("monitoring:delivery_detail", args=[row.pk])
    for user in (staff_a, auditor):
        response = login(user).get(url)
        text = page(response)
        assert "Form" in text and "staff_a" in text
        changes = {(h.field, h.before, h.after) for h in response.context["history"]}
        assert ("price", "30.00", "35.00") in changes
    assert reverse("monitoring:delivery_edit", args=[row.pk]) in page(login(staff_a).get(url))
    assert reverse("monitoring:delivery_edit", args=[row.pk]) not in page(login(auditor).get(url))
