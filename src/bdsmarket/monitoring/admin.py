"""The program manager tunes the reporting rules here; reports themselves are handled on
the monitoring pages, through the services, so the admin only shows them."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bdsmarket.core.admin import ManagerAdmin

from .models import ImportBatch, MonitoringSettings, ReportingPeriod, Submission, ValidationRule


@admin.register(MonitoringSettings)
class MonitoringSettingsAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = (
        "due_day",
        "remind_days_before",
        "remind_days_after",
        "sample_size",
        "reporting_ends",
    )

    def has_add_permission(self, request) -> bool:
        # One row: MonitoringSettings.current() makes it.
        return super().has_add_permission(request) and not MonitoringSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ValidationRule)
class ValidationRuleAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("kind", "enabled", "threshold", "min_history_months")
    list_editable = ("enabled", "threshold", "min_history_months")
    readonly_fields = ("kind",)

    def has_add_permission(self, request) -> bool:
        # Each kind is a check in code (warning_checks.py); the rows come with the migration.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ManagerAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ManagerAdmin):
    list_display = ("month", "due_date")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("provider", "period", "status", "version", "submitted_at", "reviewed_at")
    list_filter = ("status", "period")
    search_fields = ("provider__code", "provider__name")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("kind", "source", "file_name", "rows", "created_by", "created_at")
    list_filter = ("kind", "source")
