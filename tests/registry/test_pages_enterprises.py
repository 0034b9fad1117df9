"""The enterprise pages: scoped to who may see clients, validated by the services."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ClientType, Enterprise, SizeClass

pytestmark = pytest.mark.django_db

# Valid Peruvian IDs (python-stdnum accepts them).
RUC = "20100047218"
DNI = "10117410"


@pytest.fixture
def client_of_a(provider_a, garments, lima):
    """An enterprise registered by provider_a."""
    return registry.enterprise_create(
        actor=None,
        name="Confecciones Rosa",
        client_type=ClientType.MICRO,
        national_id=RUC,
        registered_by=provider_a,
        sector=garments,
        city=lima,
        workers=4,
        annual_sales=Decimal("30000"),
        figures_as_of=date(2000, 6, 1),
    )


@pytest.fixture
def client_of_b(provider_b, chiclayo):
    return registry.enterprise_create(
        actor=None,
        name="Calzados Norte",
        client_type=ClientType.SMALL,
        registered_by=provider_b,
        city=chiclayo,
        workers=20,
        figures_as_of=date(2000, 6, 1),
    )


def page_text(response) -> str:
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, client_of_a):
    for url in (
        reverse("registry:enterprise_list"),
        reverse("registry:enterprise_create"),
        reverse("registry:enterprise_detail", args=[client_of_a.pk]),
        reverse("registry:enterprise_edit", args=[client_of_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_evaluators_cannot_see_enterprises_at_all(login, evaluator, client_of_a):
    client = login(evaluator)
    assert client.get(reverse("registry:enterprise_list")).status_code == 403
    assert client.get(reverse("registry:enterprise_create")).status_code == 403
    detail = reverse("registry:enterprise_detail", args=[client_of_a.pk])
    assert client.get(detail).status_code == 404
    assert "Enterprises" not in page_text(client.get(reverse("home")))


@pytest.mark.parametrize("role", ["manager", "officer", "auditor"])
def test_program_wide_readers_list_every_enterprise(request, login, role, client_of_a, client_of_b):
    response = login(request.getfixturevalue(role)).get(reverse("registry:enterprise_list"))
    assert list(response.context["page"].object_list) == [client_of_b, client_of_a]


def test_provider_staff_list_only_the_clients_their_provider_registered(
    login, staff_a, client_of_a, client_of_b
):
    response = login(staff_a).get(reverse("registry:enterprise_list"))
    assert list(response.context["page"].object_list) == [client_of_a]
    assert client_of_b.name not in page_text(response)


def test_staff_of_another_provider_get_a_404_for_provider_a_s_client(login, staff_b, client_of_a):
    client = login(staff_b)
    for url in (
        reverse("registry:enterprise_detail", args=[client_of_a.pk]),
        reverse("registry:enterprise_edit", args=[client_of_a.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Taken", "client_type": "micro"}).status_code == 404
    client_of_a.refresh_from_db()
    assert client_of_a.name == "Confecciones Rosa"


def test_the_list_filters_by_city_sector_type_size_and_text(
    login, officer, client_of_a, client_of_b, chiclayo, garments
):
    client = login(officer)
    micro = SizeClass.objects.get(code="micro")
    cases = [
        ({"city": chiclayo.pk}, client_of_b),
        ({"sector": garments.pk}, client_of_a),
        ({"client_type": "small"}, client_of_b),
        ({"size_class": micro.pk}, client_of_a),
        ({"q": "rosa"}, client_of_a),
        ({"q": RUC[:6]}, client_of_a),
    ]
    for filters, expected in cases:
        response = client.get(reverse("registry:enterprise_list"), filters)
        assert list(response.context["page"].object_list) == [expected], filters


def test_htmx_gets_only_the_enterprise_table(login, manager, client_of_a):
    response = login(manager).get(
        reverse("registry:enterprise_list"), {"q": "rosa"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in page_text(response)
    assert 'id="enterprise-results"' in page_text(response)


def test_the_list_pages_by_fifty_with_a_bounded_number_of_queries(
    login, manager, provider_a, lima, garments, django_assert_max_num_queries
):
    for number in range(55):
        registry.enterprise_create(
            actor=None,
            name=f"Enterprise {number:02}",
            client_type=ClientType.MICRO,
            registered_by=provider_a,
            city=lima,
            sector=garments,
            workers=3,
        )
    client = login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registry:enterprise_list"))
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registry:enterprise_list"), {"page": 2, "city": lima.pk})
    assert len(response.context["page"].object_list) == 5


def test_provider_staff_register_a_client_for_their_own_provider_with_a_derived_size(
    login, staff_a, provider_a, provider_b, lima, garments
):
    response = login(staff_a).post(
        reverse("registry:enterprise_create"),
        {
            "national_id": "10-11741-0",
            "name": "Taller Luz",
            "client_type": "micro",
            "owner_gender": "female",
            "sector": garments.pk,
            "city": lima.pk,
            "workers": "3",
            "annual_sales": "20000",
            "figures_as_of": "2001-01-31",
            # Neither can be typed in: the provider is the user's, the size class derived.
            "registered_by": provider_b.pk,
            "size_class": "999",
        },
    )
    enterprise = Enterprise.objects.get(name="Taller Luz")
    assert response["Location"] == reverse("registry:enterprise_detail", args=[enterprise.pk])
    assert enterprise.registered_by == provider_a
    assert (enterprise.national_id, enterprise.id_kind) == (DNI, "dni")
    assert enterprise.size_class.code == "micro"


def test_program_staff_may_register_a_client_on_a_provider_s_behalf(login, officer, provider_b):
    login(officer).post(
        reverse("registry:enterprise_create"),
        {
            "name": "Bodega Sol",
            "client_type": "micro",
            "owner_gender": "na",
            "figures_as_of": "2001-01-31",
            "registered_by": provider_b.pk,
        },
    )
    assert Enterprise.objects.get(name="Bodega Sol").registered_by == provider_b


def test_the_size_class_is_shown_but_never_an_input(login, officer, client_of_a):
    response = login(officer).get(reverse("registry:enterprise_edit", args=[client_of_a.pk]))
    assert "size_class" not in response.context["form"].fields
    assert "Micro-enterprise" in page_text(response)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_bad_national_id_is_shown_next_to_its_field(login, staff_a, language):
    response = login(staff_a, language).post(
        reverse("registry:enterprise_create"),
        {
            "national_id": "20100047219",
            "name": "Mal RUC",
            "client_type": "micro",
            "owner_gender": "na",
            "figures_as_of": "2001-01-31",
        },
    )
    assert response.status_code == 200
    assert f'lang="{language}"' in page_text(response)
    errors = response.context["form"].errors["national_id"]
    assert "20100047219" in errors[0]
    if language == "en":
        assert escape("“20100047219” is not a valid RUC") in page_text(response)
    assert not Enterprise.objects.filter(name="Mal RUC").exists()


def test_a_duplicate_national_id_is_refused(login, officer, client_of_a):
    response = login(officer).post(
        reverse("registry:enterprise_create"),
        {
            "national_id": RUC,
            "name": "Copy",
            "client_type": "micro",
            "owner_gender": "na",
            "figures_as_of": "2001-01-31",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Enterprise.objects.filter(national_id=RUC).count() == 1


def test_a_bad_email_is_reported_in_spanish_by_django(login, officer):
    response = login(officer, "es").post(
        reverse("registry:enterprise_create"),
        {
            "name": "X",
            "client_type": "micro",
            "owner_gender": "na",
            "email": "not-an-address",
            "figures_as_of": "2001-01-31",
        },
    )
    with translation.override("es"):
        expected = str(translation.gettext("Enter a valid email address."))
    assert escape(expected) in page_text(response)


def test_officers_edit_an_enterprise_and_the_size_class_follows(login, officer, client_of_a):
    url = reverse("registry:enterprise_edit", args=[client_of_a.pk])
    client = login(officer)
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.update(workers="30", figures_as_of="2000-06-01")
    assert client.post(url, data).status_code == 302
    client_of_a.refresh_from_db()
    assert client_of_a.workers == 30
    assert client_of_a.size_class.code == "small"
    assert client_of_a.history.first().history_user == officer


@pytest.mark.parametrize("role", ["auditor", "staff_b"])
def test_readers_and_other_providers_cannot_edit(request, login, role, client_of_a):
    response = login(request.getfixturevalue(role)).post(
        reverse("registry:enterprise_edit", args=[client_of_a.pk]),
        {"name": "Renamed", "client_type": "micro", "owner_gender": "na"},
    )
    assert response.status_code == (403 if role == "auditor" else 404)
    client_of_a.refresh_from_db()
    assert client_of_a.name == "Confecciones Rosa"


def test_the_audit_trail_is_for_program_staff_and_auditors_only(
    login, officer, auditor, staff_a, client_of_a
):
    registry.enterprise_update(actor=officer, enterprise=client_of_a, changes={"workers": 6})
    url = reverse("registry:enterprise_detail", args=[client_of_a.pk])
    rows = login(auditor).get(url).context["history"]
    workers = next(row for row in rows if row.field == "workers")
    assert (workers.who, workers.before, workers.after) == ("officer", "4", "6")
    assert login(staff_a).get(url).context["history"] is None
