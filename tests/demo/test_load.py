"""The demo program looks like the reference program (shared/domain/reference-facts.md).

The demo is loaded once for the whole run (`demo_program`, tests/conftest.py); each test
runs in a savepoint inside it.
"""

from collections import Counter
from decimal import Decimal

import pytest

from bdsmarket.demo.steps import demo_steps
from bdsmarket.registry import rules
from bdsmarket.registry.models import (
    BusinessOrganization,
    City,
    ClientType,
    Enterprise,
    LegalType,
    Program,
    Provider,
    ProviderStatus,
    ProviderStatusChange,
    ServiceType,
    SizeClass,
)
from bdsmarket.registry.queries import sector_find, size_bounds
from tests.conftest import DEMO_ENTERPRISES as ENTERPRISES

pytestmark = [pytest.mark.usefixtures("demo_program", "db"), pytest.mark.xdist_group("demo")]


def test_the_registry_adds_its_part_as_a_demo_step():
    assert "registry" in [step.label for step in demo_steps()]


def test_it_configures_the_program_in_dollars_with_lima_as_capital():
    program = Program.current()
    assert program.currency == "USD"
    assert program.time_zone == "America/Lima"
    assert "DESIDE" in program.name
    assert City.objects.get(is_capital=True).name == "Lima"


def test_it_has_the_eight_cities_of_the_reference_program():
    assert set(City.objects.values_list("name", flat=True)) == {
        "Lima",
        "Chiclayo",
        "Trujillo",
        "Huancayo",
        "Arequipa",
        "Piura",
        "Huánuco",
        "Cajamarca",
    }
    assert City.objects.get(name="Chiclayo").region == "Lambayeque"


def test_it_has_nineteen_providers_sixteen_of_them_chosen_in_three_rounds():
    assert Provider.objects.count() == 19
    by_round = Counter(Provider.objects.values_list("selection_round", flat=True))
    assert by_round == {1: 5, 2: 4, 3: 7, None: 3}


def test_the_three_without_a_round_are_public_institutes_of_senati():
    unselected = Provider.objects.filter(selection_round=None)
    assert {p.legal_type for p in unselected} == {LegalType.PUBLIC_INSTITUTE}
    assert {p.city.name for p in unselected} >= {"Lima", "Chiclayo"}
    assert all(p.code.startswith("SENATI-") for p in unselected)
    assert all(p.staff_count > 10 for p in unselected)


def test_thirteen_providers_are_active_and_the_rest_left_or_are_suspended():
    assert Counter(Provider.objects.values_list("status", flat=True)) == {
        ProviderStatus.ACTIVE: 13,
        ProviderStatus.CLOSED: 4,
        ProviderStatus.EXITED: 1,
        ProviderStatus.SUSPENDED: 1,
    }


def test_all_four_ngos_of_the_first_round_closed_their_centers_in_lima():
    first = Provider.objects.filter(selection_round=1)
    assert {p.city.name for p in first} == {"Lima"}
    ngos = first.filter(legal_type=LegalType.NGO)
    assert ngos.count() == 4
    assert set(ngos.values_list("status", flat=True)) == {ProviderStatus.CLOSED}
    assert first.exclude(legal_type=LegalType.NGO).get().status == ProviderStatus.ACTIVE


def test_the_second_round_chose_three_ngos_and_a_firm_outside_lima():
    second = Provider.objects.filter(selection_round=2)
    assert Counter(second.values_list("legal_type", flat=True)) == {"ngo": 3, "firm": 1}
    assert not second.filter(city__is_capital=True).exists()


def test_the_third_round_chose_only_individuals_outside_lima():
    third = Provider.objects.filter(selection_round=3)
    assert set(third.values_list("legal_type", flat=True)) == {LegalType.INDIVIDUAL}
    assert not third.filter(city__is_capital=True).exists()


def test_of_the_sixteen_supported_eleven_continue():
    supported = Provider.objects.exclude(selection_round=None)
    still_in = supported.filter(status__in=[ProviderStatus.ACTIVE, ProviderStatus.SUSPENDED])
    assert still_in.count() == 11


def test_every_status_history_starts_at_entry_and_ends_in_the_current_status():
    for provider in Provider.objects.prefetch_related("status_changes"):
        changes = sorted(provider.status_changes.all(), key=lambda c: c.date)
        assert changes[-1].status == provider.status
        assert changes[-1].date == provider.status_since
        assert all(change.reason for change in changes)
        first = ProviderStatus.APPLICANT if provider.selection_round else ProviderStatus.ACTIVE
        assert changes[0].status == first


def test_every_provider_has_a_valid_ruc():
    for provider in Provider.objects.all():
        assert rules.is_valid_ruc(provider.tax_id), provider.code


def test_catalogues_hold_three_to_eight_services_two_thirds_of_them_training():
    sizes = [provider.services.count() for provider in Provider.objects.all()]
    assert min(sizes) >= 3 and max(sizes) <= 8
    types = Counter(Provider.objects.values_list("services__service_type", flat=True))
    share = types[ServiceType.TRAINING] / sum(types.values())
    assert 0.55 <= share <= 0.8


def test_only_providers_still_in_the_program_offer_active_services():
    gone = Provider.objects.filter(status__in=[ProviderStatus.CLOSED, ProviderStatus.EXITED])
    assert not gone.filter(services__active=True).exists()


def test_prices_are_in_the_reference_ranges():
    for provider in Provider.objects.all():
        for service in provider.services.all():
            if service.service_type == ServiceType.TRAINING:
                assert Decimal("15") <= service.price <= Decimal("60")
            if service.service_type == ServiceType.INTERNET_ACCESS:
                assert service.price <= Decimal("1.50")


def test_sectors_carry_isic_codes_and_say_which_are_manufacturing():
    assert sector_find("1920").code == "footwear"
    assert sector_find("1810").code == "garments"
    assert sector_find("2811").code == "metalworking"
    assert sector_find("521").code == "commerce"
    assert sector_find("Confecciones").is_manufacturing
    assert not sector_find("commerce").is_manufacturing


def test_size_classes_follow_both_laws_without_a_gap():
    classes = list(SizeClass.objects.order_by("valid_from", "rank"))
    assert [(c.code, c.max_workers, c.max_annual_sales) for c in classes[:2]] == [
        ("micro", 10, Decimal("60000")),
        ("small", 50, Decimal("750000")),
    ]
    assert classes[0].valid_to.isoformat() == "2002-12-31"
    assert classes[2].valid_from.isoformat() == "2003-01-01"
    assert "28015" in classes[2].legal_basis


def test_it_creates_the_requested_number_of_enterprises():
    assert Enterprise.objects.count() == ENTERPRISES


def test_client_types_have_the_shares_of_the_reference_program():
    shares = Counter(Enterprise.objects.values_list("client_type", flat=True))
    micro_and_pre = (shares[ClientType.MICRO] + shares[ClientType.PRE_ENTERPRISE]) / ENTERPRISES
    assert 0.73 <= micro_and_pre <= 0.87
    assert 0.12 <= shares[ClientType.SMALL] / ENTERPRISES <= 0.24
    assert shares[ClientType.MEDIUM] / ENTERPRISES <= 0.05


def test_about_a_tenth_of_the_clients_are_pre_enterprises_without_national_id():
    without = Enterprise.objects.filter(national_id="")
    assert set(without.values_list("client_type", flat=True)) == {ClientType.PRE_ENTERPRISE}
    assert 0.05 <= without.count() / ENTERPRISES <= 0.15


def test_every_national_id_is_valid_and_of_the_kind_stored():
    for national_id, id_kind in Enterprise.objects.exclude(national_id="").values_list(
        "national_id", "id_kind"
    ):
        assert rules.classify_national_id(national_id) == id_kind


def test_every_size_class_is_the_one_the_rule_derives():
    bounds = size_bounds()
    for enterprise in Enterprise.objects.all():
        expected = rules.size_class_for(
            bounds,
            workers=enterprise.workers,
            annual_sales=enterprise.annual_sales,
            on=enterprise.figures_as_of,
        )
        assert enterprise.size_class_id == (int(expected) if expected else None)


def test_micro_and_small_clients_fall_in_their_legal_class():
    codes = Counter(
        Enterprise.objects.exclude(client_type=ClientType.PRE_ENTERPRISE).values_list(
            "client_type", "size_class__code"
        )
    )
    assert set(codes) == {
        (ClientType.MICRO, "micro"),
        (ClientType.SMALL, "small"),
        (ClientType.MEDIUM, None),
    }


def test_figures_date_from_the_monitoring_years():
    dates = Enterprise.objects.values_list("figures_as_of", flat=True)
    assert min(dates).year >= 1996 and max(dates).isoformat() <= "2004-04-30"


def test_garments_are_the_most_attended_sector_and_lima_the_largest_city():
    sectors = Counter(Enterprise.objects.values_list("sector__code", flat=True))
    assert sectors.most_common(1)[0][0] == "garments"
    cities = Counter(Enterprise.objects.values_list("city__name", flat=True))
    assert [name for name, _count in cities.most_common(2)] == ["Lima", "Chiclayo"]


def test_clients_are_registered_only_by_centers_of_their_city():
    registered = Enterprise.objects.exclude(registered_by=None).select_related("registered_by")
    assert registered.count() > ENTERPRISES / 2
    for enterprise in registered:
        assert enterprise.registered_by.city_id == enterprise.city_id


def test_it_lists_thirty_five_business_organizations():
    assert BusinessOrganization.objects.count() == 35
    assert BusinessOrganization.objects.filter(kind="chamber").count() == 8
    assert BusinessOrganization.objects.filter(kind="network").count() == 1


def test_no_timestamp_comes_from_the_clock():
    assert max(e.created_at for e in Enterprise.objects.all()).year <= 2004
    assert max(h.history_date for h in Enterprise.history.all()).year <= 2004
    assert max(h.history_date for h in Provider.history.all()).year <= 2004
    assert max(c.recorded_at for c in ProviderStatusChange.objects.all()).year <= 2004
