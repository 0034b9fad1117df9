"""The demo's monthly reports look like the reference program (shared/domain/reference-facts.md).

The demo is loaded once for the whole run (`demo_program`, tests/conftest.py); each test
runs in a savepoint inside it. The figures are computed here from the stored rows, as
docs/indicators.md defines them.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, F, Max, Min, Q, Sum

from bdsmarket.demo.steps import demo_steps
from bdsmarket.monitoring.models import (
    ApprovedVersion,
    CostReport,
    Delivery,
    ImportBatch,
    RowComment,
    Submission,
    SubmissionStatus,
)
from bdsmarket.registry.models import Provider, ProviderStatus

pytestmark = [pytest.mark.usefixtures("demo_program", "db"), pytest.mark.xdist_group("demo")]


def _rows():
    """Every delivery as (provider, city, date, client key, client type, service, price,
    paid by the client), in the order indicators read them: by date, then as stored."""
    return list(
        Delivery.objects.order_by("date", "pk").values_list(
            "provider__code",
            "provider__city__name",
            "date",
            "client_key",
            "client_type",
            "service_type",
            "price",
            "paid_by_client",
        )
    )


def _income(year: int, **filters) -> Decimal:
    total = Delivery.objects.filter(date__year=year, **filters).aggregate(total=Sum("price"))
    return total["total"] or Decimal(0)


def test_monitoring_adds_its_part_after_the_registry():
    labels = [step.label for step in demo_steps()]
    assert labels.index("monitoring") > labels.index("registry")


def test_each_city_has_exactly_the_attentions_of_the_final_report():
    by_city = Counter(Delivery.objects.values_list("provider__city__name", flat=True))
    assert by_city == {
        "Lima": 15_027,
        "Chiclayo": 12_467,
        "Trujillo": 3_367,
        "Huancayo": 2_502,
        "Arequipa": 1_708,
        "Piura": 724,
        "Huánuco": 618,
        "Cajamarca": 555,
    }
    assert Delivery.objects.count() == 36_968
    assert Delivery.objects.filter(provider__code="SENATI-LIM").count() == 5_519
    assert Delivery.objects.filter(provider__code="SENATI-CIX").count() == 7_475


def test_clients_are_attended_in_the_city_of_their_provider():
    assert not Delivery.objects.exclude(client_city=F("provider__city")).exists()


def test_no_center_reports_a_day_outside_its_time_in_the_program():
    for provider in Provider.objects.prefetch_related("status_changes"):
        changes = sorted(provider.status_changes.all(), key=lambda c: (c.date, c.pk))
        start = next(c.date for c in changes if c.status == ProviderStatus.ACTIVE)
        ends = [c.date for c in changes if c.date > start and c.status != ProviderStatus.ACTIVE]
        dates = provider.deliveries.aggregate(first=Min("date"), last=Max("date"))
        assert dates["first"] > start, provider.code
        assert dates["last"] <= min([date(2004, 4, 30), *ends]), provider.code


def test_the_huanuco_center_stopped_reporting_in_august_2003():
    huanuco = Submission.objects.filter(provider__code="CDE-HCO-01")
    assert huanuco.order_by("-period__month").first().period.month == date(2003, 7, 1)


def test_income_of_2003_by_client_type_is_the_table_of_the_final_report():
    expected = {
        "micro": 56_603,
        "small": 23_280,
        "medium": 11_862,
        "large": 23_605,
        "institution": 112_727,
        "professional": 2_318,
        "pre_enterprise": 40_004,
    }
    for client_type, amount in expected.items():
        assert _income(2003, client_type=client_type) == pytest.approx(amount, rel=0.02)
    assert _income(2003) == pytest.approx(270_399, rel=0.01)


def test_end_users_paid_45_percent_of_the_income_of_2003():
    paid = Delivery.objects.filter(date__year=2003).aggregate(paid=Sum("paid_by_client"))
    assert float(paid["paid"] / _income(2003)) == pytest.approx(0.45, abs=0.01)


def test_income_of_2000_includes_300000_dollars_of_the_firm_that_left():
    assert _income(2000) == pytest.approx(662_488, rel=0.01)
    firm = _income(2000, provider__code="CDE-TRU-01")
    assert firm == pytest.approx(300_000, rel=0.01)
    assert Provider.objects.get(code="CDE-TRU-01").status == ProviderStatus.EXITED


def test_the_average_price_falls_from_71_dollars_in_1999_to_28_in_2003():
    averages = {}
    for year in range(1999, 2004):
        attentions = Delivery.objects.filter(date__year=year).count()
        averages[year] = float(_income(year) / attentions)
    assert averages[1999] == pytest.approx(71, abs=1)
    assert averages[2003] == pytest.approx(28, abs=1)
    assert averages[2001] > averages[2002] > averages[2003]


def test_training_is_two_thirds_of_the_services_with_6500_training_attentions_in_2003():
    services = Counter(Delivery.objects.values_list("service_type", flat=True))
    assert 0.6 <= services["training"] / sum(services.values()) <= 0.72
    in_2003 = Counter(
        Delivery.objects.filter(date__year=2003).values_list("service_type", flat=True)
    )
    assert in_2003["training"] == pytest.approx(6_500, abs=10)
    assert in_2003["technical_assistance"] == pytest.approx(242, abs=5)
    assert in_2003["internet_access"] > 0
    assert not Delivery.objects.filter(date__year__lt=2000, service_type="internet_access").exists()


def test_client_mix_is_that_of_the_reference_program():
    overall = Counter(Delivery.objects.values_list("client_type", flat=True))
    total = sum(overall.values())
    assert 0.76 <= (overall["micro"] + overall["pre_enterprise"]) / total <= 0.84
    assert 0.14 <= overall["small"] / total <= 0.21
    assert 0.01 <= overall["medium"] / total <= 0.04
    in_2003 = Counter(
        Delivery.objects.filter(date__year=2003).values_list("client_type", flat=True)
    )
    total_2003 = sum(in_2003.values())
    assert in_2003["micro"] / total_2003 == pytest.approx(0.51, abs=0.02)
    assert in_2003["pre_enterprise"] / total_2003 == pytest.approx(0.35, abs=0.02)


def test_about_one_attention_in_five_is_a_repeat_with_the_same_provider():
    seen = set()
    repeats = 0
    rows = _rows()
    for provider, _city, _day, client_key, *_rest in rows:
        repeats += (client_key, provider) in seen
        seen.add((client_key, provider))
    assert repeats / len(rows) == pytest.approx(0.20, abs=0.015)


def test_42_percent_of_the_clients_who_bought_again_went_back_to_the_same_provider():
    first: dict[str, str] = {}
    second: dict[str, str] = {}
    for provider, _city, _day, client_key, *_rest in _rows():
        if client_key not in first:
            first[client_key] = provider
        elif client_key not in second:
            second[client_key] = provider
    same = sum(1 for key, provider in second.items() if first[key] == provider)
    assert same / len(second) == pytest.approx(0.42, abs=0.02)


def test_most_clients_have_a_national_id_and_some_only_the_providers_own_number():
    keys = Counter(
        key.split(":")[0] for key in Delivery.objects.values_list("client_key", flat=True)
    )
    national = keys["dni"] + keys["ruc"]
    own = sum(count for kind, count in keys.items() if kind not in ("dni", "ruc"))
    assert national / (national + own) > 0.8
    assert own > 0


def test_payers_add_up_and_vouchers_paid_only_in_the_voucher_years():
    amounts = Delivery.objects.values_list(
        "price", "paid_by_client", "paid_by_voucher", "paid_by_third_party"
    )
    assert all(price == client + voucher + others for price, client, voucher, others in amounts)
    vouchers = Delivery.objects.filter(paid_by_voucher__gt=0)
    assert vouchers.exists()
    assert set(vouchers.values_list("date__year", flat=True).distinct()) <= {1999, 2000, 2001}
    assert not vouchers.filter(voucher_code="").exists()


def _covering_costs(year: int) -> list[str]:
    income = dict(
        Delivery.objects.filter(date__year=year)
        .values_list("provider__code")
        .annotate(total=Sum("price"))
        .values_list("provider__code", "total")
    )
    covering = []
    reports = CostReport.objects.filter(submission__period__month__year=year)
    by_provider = reports.values("provider__code").annotate(
        staff=Sum("staff_costs"),
        premises=Sum("premises_costs"),
        other=Sum("other_costs"),
        other_income=Sum("other_income"),
    )
    for row in by_provider:
        costs = row["staff"] + row["premises"] + row["other"]
        earned = income.get(row["provider__code"], Decimal(0)) + row["other_income"]
        if earned / costs >= 1:
            covering.append(row["provider__code"])
    return sorted(covering)


def test_five_providers_cover_their_costs_in_2002_and_six_in_2003():
    assert len(_covering_costs(2002)) == 5
    assert len(_covering_costs(2003)) == 6
    assert set(_covering_costs(2002)) < set(_covering_costs(2003))


def test_every_provider_month_in_the_program_has_a_report_with_costs():
    for provider in Provider.objects.all():
        months = set(provider.submissions.values_list("period__month", flat=True))
        with_costs = set(provider.cost_reports.values_list("submission__period__month", flat=True))
        assert months - with_costs <= {date(2004, 4, 1)}, provider.code


def test_past_months_are_approved_with_their_rows_kept_in_an_approved_version():
    past = Submission.objects.filter(period__month__lt=date(2004, 3, 1))
    assert not past.exclude(status=SubmissionStatus.APPROVED).exists()
    assert not past.filter(Q(submitted_at=None) | Q(reviewed_at=None)).exists()
    counted = past.annotate(rows=Count("deliveries"))
    for submission in counted.order_by("?")[:40]:
        version = submission.approved_versions.get(number=submission.version)
        assert len(version.deliveries) == submission.rows
        assert version.approved_at == submission.reviewed_at
        assert submission.submitted_at <= submission.reviewed_at


def test_a_plain_month_has_the_history_of_a_report_created_submitted_and_approved():
    submission = Submission.objects.filter(period__month=date(2002, 5, 1)).first()
    statuses = list(submission.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["draft", "submitted", "approved"]


def test_some_reports_were_returned_with_comments_on_rows_and_corrected():
    commented = RowComment.objects.exclude(delivery=None)
    assert commented.count() >= 6
    corrected = commented.filter(submission__status=SubmissionStatus.APPROVED)
    assert corrected.exists()
    for comment in corrected:
        # The approved row is not the one the officer commented on: it was corrected.
        assert comment.delivery.history.count() >= 2


def test_one_report_was_amended_and_its_approved_versions_differ():
    # The monitoring step's amendment; the incentives step amends a report of its own.
    amended = Submission.objects.get(version=2, provider__code="SENATI-LIM")
    assert amended.status == SubmissionStatus.APPROVED
    assert amended.amendment_reason
    first, second = amended.approved_versions.order_by("number")
    before = {row["id"]: row for row in first.deliveries}
    after = {row["id"]: row for row in second.deliveries}
    assert len(after) == len(before) + 1
    changed = [pk for pk in before if before[pk] != after[pk]]
    assert len(changed) == 1


def test_march_and_april_2004_leave_work_in_the_officers_queue():
    recent = Counter(
        Submission.objects.filter(period__month__gte=date(2004, 3, 1)).values_list(
            "status", flat=True
        )
    )
    assert recent[SubmissionStatus.SUBMITTED] >= 3
    assert recent[SubmissionStatus.RETURNED] >= 1
    assert recent[SubmissionStatus.RESUBMITTED] >= 1
    assert recent[SubmissionStatus.DRAFT] >= 5
    april = Submission.objects.filter(period__month=date(2004, 4, 1))
    assert april.filter(cost_reports=None).exists()


def test_the_provider_login_prepared_its_own_reports():
    own = Submission.objects.filter(provider__code="CDE-CIX-02", submitted_by__isnull=False)
    assert set(own.values_list("submitted_by__username", flat=True)) == {"provider"}
    assert ImportBatch.objects.filter(created_by__username="provider").exists()


def test_nothing_is_dated_after_the_end_of_the_demo():
    assert not Delivery.objects.filter(date__gt=date(2004, 4, 30)).exists()
    sent = Submission.objects.exclude(submitted_at=None).order_by("-submitted_at")
    last = sent.values_list("submitted_at", flat=True)[0]
    assert last.date() <= date(2004, 4, 30)
    assert ApprovedVersion.objects.filter(approved_at__year__lt=1996).count() == 0
