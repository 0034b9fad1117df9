"""The registry's services store whole, valid records and keep their history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bdsmarket.registry import services
from bdsmarket.registry.models import (
    City,
    ClientType,
    Enterprise,
    LegalType,
    Provider,
    ProviderService,
    ProviderStatus,
    ServiceType,
)
from bdsmarket.registry.queries import city_find, sector_find


def test_a_city_is_found_with_or_without_accents(program):
    assert city_find("Huanuco").name == "Huánuco"
    assert city_find("  HUÁNUCO ").name == "Huánuco"
    assert city_find("Cusco") is None


def test_a_second_city_with_the_same_name_but_other_accents_is_refused(program):
    with pytest.raises(ValidationError) as caught:
        services.city_create(name="Huanuco")
    assert "name_key" in caught.value.message_dict or "__all__" in caught.value.message_dict
    assert City.objects.filter(name_key="huanuco").count() == 1


def test_there_is_one_capital_city(program):
    with pytest.raises(ValidationError):
        services.city_create(name="Cusco", is_capital=True)
    assert list(City.objects.filter(is_capital=True).values_list("name", flat=True)) == ["Lima"]


def test_a_sector_is_found_by_code_name_or_isic_code(program):
    assert sector_find("Confecciones").code == "garments"
    assert sector_find("GARMENTS").code == "garments"
    assert sector_find("1410").code == "garments"
    assert sector_find("1520").code == "footwear"
    assert sector_find("4711").code == "commerce"
    assert sector_find("9999") is None


def test_a_provider_is_registered_with_its_first_status(manager, lima):
    provider = services.provider_create(
        actor=manager,
        code="cde-lim-09",
        name="Centro Nueve",
        legal_type=LegalType.FIRM,
        city=lima,
        tax_id="20100047218",
    )
    stored = Provider.objects.get(pk=provider.pk)
    assert stored.code == "CDE-LIM-09"
    assert stored.status == ProviderStatus.APPLICANT
    assert stored.status_changes.get().recorded_by == manager
    assert stored.history.get().history_user == manager


def test_a_provider_with_a_bad_ruc_is_not_stored(manager, lima):
    with pytest.raises(ValidationError) as caught:
        services.provider_create(
            actor=manager,
            code="CDE-LIM-09",
            name="Centro",
            legal_type=LegalType.FIRM,
            city=lima,
            tax_id="20100047219",
        )
    assert "tax_id" in caught.value.message_dict
    assert not Provider.objects.filter(code="CDE-LIM-09").exists()


def test_a_duplicate_provider_code_is_refused(manager, provider_a, lima):
    with pytest.raises(ValidationError) as caught:
        services.provider_create(
            actor=manager, code="cde-lim-01", name="Otro", legal_type=LegalType.NGO, city=lima
        )
    assert "code" in caught.value.message_dict
    assert Provider.objects.filter(code="CDE-LIM-01").count() == 1


def test_an_invalid_legal_type_is_refused(manager, lima):
    with pytest.raises(ValidationError) as caught:
        services.provider_create(
            actor=manager, code="X-1", name="X", legal_type="cooperative", city=lima
        )
    assert "legal_type" in caught.value.message_dict


def test_provider_staff_may_not_register_providers(staff_a, lima):
    with pytest.raises(PermissionDenied):
        services.provider_create(
            actor=staff_a, code="X-1", name="X", legal_type=LegalType.NGO, city=lima
        )


def test_provider_staff_keep_their_contacts_but_not_their_code(staff_a, provider_a):
    services.provider_update(actor=staff_a, provider=provider_a, changes={"phone": "074-123456"})
    assert Provider.objects.get(pk=provider_a.pk).phone == "074-123456"
    with pytest.raises(PermissionDenied):
        services.provider_update(actor=staff_a, provider=provider_a, changes={"code": "NEW"})
    assert Provider.objects.get(pk=provider_a.pk).code == "CDE-LIM-01"


def test_provider_staff_may_not_touch_another_provider(staff_b, provider_a):
    with pytest.raises(PermissionDenied):
        services.provider_update(actor=staff_b, provider=provider_a, changes={"phone": "1"})


def test_every_change_to_a_provider_is_kept_with_who_and_what(manager, provider_a):
    services.provider_update(actor=manager, provider=provider_a, changes={"name": "Centro Lima"})
    latest, earlier = provider_a.history.all()[:2]
    delta = latest.diff_against(earlier)
    assert latest.history_user == manager
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("name", "Centro Lima Norte", "Centro Lima")
    ]


def test_a_status_change_is_recorded_with_its_date_and_reason(manager, provider_a):
    services.provider_change_status(
        actor=manager,
        provider=provider_a,
        status=ProviderStatus.SUSPENDED,
        on=date.today(),
        reason="Reports overdue three months",
    )
    provider_a.refresh_from_db()
    assert provider_a.status == ProviderStatus.SUSPENDED
    assert provider_a.status_changes.first().reason == "Reports overdue three months"


def test_a_status_change_needs_a_reason_and_a_manager(manager, staff_a, provider_a):
    with pytest.raises(ValidationError):
        services.provider_change_status(
            actor=manager,
            provider=provider_a,
            status=ProviderStatus.CLOSED,
            on=date.today(),
            reason=" ",
        )
    with pytest.raises(PermissionDenied):
        services.provider_change_status(
            actor=staff_a,
            provider=provider_a,
            status=ProviderStatus.CLOSED,
            on=date.today(),
            reason="x",
        )
    assert Provider.objects.get(pk=provider_a.pk).status == ProviderStatus.ACTIVE


def test_provider_staff_keep_their_own_catalogue(staff_a, provider_a, garments):
    service = services.service_create(
        actor=staff_a,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Costos para confeccionistas",
        price=Decimal("25.00"),
        sectors=[garments],
    )
    services.service_update(actor=staff_a, service=service, changes={"price": Decimal("30")})
    stored = ProviderService.objects.get(pk=service.pk)
    assert stored.price == Decimal("30.00")
    assert list(stored.sectors.values_list("code", flat=True)) == ["garments"]


def test_a_service_price_cannot_be_negative(staff_a, provider_a):
    with pytest.raises(ValidationError) as caught:
        services.service_create(
            actor=staff_a,
            provider=provider_a,
            service_type=ServiceType.TRAINING,
            name="Curso",
            price=Decimal("-1"),
        )
    assert "price" in caught.value.message_dict
    assert not ProviderService.objects.exists()


def test_another_providers_staff_cannot_add_to_a_catalogue(staff_b, provider_a):
    with pytest.raises(PermissionDenied):
        services.service_create(
            actor=staff_b,
            provider=provider_a,
            service_type=ServiceType.TRAINING,
            name="Curso",
            price=Decimal("1"),
        )


def test_an_enterprise_gets_its_size_class_from_its_figures(officer, lima, garments):
    enterprise = services.enterprise_create(
        actor=officer,
        name="Confecciones Rosa",
        client_type=ClientType.MICRO,
        national_id="20100047218",
        sector=garments,
        city=lima,
        workers=6,
        annual_sales=Decimal("90000"),
        figures_as_of=date(2001, 3, 1),
    )
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.id_kind == "ruc"
    assert stored.size_class.code == "small"  # sales above the micro bound of USD 60,000
    services.enterprise_update(
        actor=officer, enterprise=stored, changes={"annual_sales": Decimal("40000")}
    )
    assert Enterprise.objects.get(pk=enterprise.pk).size_class.code == "micro"


def test_an_enterprise_with_a_bad_national_id_is_not_stored(officer):
    for bad in ("20100047219", "1234", "ABCDEFGH"):
        with pytest.raises(ValidationError) as caught:
            services.enterprise_create(
                actor=officer, name="X", client_type=ClientType.MICRO, national_id=bad
            )
        assert "national_id" in caught.value.message_dict
    assert not Enterprise.objects.exists()


def test_two_enterprises_cannot_share_a_national_id(officer):
    services.enterprise_create(actor=officer, name="A", client_type="micro", national_id="44556677")
    with pytest.raises(ValidationError) as caught:
        services.enterprise_create(
            actor=officer, name="B", client_type="micro", national_id="4455 6677"
        )
    assert "national_id" in caught.value.message_dict
    services.enterprise_create(actor=officer, name="C", client_type="pre_enterprise")
    services.enterprise_create(actor=officer, name="D", client_type="pre_enterprise")
    assert Enterprise.objects.count() == 3


def test_provider_staff_register_enterprises_for_their_own_provider(
    staff_a, provider_a, provider_b
):
    enterprise = services.enterprise_create(
        actor=staff_a, name="Calzados Ana", client_type="micro", registered_by=provider_b
    )
    assert Enterprise.objects.get(pk=enterprise.pk).registered_by == provider_a


def test_a_new_size_table_reclassifies_enterprises(officer, manager):
    enterprise = services.enterprise_create(
        actor=officer,
        name="Taller",
        client_type="micro",
        workers=8,
        annual_sales=Decimal("100000"),
        figures_as_of=date(2004, 1, 10),
    )
    assert Enterprise.objects.get(pk=enterprise.pk).size_class is None  # no table in force in 2004
    services.size_class_create(
        code="micro",
        name_en="Micro",
        name_es="Micro",
        rank=1,
        max_workers=10,
        max_annual_sales=Decimal("133000"),
        valid_from=date(2003, 7, 1),
        actor=manager,
    )
    assert Enterprise.objects.get(pk=enterprise.pk).size_class.valid_from == date(2003, 7, 1)


def test_the_program_settings_refuse_an_unknown_time_zone(db):
    with pytest.raises(ValidationError) as caught:
        services.program_configure(
            name="P", currency="USD", time_zone="America/Atlantis", capital_city="Lima"
        )
    assert "time_zone" in caught.value.message_dict
