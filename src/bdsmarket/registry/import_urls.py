"""The import pages; the project mounts them at /registry/import/."""

from django.conf import settings
from django.urls import path, re_path

from . import import_views

LANGUAGES = "|".join(code for code, _name in settings.LANGUAGES)

app_name = "imports"
urlpatterns = [
    path("", import_views.index, name="index"),
    path("jobs/<int:pk>/", import_views.job, name="job"),
    path("<slug:kind>/", import_views.upload, name="upload"),
    re_path(
        rf"^(?P<kind>[-\w]+)/template-(?P<language>{LANGUAGES})\.(?P<format>csv|xlsx)$",
        import_views.template,
        name="template",
    ),
]
