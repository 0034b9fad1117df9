"""The program manager sets the program's targets here; the bulletins sent are listed for
reading (they are queued and resent on the bulletin pages, through the services)."""

from django.contrib import admin

from bdsmarket.core.admin import ManagerAdmin

from .models import Dispatch, Target


@admin.register(Target)
class TargetAdmin(ManagerAdmin):
    list_display = ("indicator", "provider", "first_month", "last_month", "value", "note")
    list_filter = ("indicator",)
    autocomplete_fields = ("provider",)
    exclude = ("created_by",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Dispatch)
class DispatchAdmin(ManagerAdmin):
    list_display = ("month", "kind", "provider", "email", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
