"""The program clock: today where the program works, from the source the registry set."""

from datetime import timedelta

from django.test import override_settings

from bdsmarket.core import clock
from bdsmarket.registry.models import Program


def test_before_init_today_is_the_day_in_the_settings_time_zone(db):
    assert not Program.objects.exists()
    with override_settings(TIME_ZONE="Pacific/Kiritimati"):
        ahead = clock.program_today()
    with override_settings(TIME_ZONE="Pacific/Pago_Pago"):
        behind = clock.program_today()

    assert ahead - behind == timedelta(days=1)


def test_a_time_zone_the_machine_does_not_know_falls_back_to_the_settings(program):
    Program.objects.update(time_zone="America/Atlantis")
    with override_settings(TIME_ZONE="Pacific/Kiritimati"):
        assert clock.program_zone().key == "Pacific/Kiritimati"


def test_the_registry_gave_the_clock_the_program_s_time_zone(program):
    Program.objects.update(time_zone="Pacific/Pago_Pago")

    assert clock.program_zone().key == "Pacific/Pago_Pago"
