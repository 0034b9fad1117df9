"""The monitoring pages; the project mounts them at /monitoring/."""

from django.urls import path

from . import verification_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.my_reports, name="my_reports"),
    path("my/start/", views.month_open, name="month_open"),
    path("review/", views.review_queue, name="review_queue"),
    path("overdue/", views.overdue, name="overdue"),
    path("rows/", views.rows, name="rows"),
    path("reports/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("reports/<int:pk>/deliveries/new/", views.delivery_create, name="delivery_create"),
    path("reports/<int:pk>/training/new/", views.training_create, name="training_create"),
    path("reports/<int:pk>/costs/", views.cost_report_edit, name="cost_report_edit"),
    path("reports/<int:pk>/submit/", views.submission_submit, name="submission_submit"),
    path("reports/<int:pk>/return/", views.submission_return, name="submission_return"),
    path("reports/<int:pk>/approve/", views.submission_approve, name="submission_approve"),
    path("reports/<int:pk>/amend/", views.submission_amend, name="submission_amend"),
    path("reports/<int:pk>/changes/", views.submission_changes, name="submission_changes"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/edit/", views.delivery_edit, name="delivery_edit"),
    path("deliveries/<int:pk>/delete/", views.delivery_delete, name="delivery_delete"),
    path("warnings/<int:pk>/acknowledge/", views.warning_acknowledge, name="warning_acknowledge"),
    path("reports/<int:pk>/verification/", verification_views.verification, name="verification"),
    path(
        "reports/<int:pk>/verification/draw/",
        verification_views.verification_draw,
        name="verification_draw",
    ),
    path("checks/<int:pk>/", verification_views.verification_check, name="verification_check"),
]
