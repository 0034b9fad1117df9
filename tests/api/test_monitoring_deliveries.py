"""Deliveries over the API: batches validated like files, idempotent, scoped to the caller."""

from datetime import date
from decimal import Decimal

import pytest

from bdsmarket.monitoring import permissions
from bdsmarket.monitoring import queries as monitoring_queries
from bdsmarket.monitoring.models import Delivery, ImportBatch, Submission, SubmissionStatus
from bdsmarket.monitoring.services import (
    DeliveryInput,
    deliveries_store,
    submission_get_or_create,
)
from bdsmarket.registry.models import Sector

from .helpers import assert_error, detail_at

ROW = {
    "provider_code": "CDE-LIM-01",
    "date": "2003-05-12",
    "client_id": "44556677",
    "client_type": "micro",
    "client_gender": "female",
    "client_sector": "garments",
    "client_city": "Lima",
    "service_type": "training",
    "price": "30.00",
    "paid_by_client": 20,
    "paid_by_voucher": 10.0,
    "voucher_code": "BP-0001",
}


def row(**changes) -> dict:
    return {**ROW, **changes}


# Sending


def test_provider_staff_send_a_batch_and_it_is_stored(api_as, staff_a, provider_a):
    batch = [row(reference="R-1"), row(reference="R-2", client_id="C-1", participants=3)]

    response = api_as(staff_a).post("/deliveries", batch)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["unchanged"]) == (2, 0)
    import_batch = ImportBatch.objects.get(pk=body["batch"])
    assert (import_batch.source, import_batch.rows, import_batch.created_by) == ("api", 2, staff_a)
    stored = Delivery.objects.order_by("reference")
    assert [(d.reference, d.provider, d.participants) for d in stored] == [
        ("R-1", provider_a, 1),
        ("R-2", provider_a, 3),
    ]
    assert stored[0].price == Decimal("30.00")


def test_values_are_taken_as_in_a_file(api_as, manager, provider_a):
    response = api_as(manager).post(
        "/deliveries",
        [
            row(
                date="12/05/2003",
                client_type="Microempresa",
                client_gender="Mujer",
                client_city="lima",
                client_sector="14",
                service_type="Capacitación",
                price="1.234,50",
                paid_by_client="1234,50",
                paid_by_voucher=None,
                voucher_code=None,
                client_id=44556677,
            )
        ],
    )

    assert response.status_code == 200, response.content
    delivery = Delivery.objects.get()
    assert (delivery.date, delivery.client_type, delivery.client_gender) == (
        date(2003, 5, 12),
        "micro",
        "female",
    )
    assert (delivery.service_type, delivery.price, delivery.client_id) == (
        "training",
        Decimal("1234.50"),
        "44556677",
    )


def test_sending_the_same_batch_again_stores_nothing_new(api_as, staff_a, provider_a):
    client = api_as(staff_a)
    batch = [row(reference="R-1"), row(), row()]

    first = client.post("/deliveries", batch).json()
    again = client.post("/deliveries", batch).json()

    assert (first["created"], first["unchanged"]) == (3, 0)
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert Delivery.objects.count() == 3


# Refusing


def test_a_batch_with_wrong_rows_is_refused_whole_with_details_per_row_and_field(
    api_as, manager, provider_a
):
    batch = [
        row(reference="R-1"),
        row(price="31", client_city="Atlantis"),
        row(client_id="20100047219", participants=0),
        row(reference="R-1", client_type=None),
    ]

    response = api_as(manager).post("/deliveries", batch)

    error = assert_error(response, 422, "validation_error")
    located = [(detail["loc"], detail["code"]) for detail in error["details"]]
    assert located == [
        (["body", 1, "client_city"], "invalid"),
        (["body", 1, "price"], "invalid"),
        (["body", 2, "client_id"], "invalid"),
        (["body", 2, "participants"], "invalid"),
        (["body", 3, "client_type"], "missing"),
        (["body", 3, "reference"], "invalid"),
    ]
    assert detail_at(error, "body", 1, "price")["message"].startswith(
        "“31” (expected: the sum of the parts paid by the client, by voucher and by third "
        "parties, which is 30.00)"
    )
    assert detail_at(error, "body", 3, "reference")["message"] == (
        "“R-1” (expected: a value not already used in item 0 of this request)"
    )
    assert detail_at(error, "body", 3, "client_type")["message"].startswith("Nothing given")
    assert Delivery.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_the_details_speak_the_request_s_language(api_as, manager, provider_a):
    response = api_as(manager, language="es").post("/deliveries", [row(participants="dos")])

    error = assert_error(response, 422, "validation_error")
    assert error["message"] == "La solicitud tiene valores no válidos; vea los detalles."
    assert "un número entero" in detail_at(error, "body", 0, "participants")["message"]


def test_a_value_of_the_wrong_json_type_is_judged_like_a_cell(api_as, manager, provider_a):
    response = api_as(manager).post("/deliveries", [row(date={"day": 12})])

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", 0, "date")["message"].endswith(
        "(expected: a date such as 2003-05-31 or 31/05/2003)"
    )


def test_an_unknown_field_is_refused(api_as, manager, provider_a):
    response = api_as(manager).post("/deliveries", [row(colour="red")])

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", 0, "colour")["code"] == "extra_forbidden"


def test_an_empty_or_oversized_batch_is_refused(api_as, manager, provider_a, monkeypatch):
    from bdsmarket.monitoring import api

    client = api_as(manager)
    assert detail_at(assert_error(client.post("/deliveries", []), 422, "validation_error"), "body")
    monkeypatch.setattr(api, "MAX_ROWS", 2)
    error = assert_error(client.post("/deliveries", [row()] * 3), 422, "validation_error")
    assert detail_at(error, "body")["code"] == "too_many_rows"
    assert Delivery.objects.count() == 0


def test_rows_of_a_report_under_review_are_refused(api_as, staff_a, provider_a):
    submission = submission_get_or_create(actor=None, provider=provider_a, month=date(2003, 5, 1))
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.SUBMITTED)

    response = api_as(staff_a).post("/deliveries", [row()])

    error = assert_error(response, 422, "validation_error")
    assert "under review" in detail_at(error, "body", 0, "date")["message"]
    assert Delivery.objects.count() == 0


# Who may send


def test_staff_b_cannot_send_rows_of_provider_a(api_as, staff_b, provider_a):
    response = api_as(staff_b).post("/deliveries", [row()])

    error = assert_error(response, 422, "validation_error")
    assert (
        "your own provider's code (CDE-CIX-01)"
        in (detail_at(error, "body", 0, "provider_code")["message"])
    )
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize("role", ["evaluator", "auditor"])
def test_evaluators_and_auditors_cannot_send_deliveries(api_as, request, role, provider_a):
    response = api_as(request.getfixturevalue(role)).post("/deliveries", [row()])

    assert_error(response, 403, "permission_denied")
    assert Delivery.objects.count() == 0


def test_an_anonymous_caller_is_asked_to_authenticate(api_as, provider_a):
    assert_error(api_as(None).post("/deliveries", [row()]), 401, "not_authenticated")


def test_a_browser_session_needs_the_csrf_token_to_send(session_as, staff_a, provider_a):
    assert_error(session_as(staff_a).post("/deliveries", [row()]), 403, "csrf_failed")


# Listing


def _input(provider, city, **changes) -> DeliveryInput:
    values = {
        "provider": provider,
        "date": date(2003, 5, 12),
        "client_id": "44556677",
        "client_type": "micro",
        "client_gender": "female",
        "client_sector": Sector.objects.get(code="garments"),
        "client_city": city,
        "service_type": "training",
        "price": Decimal("30.00"),
        "paid_by_client": Decimal("20.00"),
        "paid_by_voucher": Decimal("10.00"),
        "voucher_code": "BP-0001",
    }
    return DeliveryInput(**{**values, **changes})


@pytest.fixture
def stored(provider_a, provider_b, lima, chiclayo):
    """Three rows of provider_a (two in May, one in June) and one of provider_b."""
    deliveries_store(
        actor=None,
        rows=[
            _input(provider_a, lima, reference="A-1"),
            _input(provider_a, lima, reference="A-2", service_type="information"),
            _input(provider_a, lima, reference="A-3", date=date(2003, 6, 2), client_type="small"),
            _input(provider_b, chiclayo, reference="B-1"),
        ],
        source="demo",
    )


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


def test_staff_b_never_sees_provider_a_s_rows(api_as, staff_b, stored, provider_a):
    client = api_as(staff_b)

    assert references(client.get("/deliveries")) == ["B-1"]
    assert references(client.get("/deliveries", {"provider": provider_a.pk})) == []


def test_program_staff_and_auditors_see_every_row(api_as, officer, auditor, stored):
    for user in (officer, auditor):
        assert references(api_as(user).get("/deliveries")) == ["A-1", "A-2", "B-1", "A-3"]


def test_an_evaluator_sees_no_row(api_as, evaluator, stored):
    assert references(api_as(evaluator).get("/deliveries")) == []


def test_rows_are_filtered_by_provider_month_service_and_client_type(
    api_as, manager, stored, provider_b
):
    client = api_as(manager)

    assert references(client.get("/deliveries", {"provider": provider_b.pk})) == ["B-1"]
    assert references(client.get("/deliveries", {"month": "2003-06"})) == ["A-3"]
    assert references(client.get("/deliveries", {"service_type": "information"})) == ["A-2"]
    assert references(client.get("/deliveries", {"client_type": "small"})) == ["A-3"]
    error = assert_error(client.get("/deliveries", {"month": "junio"}), 422, "validation_error")
    assert detail_at(error, "query", "month")


def test_rows_are_paged_and_described_in_full(api_as, manager, stored, provider_a):
    response = api_as(manager).get("/deliveries", {"limit": 2, "offset": 1})

    body = response.json()
    assert body["count"] == 4
    assert [item["reference"] for item in body["items"]] == ["A-2", "B-1"]
    item = body["items"][0]
    assert item["provider"] == {"id": provider_a.pk, "code": "CDE-LIM-01", "name": provider_a.name}
    assert (item["month"], item["report_status"], item["date"]) == (
        "2003-05",
        "draft",
        "2003-05-12",
    )
    assert item["client_sector"] == {"code": "garments", "name": "Garments"}
    assert item["client_city"]["name"] == "Lima"
    assert (item["price"], item["paid_by_voucher"], item["voucher_code"]) == (
        "30.00",
        "10.00",
        "BP-0001",
    )


def test_listing_takes_a_fixed_number_of_queries(
    api_as, manager, stored, django_assert_num_queries
):
    client = api_as(manager)
    client.get("/deliveries")  # the token's first use is recorded once

    # The token with its user, the page with its provider, report, sector and city, the count.
    with django_assert_num_queries(3):
        assert len(client.get("/deliveries", {"limit": 2}).json()["items"]) == 2


@pytest.mark.parametrize(
    "params",
    [{"month": "2003-05"}, {"month": "2003-06"}, {"month": "2003-05", "client_type": "small"},
     {"service_type": "information"}, {}],
)  # fmt: skip
def test_the_list_gives_the_rows_behind_a_total_with_the_same_filters(
    api_as, manager, stored, params
):
    """The API's filters are the rows-behind read of the pages and figures, not a copy."""
    month = date.fromisoformat(params["month"] + "-01") if "month" in params else None
    behind = monitoring_queries.deliveries_behind(
        permissions.deliveries_visible_to(manager),
        month=month,
        client_type=params.get("client_type", ""),
        service_type=params.get("service_type", ""),
    )

    listed = references(api_as(manager).get("/deliveries", params))

    assert listed == [delivery.reference for delivery in behind]
