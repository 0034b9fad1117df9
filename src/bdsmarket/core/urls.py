from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm, PasswordForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordForm),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    # Listed before Django's own /i18n/ include, so this one (which also keeps a logged-in
    # user's choice in their profile) answers at the same address.
    path("i18n/setlang/", views.set_language, name="set_language"),
]
