"""The indicator pages; the project mounts them at /indicators/."""

from django.urls import path

from . import bulletin_views, views

app_name = "indicators"
urlpatterns = [
    path("", views.index, name="index"),
    path("providers/<int:pk>/", views.provider_dashboard, name="provider"),
    path("explore/", views.explore, name="explore"),
    path("explore/export.<str:format>", views.explore_export, name="explore_export"),
    path("rows/", views.rows_behind, name="rows"),
    path("bulletins/", bulletin_views.bulletins, name="bulletins"),
    path("bulletins/send/", bulletin_views.bulletins_send, name="bulletins_send"),
    path("bulletins/<int:pk>/resend/", bulletin_views.dispatch_resend, name="dispatch_resend"),
    path("bulletins/preview/", bulletin_views.bulletin_preview, name="bulletin_preview"),
]
