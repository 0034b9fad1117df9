"""The Django admin for the program manager's lists. Every change is kept in history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BusinessOrganization,
    City,
    Enterprise,
    Program,
    Provider,
    ProviderService,
    ProviderStatusChange,
    Sector,
    SizeClass,
)


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ("name", "currency", "time_zone")


@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "region", "is_capital")
    search_fields = ("name", "region")


@admin.register(Sector)
class SectorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_es", "isic_codes", "is_manufacturing")
    search_fields = ("code", "name_en", "name_es")


@admin.register(SizeClass)
class SizeClassAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "max_workers", "max_annual_sales", "valid_from", "valid_to")


class StatusChangeInline(admin.TabularInline):
    model = ProviderStatusChange
    extra = 0
    readonly_fields = ("status", "date", "reason", "recorded_by", "recorded_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Status changes go through provider_change_status, which keeps the provider in step.
        return False


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "legal_type", "city", "status", "selection_round")
    list_filter = ("status", "legal_type", "city", "selection_round")
    search_fields = ("code", "name", "tax_id")
    inlines = [StatusChangeInline]


@admin.register(ProviderService)
class ProviderServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "provider", "service_type", "price", "active")
    list_filter = ("service_type", "active")
    search_fields = ("name", "provider__code")


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ("name", "national_id", "client_type", "size_class", "city", "sector")
    list_filter = ("client_type", "owner_gender", "city", "sector")
    search_fields = ("name", "national_id")
    readonly_fields = ("id_kind", "size_class")


@admin.register(BusinessOrganization)
class BusinessOrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "city", "member_count")
    list_filter = ("kind",)
