from django.contrib import admin
from django.urls import include, path

from .api import api
from .registry import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("bdsmarket.core.urls")),
    path("registry/import/", include("bdsmarket.registry.import_urls")),
    path("registry/", include("bdsmarket.registry.urls")),
    path("monitoring/", include("bdsmarket.monitoring.urls")),
    path("indicators/", include("bdsmarket.indicators.urls")),
    path("incentives/", include("bdsmarket.incentives.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
