"""The Django admin for the program manager's lists. Every change is kept in history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bdsmarket.core.admin import ManagerAdmin

from . import services
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
class ProgramAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("name", "currency", "time_zone")


@admin.register(City)
class CityAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("name", "region", "is_capital")
    search_fields = ("name", "region")


@admin.register(Sector)
class SectorAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_es", "isic_codes", "is_manufacturing")
    search_fields = ("code", "name_en", "name_es")


@admin.register(SizeClass)
class SizeClassAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name_en", "max_workers", "max_annual_sales", "valid_from", "valid_to")

    # An enterprise's size class is derived from the table: a changed table re-derives them all.
    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.enterprises_reclassify(actor=request.user)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        services.enterprises_reclassify(actor=request.user)


class StatusChangeInline(admin.TabularInline):
    model = ProviderStatusChange
    extra = 0
    readonly_fields = ("status", "date", "reason", "recorded_by", "recorded_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Status changes go through provider_change_status, which keeps the provider in step.
        return False


@admin.register(Provider)
class ProviderAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name", "legal_type", "city", "status", "selection_round")
    list_filter = ("status", "legal_type", "city", "selection_round")
    search_fields = ("code", "name", "tax_id")
    inlines = [StatusChangeInline]

    # Writes go through the services, so the admin checks the RUC and records the status
    # history exactly as the pages and the API do.
    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.provider_update(actor=request.user, provider=obj, changes=data)
        else:
            created = services.provider_create(actor=request.user, **form.cleaned_data)
            obj.pk = created.pk


@admin.register(ProviderService)
class ProviderServiceAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("name", "provider", "service_type", "price", "active")
    list_filter = ("service_type", "active")
    search_fields = ("name", "provider__code")


@admin.register(Enterprise)
class EnterpriseAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("name", "national_id", "client_type", "size_class", "city", "sector")
    list_filter = ("client_type", "owner_gender", "city", "sector")
    search_fields = ("name", "national_id")
    readonly_fields = ("id_kind", "size_class")

    def get_readonly_fields(self, request, obj=None):
        # Which provider registered a client is part of its record, not something to move.
        return (*self.readonly_fields, "registered_by") if obj else self.readonly_fields

    # Through the service, so the national ID is checked and the size class re-derived.
    def save_model(self, request, obj, form, change) -> None:
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            services.enterprise_update(actor=request.user, enterprise=obj, changes=data)
        else:
            created = services.enterprise_create(actor=request.user, **form.cleaned_data)
            obj.pk = created.pk


@admin.register(BusinessOrganization)
class BusinessOrganizationAdmin(ManagerAdmin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "city", "member_count")
    list_filter = ("kind",)
