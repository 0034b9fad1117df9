"""The incentive pages; the project mounts them at /incentives/."""

from django.urls import path

from . import package_views, views

app_name = "incentives"
urlpatterns = [
    path("", views.index, name="index"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/compute/", views.statements_compute, name="statements_compute"),
    path("statements/approve/", views.statements_approve, name="statements_approve"),
    path("statements/export.<str:format>", views.statements_export, name="statements_export"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="statement_approve"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/file.<str:format>", views.batch_file, name="batch_file"),
    path("batches/<int:pk>/paid/", views.batch_paid, name="batch_paid"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/adopt/", views.scheme_adopt, name="scheme_adopt"),
    path("simulator/", views.simulator, name="simulator"),
    path("simulator/export.<str:format>", views.simulator_export, name="simulator_export"),
    path("packages/", package_views.package_list, name="packages"),
    path("packages/new/", package_views.package_create, name="package_create"),
    path("packages/<int:pk>/", package_views.package_detail, name="package_detail"),
    path("packages/<int:pk>/bank/", package_views.package_bank, name="package_bank"),
    path(
        "packages/<int:pk>/commitments/new/",
        package_views.commitment_create,
        name="commitment_create",
    ),
    path("packages/<int:pk>/payments/new/", package_views.payment_create, name="payment_create"),
    path("commitments/<int:pk>/milestone/", package_views.milestone_met, name="milestone_met"),
]
