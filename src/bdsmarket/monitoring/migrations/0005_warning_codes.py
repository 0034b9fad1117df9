"""Warnings are stored as a message code and its parameters, worded when read.

The sentences stored so far cannot be turned back into codes reliably, so each keeps its
text under the code "legacy" ({"text": ...}), which reads as it was. Going back, the
sentence column is filled again: legacy rows get their text, the others are worded in the
program's language.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

BATCH = 1000


def keep_texts(apps, schema_editor):
    ValidationWarning = apps.get_model("monitoring", "ValidationWarning")
    batch = []
    for warning in ValidationWarning.objects.only("pk", "message").iterator(chunk_size=BATCH):
        warning.code, warning.params = "legacy", {"text": warning.message}
        batch.append(warning)
        if len(batch) == BATCH:
            ValidationWarning.objects.bulk_update(batch, ["code", "params"])
            batch = []
    ValidationWarning.objects.bulk_update(batch, ["code", "params"])


def word_texts(apps, schema_editor):
    # Only the application knows how each code reads; the historical model does not.
    from bdsmarket.monitoring.warning_messages import warning_message

    ValidationWarning = apps.get_model("monitoring", "ValidationWarning")
    batch = []
    with translation.override(settings.LANGUAGE_CODE):
        rows = ValidationWarning.objects.only("pk", "code", "params")
        for warning in rows.iterator(chunk_size=BATCH):
            warning.message = warning_message(warning.code, warning.params)
            batch.append(warning)
            if len(batch) == BATCH:
                ValidationWarning.objects.bulk_update(batch, ["message"])
                batch = []
    ValidationWarning.objects.bulk_update(batch, ["message"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_delivery_lean_indexes")]

    operations = [
        migrations.AddField(
            model_name="validationwarning",
            name="code",
            field=models.CharField(default="legacy", max_length=40, verbose_name="code"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="validationwarning",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.RunPython(keep_texts, word_texts),
        # A default, so that going back can add the column again to a table with rows.
        migrations.AlterField(
            model_name="validationwarning",
            name="message",
            field=models.TextField(default="", verbose_name="message"),
        ),
        migrations.RemoveField(model_name="validationwarning", name="message"),
    ]
