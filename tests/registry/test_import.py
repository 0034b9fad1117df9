"""Importing the registry's lists from files: what is stored, all or nothing, idempotent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from bdsmarket.core.tabular import importers
from bdsmarket.registry import services as registry
from bdsmarket.registry.importers import (
    CityImporter,
    EnterpriseImporter,
    OrganizationImporter,
    ProviderImporter,
    SectorImporter,
)
from bdsmarket.registry.models import (
    BusinessOrganization,
    City,
    ClientType,
    Enterprise,
    Provider,
    ProviderStatus,
    ProviderStatusChange,
    Sector,
)

RUC_A = "20601234565"
RUC_B = "20555555556"


def upload(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.value) for error in result.errors]


def test_the_registry_offers_its_five_kinds_in_order():
    kinds = list(importers())
    assert kinds[:5] == ["cities", "sectors", "providers", "enterprises", "organizations"]


# Cities and sectors


def test_it_imports_cities_and_finds_them_again_without_accents(manager):
    file = "nombre;región;es_capital\nPiura;Piura;no\nCajamarca;Cajamarca;\n"
    result = CityImporter(actor=manager).run(upload(file))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert City.objects.get(name="Piura").region == "Piura"
    assert City.objects.get(name="Cajamarca").is_capital is False

    again = CityImporter(actor=manager).run(upload("name,region\nHUANUCO,Huánuco (sierra)\n"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    huanuco = City.objects.get(name_key="huanuco")
    assert (huanuco.name, huanuco.region) == ("Huánuco", "Huánuco (sierra)")


def test_it_imports_sectors_and_updates_them_by_code(manager):
    file = (
        "code,name_en,name_es,isic_codes,is_manufacturing\n"
        'metalworking,Metalworking,Metalmecánica,"28, 25",yes\n'
        "garments,Garments,Confecciones y textiles,14,yes\n"
    )
    result = SectorImporter(actor=manager).run(upload(file))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    metalworking = Sector.objects.get(code="metalworking")
    assert (metalworking.isic_codes, metalworking.is_manufacturing) == ("28,25", True)
    assert Sector.objects.get(code="garments").name_es == "Confecciones y textiles"


# Providers


def test_it_imports_a_provider_with_every_column(manager):
    file = (
        "codigo;nombre;tipo_legal;ciudad;ruc;direccion;telefono;correo;sitio_web;contacto;"
        "personal;ronda;estado;fecha_estado\n"
        f"cde-hco-01;Centro Huánuco;ONG;Huanuco;{RUC_A};Jr. Dos de Mayo 123;062-512345;"
        "info@cde.pe;https://cde.pe;Rosa Quispe;3;2;activo;15/03/1998\n"
    )
    result = ProviderImporter(actor=manager).run(upload(file))
    assert result.errors == []
    assert result.created == 1
    provider = Provider.objects.get(code="CDE-HCO-01")
    assert provider.city.name == "Huánuco"
    assert provider.legal_type == "ngo"
    assert provider.tax_id == RUC_A
    assert (provider.staff_count, provider.selection_round) == (3, 2)
    assert (provider.email, provider.website) == ("info@cde.pe", "https://cde.pe")
    assert (provider.status, provider.status_since) == ("active", date(1998, 3, 15))
    change = ProviderStatusChange.objects.get(provider=provider)
    assert (change.status, change.date, change.recorded_by) == (
        "active",
        date(1998, 3, 15),
        manager,
    )


def test_reimporting_providers_changes_only_what_differs(manager, provider_a, provider_b):
    file = (
        "code,name,legal_type,city,staff_count,status,status_date\n"
        "CDE-LIM-01,Centro Lima Norte,ngo,Lima,,,\n"
        "CDE-CIX-01,Centro Chiclayo,firm,Chiclayo,4,suspended,\n"
    )
    result = ProviderImporter(actor=manager).run(upload(file))
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert result.summary() == "2 providers: 0 created, 1 updated, 1 unchanged"
    provider_b.refresh_from_db()
    assert (provider_b.staff_count, provider_b.status) == (4, ProviderStatus.SUSPENDED)
    assert provider_b.status_changes.count() == 2
    # An empty cell never erases: provider_a keeps its tax ID and round.
    provider_a.refresh_from_db()
    assert (provider_a.tax_id, provider_a.selection_round) == ("20100047218", 1)

    again = ProviderImporter(actor=manager).run(upload(file))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert provider_b.status_changes.count() == 2


def test_an_unknown_city_and_a_bad_ruc_are_reported_by_row_and_column(manager):
    file = "codigo;nombre;tipo_legal;ciudad;ruc\nCDE-X;X;ngo;Atlantis;20100047219\n"
    result = ProviderImporter(actor=manager).run(upload(file))
    assert errors_of(result) == [(2, "ciudad", "Atlantis"), (2, "ruc", "20100047219")]
    assert "Chiclayo" in result.errors[0].expected
    assert "check digit" in result.errors[1].expected
    assert not Provider.objects.filter(code="CDE-X").exists()


# Enterprises


def test_it_imports_enterprises_mapping_isic_codes_and_accentless_cities(manager):
    file = (
        "documento,nombre,tipo_cliente,genero,sector,ciudad,trabajadores,ventas_anuales,cifras_al\n"
        f'{RUC_A},Calzados Mantaro SAC,Microempresa,Mujer,1520,huancayo,5,"20.000,00",1/1/2001\n'
        "41234567,Rosa Quispe,pre-empresa,femenino,Confecciones,HUÁNUCO,,,\n"
    )
    result = EnterpriseImporter(actor=manager).run(upload(file))
    assert result.errors == []
    assert result.created == 2
    shoes = Enterprise.objects.get(national_id=RUC_A)
    assert (shoes.sector.code, shoes.city.name) == ("footwear", "Huancayo")
    assert (shoes.client_type, shoes.owner_gender) == (ClientType.MICRO, "female")
    assert (shoes.workers, shoes.annual_sales) == (5, Decimal("20000.00"))
    assert shoes.size_class.code == "micro"  # derived from workers and sales in 2001
    assert shoes.registered_by is None
    rosa = Enterprise.objects.get(national_id="41234567")
    assert (rosa.client_type, rosa.sector.code, rosa.id_kind) == (
        "pre_enterprise",
        "garments",
        "dni",
    )


def test_provider_staff_register_imported_enterprises_to_their_provider(staff_a, provider_a):
    file = "national_id,name,client_type\n41234567,Rosa Quispe,micro\n,Juan Pérez,pre_enterprise\n"
    result = EnterpriseImporter(actor=staff_a).run(upload(file))
    assert result.created == 2
    assert set(Enterprise.objects.values_list("registered_by", flat=True)) == {provider_a.pk}


def test_reimporting_enterprises_with_and_without_id_does_not_duplicate_them(staff_a):
    file = "national_id,name,client_type\n41234567,Rosa Quispe,micro\n,Juan Pérez,pre_enterprise\n"
    EnterpriseImporter(actor=staff_a).run(upload(file))
    changed = file.replace("Rosa Quispe,micro", "Rosa Quispe,small")
    result = EnterpriseImporter(actor=staff_a).run(upload(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Enterprise.objects.count() == 2
    assert Enterprise.objects.get(national_id="41234567").client_type == "small"


def test_provider_staff_cannot_change_another_providers_client(staff_a, provider_b):
    theirs = registry.enterprise_create(
        actor=None,
        name="Textiles Norte",
        client_type="small",
        national_id=RUC_B,
        registered_by=provider_b,
    )
    file = f"national_id,name,client_type\n41234567,Rosa,micro\n{RUC_B},Mine now,micro\n"
    result = EnterpriseImporter(actor=staff_a).run(upload(file))
    assert errors_of(result) == [(3, "national_id", RUC_B)]
    theirs.refresh_from_db()
    assert theirs.name == "Textiles Norte"
    assert not Enterprise.objects.filter(national_id="41234567").exists()  # all or nothing


def test_an_invalid_national_id_or_email_is_reported(manager):
    file = "national_id,name,client_type,email\n20100047219,A,micro,a@b\n123,B,micro,\n"
    result = EnterpriseImporter(actor=manager).run(upload(file))
    assert errors_of(result) == [
        (2, "national_id", "20100047219"),
        (2, "email", "a@b"),
        (3, "national_id", "123"),
    ]
    assert "DNI" in result.errors[0].expected
    assert Enterprise.objects.count() == 0


# Business organizations


def test_it_imports_organizations_with_their_sectors(manager):
    file = (
        "nombre;tipo;ciudad;sectores;miembros\n"
        "Cámara de Comercio de Lima;cámara;Lima;commerce, Servicios;1200\n"
        "Gremio de Confeccionistas de Gamarra;gremio;lima;14;300\n"
    )
    result = OrganizationImporter(actor=manager).run(upload(file))
    assert result.errors == []
    chamber = BusinessOrganization.objects.get(name="Cámara de Comercio de Lima")
    assert (chamber.kind, chamber.city.name, chamber.member_count) == ("chamber", "Lima", 1200)
    assert sorted(s.code for s in chamber.sectors.all()) == ["commerce", "services"]
    guild = BusinessOrganization.objects.get(name__startswith="Gremio")
    assert [s.code for s in guild.sectors.all()] == ["garments"]

    again = OrganizationImporter(actor=manager).run(upload(file.replace("Cámara", "Camara")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_an_unknown_sector_in_a_list_is_reported(manager):
    file = "name,kind,sectors\nRed Norte,network,commerce;mining\n"
    result = OrganizationImporter(actor=manager).run(upload(file))
    assert errors_of(result) == [(2, "sectors", "mining")]
    assert BusinessOrganization.objects.count() == 0


# All or nothing


def test_one_bad_row_among_many_stores_nothing(manager):
    rows = [f"CDE-{n:03},Centro {n},firm,{'Atlantis' if n == 45 else 'Lima'}" for n in range(60)]
    result = ProviderImporter(actor=manager).run(
        upload("code,name,legal_type,city\n" + "\n".join(rows) + "\n")
    )
    assert errors_of(result) == [(47, "city", "Atlantis")]
    assert result.rejected
    assert result.created == 0
    assert Provider.objects.count() == 0


def test_an_error_found_while_storing_undoes_the_rows_already_stored(manager):
    # Lima is the capital: a second capital is refused by the service, after Tumbes was saved.
    result = CityImporter(actor=manager).run(upload("name,is_capital\nTumbes,no\nPiura,yes\n"))
    assert errors_of(result) == [(3, "is_capital", "yes")]
    assert "capital" in result.errors[0].expected
    assert not City.objects.filter(name__in=["Tumbes", "Piura"]).exists()


def test_duplicate_rows_in_one_file_are_reported_with_the_first_row(manager):
    file = "code,name,legal_type,city\nCDE-X,X,firm,Lima\ncde-x ,X bis,firm,Lima\n"
    result = ProviderImporter(actor=manager).run(upload(file))
    assert errors_of(result) == [(3, "code", "cde-x")]
    assert "row 2" in result.errors[0].expected
    assert Provider.objects.count() == 0


def test_a_dry_run_counts_what_it_would_do_and_stores_nothing(manager, provider_a):
    file = "code,name,legal_type,city\nCDE-LIM-01,Nuevo nombre,ngo,Lima\nCDE-NEW,New,firm,Lima\n"
    result = ProviderImporter(actor=manager).run(upload(file), dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert "nothing was stored" in result.summary()
    provider_a.refresh_from_db()
    assert provider_a.name == "Centro Lima Norte"
    assert not Provider.objects.filter(code="CDE-NEW").exists()


def test_a_refused_file_says_why_and_stores_nothing(manager):
    result = CityImporter(actor=manager).run(upload("", name="empty.csv"))
    assert result.rejected
    assert "empty" in result.refused
    assert result.summary() == result.refused


def test_progress_is_reported_for_both_readings(manager):
    phases = []
    CityImporter(actor=manager).run(
        upload("name\nPiura\n"), progress=lambda phase, fraction: phases.append(phase)
    )
    assert set(phases) == {"check", "write"}


# Who may import what

ALLOWED = {
    "manager": {"cities", "sectors", "providers", "enterprises", "organizations"},
    "officer": {"enterprises"},
    "staff_a": {"enterprises"},
    "evaluator": set(),
    "auditor": set(),
}


@pytest.mark.parametrize("who", list(ALLOWED))
def test_who_may_import_what(request, who):
    user = request.getfixturevalue(who)
    registry_kinds = ["cities", "sectors", "providers", "enterprises", "organizations"]
    allowed = {kind for kind in registry_kinds if importers()[kind].can_import(user)}
    assert allowed == ALLOWED[who]


def test_an_import_by_someone_not_allowed_is_refused_and_stores_nothing(officer):
    with pytest.raises(PermissionDenied):
        ProviderImporter(actor=officer).run(upload("code,name,legal_type,city\nX,X,firm,Lima\n"))
    assert Provider.objects.count() == 0
