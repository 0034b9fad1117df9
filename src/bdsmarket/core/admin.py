from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, ImportJob, Role, User


class ManagerAdmin(admin.ModelAdmin):
    """The admin is the program manager's tool: the role, not Django's per-model
    permissions, decides who may use it (the same rule as everywhere else)."""

    # A web address typed without a scheme gets https, as in the program's own forms.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _is_manager(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.role == Role.MANAGER

    def has_module_permission(self, request) -> bool:
        return self._is_manager(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_manager(request)

    def has_add_permission(self, request) -> bool:
        return self._is_manager(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_manager(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_manager(request)


@admin.register(User)
class UserAdmin(ManagerAdmin, DjangoUserAdmin):
    list_display = ("username", "get_full_name", "email", "role", "provider", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role in the program"), {"fields": ("role", "provider", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in the program"), {"fields": ("role", "provider", "language")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ManagerAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")
    list_filter = ("revoked_at",)


@admin.register(ImportJob)
class ImportJobAdmin(ManagerAdmin):
    """Uploaded files and what came of them; written only by the import itself."""

    list_display = ("created_at", "kind", "file_name", "user", "status", "summary")
    list_filter = ("status", "kind")
    search_fields = ("file_name", "user__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
