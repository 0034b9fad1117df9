from django.urls import path
from django.views.generic import TemplateView

app_name = "registry"
urlpatterns = [
    path("providers/", TemplateView.as_view(template_name="base.html"), name="provider_list"),
    path("providers/<int:pk>/", TemplateView.as_view(template_name="base.html"), name="provider_detail"),
    path("enterprises/", TemplateView.as_view(template_name="base.html"), name="enterprise_list"),
]
