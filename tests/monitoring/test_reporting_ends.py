"""A program that has closed owes no report after its last reporting month."""

from datetime import date

from bdsmarket.monitoring.models import MonitoringSettings
from bdsmarket.monitoring.queries import overdue_submissions
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import LegalType, ProviderStatus


def test_no_report_is_owed_after_the_program_closed(program, lima):
    registry.provider_create(
        actor=None,
        code="CDE-A",
        name="Centro A",
        legal_type=LegalType.NGO,
        city=lima,
        status=ProviderStatus.ACTIVE,
        status_date=date(2004, 2, 1),
    )
    settings = MonitoringSettings.current()
    settings.reporting_ends = date(2004, 4, 30)
    settings.save()

    owed = [f"{report.month:%Y-%m}" for report in overdue_submissions(date(2026, 11, 27))]

    assert sorted(owed) == ["2004-02", "2004-03", "2004-04"]


def test_a_running_program_owes_every_month_up_to_today(program, lima):
    registry.provider_create(
        actor=None,
        code="CDE-A",
        name="Centro A",
        legal_type=LegalType.NGO,
        city=lima,
        status=ProviderStatus.ACTIVE,
        status_date=date(2004, 2, 1),
    )
    owed = overdue_submissions(date(2004, 7, 15))
    assert sorted(f"{report.month:%Y-%m}" for report in owed) == [
        "2004-02",
        "2004-03",
        "2004-04",
        "2004-05",
        "2004-06",  # due 10 July
    ]
