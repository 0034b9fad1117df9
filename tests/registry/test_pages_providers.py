"""The provider pages: who gets in, who is kept out, and what the forms store."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import (
    LegalType,
    Provider,
    ProviderService,
    ProviderStatus,
    ServiceType,
)

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


def assert_shows(response, text: str) -> None:
    assert escape(text) in page_text(response), text


def django_says(message: str, language: str) -> str:
    """Return one of Django's own messages as Django translates it."""
    with translation.override(language):
        return str(translation.gettext(message))


# The list


def test_anonymous_visitors_are_sent_to_log_in(client, provider_a):
    for url in (
        reverse("registry:provider_list"),
        reverse("registry:provider_detail", args=[provider_a.pk]),
        reverse("registry:provider_edit", args=[provider_a.pk]),
        reverse("registry:provider_create"),
        reverse("registry:provider_status", args=[provider_a.pk]),
        reverse("registry:service_create", args=[provider_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["manager", "officer", "auditor", "evaluator"])
def test_program_roles_see_every_provider_in_the_list(request, login, role, provider_a, provider_b):
    response = login(request.getfixturevalue(role)).get(reverse("registry:provider_list"))
    assert response.status_code == 200
    assert_shows(response, provider_a.code)
    assert_shows(response, provider_b.code)


def test_provider_staff_are_sent_to_their_own_provider_instead_of_the_list(
    login, staff_a, provider_b
):
    response = login(staff_a).get(reverse("registry:provider_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:provider_detail", args=[staff_a.provider_id])


def test_the_list_filters_by_city_status_legal_type_round_and_text(
    login, manager, provider_a, provider_b, chiclayo
):
    registry.provider_change_status(
        actor=None,
        provider=provider_b,
        status=ProviderStatus.SUSPENDED,
        on=date.today(),
        reason="Did not report",
    )
    client = login(manager)
    url = reverse("registry:provider_list")
    cases = [
        ({"city": chiclayo.pk}, provider_b),
        ({"status": "suspended"}, provider_b),
        ({"legal_type": LegalType.NGO}, provider_a),
        ({"selection_round": 2}, provider_b),
        ({"q": "lima norte"}, provider_a),
        ({"q": "cix"}, provider_b),
    ]
    for filters, expected in cases:
        content = page_text(client.get(url, filters))
        other = provider_a if expected == provider_b else provider_b
        assert expected.code in content, filters
        assert other.code not in content, filters


def test_htmx_gets_only_the_table_when_a_filter_changes(login, manager, provider_a, provider_b):
    response = login(manager).get(
        reverse("registry:provider_list"), {"q": "Lima"}, HTTP_HX_REQUEST="true"
    )
    content = page_text(response)
    assert "<html" not in content
    assert 'id="provider-results"' in content
    assert provider_a.code in content and provider_b.code not in content
    assert "HX-Request" in response["Vary"]


def test_the_list_pages_by_fifty_with_a_bounded_number_of_queries(
    login, manager, lima, django_assert_max_num_queries
):
    for number in range(60):
        registry.provider_create(
            actor=None,
            code=f"P-{number:03}",
            name=f"Provider {number}",
            legal_type=LegalType.FIRM,
            city=lima,
            selection_round=number % 3 + 1,
        )
    client = login(manager)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("registry:provider_list"))
    assert len(first.context["page"].object_list) == 50
    assert "P-049" in page_text(first) and "P-050" not in page_text(first)
    with django_assert_max_num_queries(12):
        second = client.get(reverse("registry:provider_list"), {"page": 2, "legal_type": "firm"})
    assert len(second.context["page"].object_list) == 10
    assert "P-059" in page_text(second)


# The detail page


def test_staff_of_another_provider_get_a_404_for_every_page_of_provider_a(
    login, staff_b, provider_a
):
    client = login(staff_b)
    service = registry.service_create(
        actor=None,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Costing",
        price=100,
    )
    for url in (
        reverse("registry:provider_detail", args=[provider_a.pk]),
        reverse("registry:provider_edit", args=[provider_a.pk]),
        reverse("registry:provider_status", args=[provider_a.pk]),
        reverse("registry:service_create", args=[provider_a.pk]),
        reverse("registry:service_edit", args=[service.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Taken over", "price": "1"}).status_code == 404, url
    service.refresh_from_db()
    provider_a.refresh_from_db()
    assert service.name == "Costing"
    assert provider_a.name == "Centro Lima Norte"


def test_provider_staff_see_their_record_catalogue_and_colleagues_but_no_audit_trail(
    login, staff_a, provider_a
):
    response = login(staff_a).get(reverse("registry:provider_detail", args=[provider_a.pk]))
    assert response.status_code == 200
    assert_shows(response, provider_a.name)
    assert_shows(response, "staff_a@example.org")
    assert response.context["history"] is None
    assert response.context["can_edit_provider"]
    assert not response.context["can_change_status"]


def test_auditors_see_the_audit_trail_with_who_changed_what_from_what(
    login, manager, auditor, provider_a
):
    registry.provider_update(actor=manager, provider=provider_a, changes={"phone": "074 123456"})
    response = login(auditor).get(reverse("registry:provider_detail", args=[provider_a.pk]))
    rows = response.context["history"]
    phone = next(row for row in rows if row.field == "phone")
    assert (phone.who, phone.before, phone.after) == ("manager", "—", "074 123456")
    assert_shows(response, "074 123456")
    assert not response.context["can_edit_provider"]


def test_evaluators_see_a_provider_but_not_its_staff_nor_its_audit_trail(
    login, evaluator, staff_a, provider_a
):
    response = login(evaluator).get(reverse("registry:provider_detail", args=[provider_a.pk]))
    assert response.status_code == 200
    assert response.context["history"] is None
    assert response.context["staff"] is None
    assert "staff_a@example.org" not in page_text(response)


# Editing


@pytest.mark.parametrize("role", ["auditor", "officer", "evaluator"])
def test_readers_cannot_edit_a_provider(request, login, role, provider_a):
    client = login(request.getfixturevalue(role))
    url = reverse("registry:provider_edit", args=[provider_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    provider_a.refresh_from_db()
    assert provider_a.name == "Centro Lima Norte"


def test_provider_staff_edit_their_contacts_but_never_their_code(login, staff_a, provider_a):
    client = login(staff_a)
    url = reverse("registry:provider_edit", args=[provider_a.pk])
    form = client.get(url).context["form"]
    assert "phone" in form.fields
    assert not {"code", "legal_type", "city", "tax_id", "selection_round"} & set(form.fields)
    response = client.post(
        url,
        {"name": provider_a.name, "phone": "01 555 1234", "code": "STOLEN", "selection_round": 9},
    )
    assert response.status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.phone == "01 555 1234"
    assert provider_a.code == "CDE-LIM-01"
    assert provider_a.selection_round == 1


def test_the_manager_edits_the_code_and_the_history_names_the_manager(login, manager, provider_a):
    url = reverse("registry:provider_edit", args=[provider_a.pk])
    client = login(manager)
    data = {
        name: value
        for name, value in client.get(url).context["form"].initial.items()
        if value is not None
    }
    data.update(code="cde-lim-99", city=provider_a.city_id)
    assert client.post(url, data).status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.code == "CDE-LIM-99"
    assert provider_a.history.first().history_user == manager


def test_editing_shows_a_duplicate_code_and_a_bad_ruc_next_to_their_fields(
    login, manager, provider_a, provider_b
):
    url = reverse("registry:provider_edit", args=[provider_a.pk])
    client = login(manager)
    base = {
        "name": provider_a.name,
        "legal_type": provider_a.legal_type,
        "city": provider_a.city_id,
    }
    response = client.post(url, {**base, "code": provider_b.code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    response = client.post(url, {**base, "code": provider_a.code, "tax_id": "20100047219"})
    assert "20100047219" in response.context["form"].errors["tax_id"][0]
    assert "is not a valid RUC" in response.context["form"].errors["tax_id"][0]
    provider_a.refresh_from_db()
    assert provider_a.tax_id == "20100047218"


# Creating


def test_the_manager_registers_a_provider_with_its_first_status(login, manager, lima):
    response = login(manager).post(
        reverse("registry:provider_create"),
        {
            "code": "cde-lim-02",
            "name": "Centro Lima Sur",
            "legal_type": "firm",
            "city": lima.pk,
            "status": "active",
            "status_date": "2001-03-01",
            "tax_id": "20100047218",
            "selection_round": "3",
        },
    )
    provider = Provider.objects.get(code="CDE-LIM-02")
    assert response["Location"] == reverse("registry:provider_detail", args=[provider.pk])
    assert (provider.status, provider.status_since) == ("active", date(2001, 3, 1))
    assert provider.selection_round == 3
    assert provider.status_changes.get().recorded_by.username == "manager"


@pytest.mark.parametrize("role", ["officer", "auditor", "evaluator", "staff_a"])
def test_only_the_manager_registers_providers(request, login, role, lima):
    client = login(request.getfixturevalue(role))
    response = client.post(
        reverse("registry:provider_create"),
        {"code": "X-1", "name": "X", "legal_type": "firm", "city": lima.pk, "status": "active"},
    )
    assert response.status_code == 403
    assert not Provider.objects.filter(code="X-1").exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_registering_shows_a_duplicate_code_and_a_bad_ruc_in_the_users_language(
    login, manager, lima, provider_a, language
):
    response = login(manager, language).post(
        reverse("registry:provider_create"),
        {
            "code": provider_a.code,
            "name": "Copy",
            "legal_type": "firm",
            "city": lima.pk,
            "status": "applicant",
            "tax_id": "12345678901",
        },
    )
    assert response.status_code == 200
    assert f'lang="{language}"' in page_text(response)
    errors = response.context["form"].errors
    assert "tax_id" in errors
    if language == "en":
        assert_shows(response, "“12345678901” is not a valid RUC")
    assert Provider.objects.filter(code=provider_a.code).count() == 1


def test_a_missing_required_field_is_reported_in_spanish_by_django(login, manager, lima):
    response = login(manager, "es").post(reverse("registry:provider_create"), {"code": "X"})
    assert response.status_code == 200
    assert_shows(response, django_says("This field is required.", "es"))
    assert not Provider.objects.filter(code="X").exists()


# Status


def test_the_manager_changes_a_status_with_date_and_reason(login, manager, provider_a):
    response = login(manager).post(
        reverse("registry:provider_status", args=[provider_a.pk]),
        {"status": "suspended", "date": date.today().isoformat(), "reason": "No reports"},
    )
    assert response.status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.status == "suspended"
    change = provider_a.status_changes.first()
    assert (change.reason, change.recorded_by) == ("No reports", manager)


@pytest.mark.parametrize("role", ["staff_a", "auditor", "officer", "evaluator"])
def test_nobody_but_the_manager_changes_a_status(request, login, role, provider_a):
    response = login(request.getfixturevalue(role)).post(
        reverse("registry:provider_status", args=[provider_a.pk]),
        {"status": "closed", "date": date.today().isoformat(), "reason": "Closing"},
    )
    assert response.status_code == 403
    provider_a.refresh_from_db()
    assert provider_a.status == "active"


def test_a_status_dated_before_the_current_one_is_refused_next_to_the_date(
    login, manager, provider_a
):
    response = login(manager).post(
        reverse("registry:provider_status", args=[provider_a.pk]),
        {"status": "closed", "date": "1990-01-01", "reason": "Closing"},
    )
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    provider_a.refresh_from_db()
    assert provider_a.status == "active"


# Catalogue


def test_provider_staff_add_a_service_to_their_own_catalogue(login, staff_a, provider_a, garments):
    response = login(staff_a).post(
        reverse("registry:service_create", args=[provider_a.pk]),
        {
            "service_type": "training",
            "name": "Costing for garment makers",
            "description": "Two evenings",
            "sectors": [garments.pk],
            "price": "120.50",
            "active": "on",
        },
    )
    assert response.status_code == 302
    service = ProviderService.objects.get(provider=provider_a)
    assert (service.name, str(service.price), service.active) == (
        "Costing for garment makers",
        "120.50",
        True,
    )
    assert list(service.sectors.all()) == [garments]


def test_provider_staff_edit_a_service_and_a_negative_price_is_refused(
    login, staff_a, provider_a, garments
):
    service = registry.service_create(
        actor=None,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Costing",
        price=100,
        sectors=[garments],
    )
    client = login(staff_a)
    url = reverse("registry:service_edit", args=[service.pk])
    base = {"service_type": "training", "name": "Costing", "sectors": [garments.pk]}
    response = client.post(url, {**base, "price": "-5"})
    assert response.status_code == 200
    assert "price" in response.context["form"].errors
    response = client.post(url, {**base, "price": "80"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.price, service.active) == (80, False)


@pytest.mark.parametrize("role", ["auditor", "officer", "evaluator"])
def test_readers_cannot_touch_a_catalogue(request, login, role, provider_a):
    client = login(request.getfixturevalue(role))
    response = client.post(
        reverse("registry:service_create", args=[provider_a.pk]),
        {"service_type": "training", "name": "X", "price": "1"},
    )
    assert response.status_code == 403
    assert not ProviderService.objects.exists()
