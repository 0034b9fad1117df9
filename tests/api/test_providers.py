"""The providers over the API: who sees which, who changes what, and what is stored."""

from datetime import date, timedelta

import pytest

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import LegalType, Provider, ProviderStatus, ProviderStatusChange

from .helpers import assert_error, detail_at

NEW_PROVIDER = {
    "code": "cde-tru-01",
    "name": "Centro Trujillo",
    "legal_type": "firm",
    "city": "trujillo",
    "tax_id": "20100047218",
    "selection_round": 3,
    "email": "info@cde-trujillo.pe",
}


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


# Reading


@pytest.mark.parametrize("role", ["manager", "officer", "evaluator", "auditor"])
def test_program_wide_roles_list_every_provider(request, api_as, role, provider_a, provider_b):
    response = api_as(request.getfixturevalue(role)).get("/providers")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert codes(response) == ["CDE-CIX-01", "CDE-LIM-01"]


def test_provider_staff_list_only_their_provider(api_as, staff_a, provider_b):
    response = api_as(staff_a).get("/providers")

    assert response.json()["count"] == 1
    assert codes(response) == ["CDE-LIM-01"]


def test_an_anonymous_caller_cannot_list_providers(api_as, provider_a):
    assert_error(api_as(None).get("/providers"), 401, "not_authenticated")


def test_it_returns_a_provider_with_its_city_and_status(api_as, officer, provider_a):
    response = api_as(officer).get(f"/providers/{provider_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "CDE-LIM-01"
    assert body["legal_type"] == "ngo"
    assert body["status"] == "active"
    assert body["city"]["name"] == "Lima"
    assert body["tax_id"] == "20100047218"


def test_another_providers_staff_get_404_for_its_id(api_as, staff_b, provider_a):
    error = assert_error(api_as(staff_b).get(f"/providers/{provider_a.pk}"), 404, "not_found")

    assert "CDE-LIM-01" not in error["message"]


def test_a_hidden_provider_and_a_missing_one_look_the_same(api_as, staff_b, provider_a):
    hidden = api_as(staff_b).get(f"/providers/{provider_a.pk}")
    missing = api_as(staff_b).get(f"/providers/{provider_a.pk + 1000}")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "CHICLAYO"}, ["CDE-CIX-01"]),
        ({"city": "Lima"}, ["CDE-LIM-01"]),
        ({"legal_type": "ngo"}, ["CDE-LIM-01"]),
        ({"selection_round": 2}, ["CDE-CIX-01"]),
        ({"status": "active"}, ["CDE-CIX-01", "CDE-LIM-01"]),
        ({"status": "suspended"}, []),
        ({"q": "lima"}, ["CDE-LIM-01"]),
        ({"q": "cix"}, ["CDE-CIX-01"]),
    ],
)
def test_it_filters_providers(api_as, manager, provider_a, provider_b, params, expected):
    response = api_as(manager).get("/providers", params)

    assert response.status_code == 200
    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


def test_it_names_the_unknown_city_in_a_filter(api_as, manager, provider_a):
    error = assert_error(
        api_as(manager).get("/providers", {"city": "Atlantis"}), 422, "validation_error"
    )

    assert "Atlantis" in detail_at(error, "query", "city")["message"]


def test_it_refuses_an_unknown_status_in_a_filter(api_as, manager, provider_a):
    error = assert_error(
        api_as(manager).get("/providers", {"status": "asleep"}), 422, "validation_error"
    )

    detail = detail_at(error, "query", "status")
    assert "asleep" in detail["message"] and "active" in detail["message"]


def test_it_pages_providers_with_the_total_count(api_as, manager, lima):
    for number in range(7):
        registry.provider_create(
            actor=None,
            code=f"P-{number:02}",
            name=f"Provider {number}",
            legal_type=LegalType.FIRM,
            city=lima,
        )

    response = api_as(manager).get("/providers", {"limit": 3, "offset": 3})

    assert response.json()["count"] == 7
    assert codes(response) == ["P-03", "P-04", "P-05"]


def test_it_refuses_a_page_size_out_of_bounds(api_as, manager, program):
    error = assert_error(
        api_as(manager).get("/providers", {"limit": 5000}), 422, "validation_error"
    )

    detail_at(error, "query", "limit")


def test_listing_providers_takes_a_bounded_number_of_queries(
    api_as, manager, lima, django_assert_max_num_queries
):
    for number in range(40):
        registry.provider_create(
            actor=None,
            code=f"P-{number:02}",
            name=f"Provider {number}",
            legal_type=LegalType.FIRM,
            city=lima,
        )
    client = api_as(manager)
    client.get("/me")  # the token's first use is written once; not part of the list's cost

    with django_assert_max_num_queries(4):
        response = client.get("/providers", {"limit": 25})

    assert len(response.json()["items"]) == 25


# Registering


def test_the_manager_registers_a_provider(api_as, manager, program):
    response = api_as(manager).post("/providers", NEW_PROVIDER)

    assert response.status_code == 201, response.content
    provider = Provider.objects.get(code="CDE-TRU-01")
    assert response.json()["id"] == provider.pk
    assert provider.name == "Centro Trujillo"
    assert provider.city.name == "Trujillo"
    assert provider.legal_type == LegalType.FIRM
    assert provider.tax_id == "20100047218"
    assert provider.selection_round == 3
    assert provider.status == ProviderStatus.APPLICANT
    change = ProviderStatusChange.objects.get(provider=provider)
    assert change.recorded_by == manager
    assert provider.history.first().history_user == manager


@pytest.mark.parametrize("role", ["officer", "evaluator", "auditor", "staff_a"])
def test_only_the_manager_registers_providers(request, api_as, role, program):
    response = api_as(request.getfixturevalue(role)).post("/providers", NEW_PROVIDER)

    assert_error(response, 403, "permission_denied")
    assert not Provider.objects.filter(code="CDE-TRU-01").exists()


def test_an_anonymous_caller_cannot_register_a_provider(api_as, program):
    assert_error(api_as(None).post("/providers", NEW_PROVIDER), 401, "not_authenticated")


def test_it_refuses_a_bad_ruc_at_its_field(api_as, manager, program):
    response = api_as(manager).post("/providers", {**NEW_PROVIDER, "tax_id": "20100047219"})

    error = assert_error(response, 422, "validation_error")
    assert "20100047219" in detail_at(error, "body", "tax_id")["message"]
    assert not Provider.objects.filter(code="CDE-TRU-01").exists()


def test_it_refuses_a_duplicate_code_at_its_field(api_as, manager, provider_a):
    response = api_as(manager).post("/providers", {**NEW_PROVIDER, "code": "cde-lim-01"})

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", "code")["code"] == "unique"
    assert Provider.objects.filter(code="CDE-LIM-01").count() == 1


def test_it_refuses_an_unknown_city_naming_the_value(api_as, manager, program):
    response = api_as(manager).post("/providers", {**NEW_PROVIDER, "city": "Macondo"})

    error = assert_error(response, 422, "validation_error")
    assert "Macondo" in detail_at(error, "body", "city")["message"]


def test_it_accepts_a_city_without_its_accents(api_as, manager, program):
    response = api_as(manager).post("/providers", {**NEW_PROVIDER, "city": "HUANUCO"})

    assert response.status_code == 201
    assert Provider.objects.get(code="CDE-TRU-01").city.name == "Huánuco"


def test_it_refuses_an_invalid_legal_type_listing_the_codes(api_as, manager, program):
    response = api_as(manager).post("/providers", {**NEW_PROVIDER, "legal_type": "charity"})

    error = assert_error(response, 422, "validation_error")
    detail = detail_at(error, "body", "legal_type")
    assert detail["code"] == "enum"
    assert "charity" in detail["message"] and "ngo" in detail["message"]


def test_it_lists_every_missing_field(api_as, manager, program):
    error = assert_error(api_as(manager).post("/providers", {"code": "X"}), 422, "validation_error")

    for field in ("name", "legal_type", "city"):
        assert detail_at(error, "body", field)["code"] == "missing"


def test_it_refuses_a_field_it_does_not_know(api_as, manager, program):
    response = api_as(manager).post("/providers", {**NEW_PROVIDER, "colour": "blue"})

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", "colour")["code"] == "extra_forbidden"


# Changing


def test_provider_staff_change_their_own_contacts(api_as, staff_a, provider_a):
    response = api_as(staff_a).patch(
        f"/providers/{provider_a.pk}", {"phone": "074 555 0101", "contact_name": "Rosa Díaz"}
    )

    assert response.status_code == 200
    assert response.json()["phone"] == "074 555 0101"
    provider_a.refresh_from_db()
    assert provider_a.phone == "074 555 0101"
    assert provider_a.contact_name == "Rosa Díaz"
    assert provider_a.history.first().history_user == staff_a


def test_provider_staff_cannot_change_their_code(api_as, staff_a, provider_a):
    response = api_as(staff_a).patch(f"/providers/{provider_a.pk}", {"code": "MINE", "phone": "1"})

    error = assert_error(response, 403, "permission_denied")
    assert "code" in error["message"]
    provider_a.refresh_from_db()
    assert (provider_a.code, provider_a.phone) == ("CDE-LIM-01", "")


def test_another_providers_staff_get_404_when_changing_it(api_as, staff_b, provider_a):
    response = api_as(staff_b).patch(f"/providers/{provider_a.pk}", {"phone": "1"})

    assert_error(response, 404, "not_found")
    provider_a.refresh_from_db()
    assert provider_a.phone == ""


@pytest.mark.parametrize("role", ["officer", "evaluator", "auditor"])
def test_roles_without_edit_rights_cannot_change_a_provider(request, api_as, role, provider_a):
    response = api_as(request.getfixturevalue(role)).patch(
        f"/providers/{provider_a.pk}", {"phone": "1"}
    )

    assert_error(response, 403, "permission_denied")
    provider_a.refresh_from_db()
    assert provider_a.phone == ""


def test_the_manager_changes_a_providers_standing(api_as, manager, provider_a):
    response = api_as(manager).patch(
        f"/providers/{provider_a.pk}",
        {"code": "cde-lim-09", "city": "Arequipa", "selection_round": 2, "website": None},
    )

    assert response.status_code == 200, response.content
    provider_a.refresh_from_db()
    assert provider_a.code == "CDE-LIM-09"
    assert provider_a.city.name == "Arequipa"
    assert provider_a.selection_round == 2
    assert provider_a.website == ""


def test_a_patch_leaves_the_fields_it_does_not_send(api_as, manager, provider_a):
    api_as(manager).patch(f"/providers/{provider_a.pk}", {"phone": "1"})

    provider_a.refresh_from_db()
    assert provider_a.tax_id == "20100047218"
    assert provider_a.selection_round == 1


def test_a_patch_with_a_bad_ruc_stores_nothing(api_as, manager, provider_a):
    response = api_as(manager).patch(
        f"/providers/{provider_a.pk}", {"tax_id": "12345678901", "phone": "1"}
    )

    error = assert_error(response, 422, "validation_error")
    detail_at(error, "body", "tax_id")
    provider_a.refresh_from_db()
    assert (provider_a.tax_id, provider_a.phone) == ("20100047218", "")


def test_a_patch_with_a_bad_email_is_refused_at_its_field(api_as, staff_a, provider_a):
    response = api_as(staff_a).patch(f"/providers/{provider_a.pk}", {"email": "not-an-address"})

    detail_at(assert_error(response, 422, "validation_error"), "body", "email")


# Status


def test_the_manager_changes_a_providers_status(api_as, manager, provider_a):
    on = date.today() + timedelta(days=1)
    response = api_as(manager).post(
        f"/providers/{provider_a.pk}/status",
        {"status": "suspended", "date": on.isoformat(), "reason": "Late reports"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "manager"
    provider_a.refresh_from_db()
    assert provider_a.status == ProviderStatus.SUSPENDED
    assert provider_a.status_since == on
    change = provider_a.status_changes.first()
    assert (change.status, change.reason, change.recorded_by) == (
        "suspended",
        "Late reports",
        manager,
    )


@pytest.mark.parametrize("role", ["officer", "auditor", "evaluator", "staff_a"])
def test_only_the_manager_changes_a_status(request, api_as, role, provider_a):
    response = api_as(request.getfixturevalue(role)).post(
        f"/providers/{provider_a.pk}/status",
        {"status": "exited", "date": date.today().isoformat(), "reason": "x"},
    )

    assert_error(response, 403, "permission_denied")
    provider_a.refresh_from_db()
    assert provider_a.status == ProviderStatus.ACTIVE


def test_another_providers_staff_get_404_for_its_status(api_as, staff_b, provider_a):
    response = api_as(staff_b).post(
        f"/providers/{provider_a.pk}/status",
        {"status": "exited", "date": date.today().isoformat(), "reason": "x"},
    )

    assert_error(response, 404, "not_found")


def test_a_status_change_needs_a_reason(api_as, manager, provider_a):
    response = api_as(manager).post(
        f"/providers/{provider_a.pk}/status",
        {"status": "exited", "date": date.today().isoformat(), "reason": "  "},
    )

    detail_at(assert_error(response, 422, "validation_error"), "body", "reason")
    assert provider_a.status_changes.count() == 1


def test_a_status_cannot_start_before_the_current_one(api_as, manager, provider_a):
    response = api_as(manager).post(
        f"/providers/{provider_a.pk}/status",
        {"status": "exited", "date": "2001-01-01", "reason": "Backdated"},
    )

    detail_at(assert_error(response, 422, "validation_error"), "body", "date")


def test_a_status_must_be_a_known_code(api_as, manager, provider_a):
    response = api_as(manager).post(
        f"/providers/{provider_a.pk}/status",
        {"status": "retired", "date": date.today().isoformat(), "reason": "x"},
    )

    assert (
        detail_at(assert_error(response, 422, "validation_error"), "body", "status")["code"]
        == "enum"
    )


def test_it_returns_the_status_history_newest_first(api_as, staff_a, manager, provider_a):
    registry.provider_change_status(
        actor=manager,
        provider=provider_a,
        status="suspended",
        on=date.today() + timedelta(days=3),
        reason="Late reports",
    )

    response = api_as(staff_a).get(f"/providers/{provider_a.pk}/status-history")

    assert response.status_code == 200
    assert [item["status"] for item in response.json()] == ["suspended", "active"]
    assert response.json()[0]["recorded_by"] == "manager"


def test_another_providers_staff_get_404_for_its_status_history(api_as, staff_b, provider_a):
    assert_error(
        api_as(staff_b).get(f"/providers/{provider_a.pk}/status-history"), 404, "not_found"
    )
