from decimal import Decimal

from django.db import migrations

DEFAULT_RULES = [
    # A robust z-score (median and MAD of the provider's approved months) beyond 3.5.
    ("price_outlier", Decimal("3.5")),
    ("volume_outlier", Decimal("3.5")),
    # More than three rows for one client on one day.
    ("same_client_same_day", Decimal("3")),
    # A client type's share moving by more than 30 percentage points from the usual.
    ("client_mix_shift", Decimal("30")),
]


def add_rules(apps, schema_editor):
    ValidationRule = apps.get_model("monitoring", "ValidationRule")
    for kind, threshold in DEFAULT_RULES:
        ValidationRule.objects.get_or_create(kind=kind, defaults={"threshold": threshold})


def remove_rules(apps, schema_editor):
    apps.get_model("monitoring", "ValidationRule").objects.filter(
        kind__in=[kind for kind, _ in DEFAULT_RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
