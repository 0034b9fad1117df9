"""`bdsmarket generate`: national-scale data through the fast path, the same for a seed."""

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from bdsmarket.monitoring.models import CostReport, Delivery, Submission, SubmissionStatus
from bdsmarket.monitoring.rules import client_key
from bdsmarket.registry.models import Program, Provider

pytestmark = pytest.mark.django_db


def _generate(**options) -> str:
    out = StringIO()
    call_command("generate", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def _fingerprint() -> str:
    """Return a digest of the generated rows, independent of database ids."""
    digest = hashlib.sha256()
    rows = Delivery.objects.order_by("reference").values_list(
        "provider__code",
        "submission__period__month",
        "date",
        "client_id",
        "client_key",
        "client_type",
        "client_gender",
        "client_sector__code",
        "client_city__name",
        "service_type",
        "price",
        "paid_by_client",
        "paid_by_third_party",
        "reference",
        "row_key",
    )
    for row in rows:
        digest.update(repr(row).encode())
    providers = Provider.objects.order_by("code").values_list("code", "name", "city__name")
    digest.update(repr(list(providers)).encode())
    return digest.hexdigest()


def _empty() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def test_it_generates_the_asked_numbers_of_providers_reports_and_deliveries():
    output = _generate(providers=5, deliveries=2000, months=6, seed=3)
    assert Program.current() is not None
    assert Provider.objects.filter(code__startswith="GEN-").count() == 5
    assert Submission.objects.count() == 5 * 6
    assert not Submission.objects.exclude(status=SubmissionStatus.APPROVED).exists()
    assert CostReport.objects.count() == 5 * 6
    assert Delivery.objects.count() == 2000
    assert "2000 deliveries" in output


def test_every_delivery_falls_in_its_reports_month_and_adds_up():
    _generate(providers=3, deliveries=500, months=4, first_month="2022-11")
    for day, month in Delivery.objects.values_list("date", "submission__period__month"):
        assert (day.year, day.month) == (month.year, month.month)
    assert Delivery.objects.filter(date__lt=date(2022, 11, 1)).count() == 0
    amounts = Delivery.objects.values_list(
        "price", "paid_by_client", "paid_by_voucher", "paid_by_third_party"
    )
    assert all(price == client + voucher + others for price, client, voucher, others in amounts)
    assert not Delivery.objects.exclude(provider=F("submission__provider")).exists()


def test_client_keys_and_row_keys_are_those_every_door_stores():
    _generate(providers=2, deliveries=300, months=2)
    for delivery in Delivery.objects.select_related("provider"):
        assert delivery.client_key == client_key(delivery.provider.code, delivery.client_id)
        assert delivery.row_key == f"ref:{delivery.reference}"


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    _generate(providers=4, deliveries=1500, months=3, seed=11)
    first = _fingerprint()
    _empty()
    _generate(providers=4, deliveries=1500, months=3, seed=11)
    assert _fingerprint() == first
    _empty()
    _generate(providers=4, deliveries=1500, months=3, seed=12)
    assert _fingerprint() != first


def test_small_batches_store_the_same_rows_as_one_big_batch():
    _generate(providers=2, deliveries=700, months=2, batch=100_000)
    whole = _fingerprint()
    _empty()
    _generate(providers=2, deliveries=700, months=2, batch=64)
    assert _fingerprint() == whole


def test_it_refuses_to_generate_twice_into_the_same_database():
    _generate(providers=2, deliveries=10, months=1)
    with pytest.raises(CommandError, match="GEN-"):
        _generate(providers=2, deliveries=10, months=1)
    assert Delivery.objects.count() == 10


def test_a_dry_run_writes_nothing():
    output = _generate(providers=2, deliveries=10, dry_run=True)
    assert "Dry run" in output
    assert not Provider.objects.exists()


def test_it_rejects_sizes_out_of_range():
    with pytest.raises(CommandError):
        _generate(providers=0, deliveries=10)
    with pytest.raises(CommandError, match="YYYY-MM"):
        _generate(providers=1, deliveries=10, first_month="January")
    assert not Provider.objects.exists()


def test_it_uses_the_cities_and_sectors_already_there(program, lima, garments):
    _generate(providers=3, deliveries=50, months=1)
    assert Provider.objects.filter(code__startswith="GEN-").exists()
    assert Delivery.objects.filter(client_sector=garments).exists()
    assert Program.current().name == program.name


def test_the_generated_program_s_figures_are_ready_for_the_indicators():
    from bdsmarket.indicators.queries import Scope, indicators_compute

    _generate(providers=3, deliveries=240, months=4, first_month="2023-01")

    result = indicators_compute(Scope(date(2023, 1, 1), date(2023, 4, 1)), ["attentions", "income"])
    assert result.has_data
    assert result.total.values["attentions"] == Delivery.objects.count() == 240
    total = sum(Delivery.objects.values_list("price", flat=True))
    assert result.total.values["income"] == total
