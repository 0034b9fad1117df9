"""The admin writes through the same services as the pages, with the same checks."""

from decimal import Decimal

from bdsmarket.registry.models import Enterprise, Provider, ProviderStatus


def _provider_form(lima, **overrides):
    data = {
        "code": "cde-lim-07",
        "name": "Centro Siete",
        "legal_type": "firm",
        "city": lima.pk,
        "tax_id": "20100047218",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_a_provider_added_in_the_admin_gets_its_first_status(login, manager, lima):
    response = login(manager).post("/admin/registry/provider/add/", _provider_form(lima))
    assert response.status_code == 302
    provider = Provider.objects.get(code="CDE-LIM-07")
    assert provider.status == ProviderStatus.APPLICANT
    assert provider.status_changes.get().recorded_by == manager
    assert provider.history.get().history_user == manager


def test_a_website_typed_without_a_scheme_in_the_admin_gets_https(login, manager, lima):
    form = _provider_form(lima, website="cde-siete.org.pe")
    assert login(manager).post("/admin/registry/provider/add/", form).status_code == 302
    assert Provider.objects.get(code="CDE-LIM-07").website == "https://cde-siete.org.pe"


def test_the_admin_refuses_a_bad_ruc_next_to_the_field(login, manager, lima):
    response = login(manager).post(
        "/admin/registry/provider/add/", _provider_form(lima, tax_id="20100047219")
    )
    assert response.status_code == 200
    assert "tax_id" in response.context["adminform"].form.errors
    assert not Provider.objects.filter(code="CDE-LIM-07").exists()


def test_changing_an_enterprises_figures_in_the_admin_re_derives_its_size_class(login, manager):
    client = login(manager)
    client.post(
        "/admin/registry/enterprise/add/",
        {
            "name": "Taller Sol",
            "client_type": "micro",
            "owner_gender": "female",
            "national_id": "44556677",
            "workers": "5",
            "annual_sales": "20000",
            "figures_as_of": "2001-06-01",
        },
    )
    enterprise = Enterprise.objects.get(name="Taller Sol")
    assert enterprise.size_class.code == "micro"
    response = client.post(
        f"/admin/registry/enterprise/{enterprise.pk}/change/",
        {
            "name": "Taller Sol",
            "client_type": "micro",
            "owner_gender": "female",
            "national_id": "44556677",
            "workers": "5",
            "annual_sales": "90000",
            "figures_as_of": "2001-06-01",
        },
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.annual_sales == Decimal("90000")
    assert enterprise.size_class.code == "small"


def test_only_the_manager_reaches_the_admin(login, officer, auditor, staff_a):
    for user in (officer, auditor, staff_a):
        assert login(user).get("/admin/registry/provider/").status_code == 302
