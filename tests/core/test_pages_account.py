"""Logging in and out, the account page, the password, API tokens and the language."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bdsmarket.core.models import ApiToken, LoginFailure, User
from bdsmarket.core.services import api_token_authenticate, api_token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


def django_says(message: str, language: str) -> str:
    """Return one of Django's own messages as Django translates it, escaped for HTML."""
    with translation.override(language):
        return escape(str(translation.gettext(message)))


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize("name", ["home", "account", "password_change", "api_tokens"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


# Logging in


def test_it_logs_in_with_the_right_password_and_lands_on_home(client, manager):
    response = log_in(client, "manager", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == manager


def test_it_refuses_a_wrong_password_and_records_the_failure(client, manager):
    response = log_in(client, "manager", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert LoginFailure.objects.filter(username="manager").count() == 1


def test_a_successful_login_forgets_earlier_failures(client, manager):
    log_in(client, "manager", "wrong")
    log_in(client, "manager", PASSWORD)
    assert not LoginFailure.objects.filter(username="manager").exists()


def test_an_empty_password_neither_fails_nor_clears_the_count(client, manager):
    log_in(client, "manager", "wrong")
    log_in(client, "manager", "")
    assert LoginFailure.objects.filter(username="manager").count() == 1


def test_it_throttles_a_username_after_the_failure_limit_even_with_the_right_password(
    manager, settings
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    for _attempt in range(3):
        log_in(client, "manager", "wrong")
    response = log_in(client, "manager", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed attempts to log in. Wait 15 minutes and try again." in page_text(
        response
    )


def test_the_throttle_answers_in_spanish_for_a_spanish_browser(manager, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    for _attempt in range(2):
        log_in(client, "manager", "wrong")
    response = log_in(client, "manager", PASSWORD)
    assert 'lang="es"' in page_text(response)
    assert "Demasiados intentos fallidos" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_a_logged_in_user_visiting_the_login_page_goes_home(login, officer):
    response = login(officer).get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logging_out_takes_a_post(login, officer):
    client = login(officer)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


# Password


def test_the_password_change_stores_the_new_password(login, officer):
    client = login(officer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password-42",
            "new_password2": "another-long-password-42",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200
    officer.refresh_from_db()
    assert officer.check_password("another-long-password-42")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_wrong_old_password_is_refused_in_the_users_language(login, officer, language):
    response = login(officer, language).post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "x-long-pass-99",
            "new_password2": "x-long-pass-99",
        },
    )
    assert response.status_code == 200
    assert django_says(
        "Your old password was entered incorrectly. Please enter it again.", language
    ) in page_text(response)
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


# Account


def test_the_account_page_stores_name_email_and_language(login, staff_a):
    client = login(staff_a)
    response = client.post(
        reverse("account"),
        {
            "first_name": " Rosa ",
            "last_name": "Quispe",
            "email": "rosa@example.org",
            "language": "es",
        },
    )
    assert response["Location"] == reverse("account")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    staff_a.refresh_from_db()
    assert (staff_a.first_name, staff_a.last_name, staff_a.email, staff_a.language) == (
        "Rosa",
        "Quispe",
        "rosa@example.org",
        "es",
    )
    assert 'lang="es"' in page_text(client.get(reverse("account")))


def test_following_the_browser_drops_the_language_cookie(login, staff_a):
    staff_a.language = "es"
    staff_a.save()
    client = login(staff_a)
    response = client.post(reverse("account"), {"email": staff_a.email, "language": ""})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    staff_a.refresh_from_db()
    assert staff_a.language == ""
    assert 'lang="en"' in page_text(client.get(reverse("account")))


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_bad_email_is_refused_next_to_its_field(login, staff_a, language):
    response = login(staff_a, language).post(
        reverse("account"), {"email": "not-an-address", "language": ""}
    )
    assert response.status_code == 200
    assert django_says("Enter a valid email address.", language) in page_text(response)
    staff_a.refresh_from_db()
    assert staff_a.email == "staff_a@example.org"


def test_the_account_form_cannot_change_the_role_or_provider(login, staff_a, provider_b):
    login(staff_a).post(
        reverse("account"),
        {"email": "a@example.org", "language": "", "role": "manager", "provider": provider_b.pk},
    )
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.provider_id) == ("provider", staff_a.provider_id)
    assert staff_a.provider.code == "CDE-LIM-01"


# Language switch


def test_switching_language_stores_it_for_a_logged_in_user(login, officer):
    client = login(officer)
    response = client.post(reverse("set_language"), {"language": "es", "next": "/account/"})
    assert response["Location"] == "/account/"
    officer.refresh_from_db()
    assert officer.language == "es"
    assert 'lang="es"' in page_text(client.get(reverse("account")))
    client.post(reverse("set_language"), {"language": "en", "next": "/account/"})
    officer.refresh_from_db()
    assert officer.language == "en"
    assert 'lang="en"' in page_text(client.get(reverse("account")))


def test_the_stored_language_wins_over_the_browser_on_another_device(login, officer):
    login(officer).post(reverse("set_language"), {"language": "es", "next": "/"})
    other_device = login(officer, "en")
    assert 'lang="es"' in page_text(other_device.get(reverse("account")))


def test_anonymous_visitors_switch_language_with_a_cookie_only(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert 'lang="es"' in page_text(client.get(reverse("login")))


def test_an_unknown_language_changes_nothing(login, officer):
    login(officer).post(reverse("set_language"), {"language": "xx", "next": "/"})
    officer.refresh_from_db()
    assert officer.language == ""


# API tokens


def test_a_new_token_key_is_shown_once_and_works(login, staff_a):
    client = login(staff_a)
    response = client.post(reverse("api_tokens"), {"name": "Our accounting system"})
    key = response.context["new_key"]
    assert key in page_text(response)
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=staff_a)
    assert token.name == "Our accounting system"
    assert api_token_authenticate(key) == staff_a
    listing = client.get(reverse("api_tokens"))
    assert key not in page_text(listing)
    assert token.prefix in page_text(listing)


def test_a_token_needs_a_name(login, staff_a):
    response = login(staff_a).post(reverse("api_tokens"), {"name": "  "})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_with_a_post(login, staff_a):
    token, key = api_token_create(user=staff_a, name="Old system")
    client = login(staff_a)
    url = reverse("api_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    assert client.post(url)["Location"] == reverse("api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(key) is None


def test_nobody_sees_or_revokes_another_users_tokens(login, staff_a, staff_b):
    token, _key = api_token_create(user=staff_a, name="Secret system")
    client = login(staff_b)
    assert "Secret system" not in page_text(client.get(reverse("api_tokens")))
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_user_update_profile_refuses_fields_outside_the_profile(staff_a):
    from django.core.exceptions import PermissionDenied

    from bdsmarket.core.services import user_update_profile

    with pytest.raises(PermissionDenied):
        user_update_profile(user=staff_a, changes={"role": "manager"})
    assert User.objects.get(pk=staff_a.pk).role == "provider"


def test_behind_a_proxy_the_throttle_counts_the_forwarded_address(client, manager):
    client.post(
        reverse("login"),
        {"username": "manager", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    client.post(
        reverse("login"),
        {"username": "nobody", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="not an address",
    )
    addresses = list(LoginFailure.objects.order_by("pk").values_list("ip_address", flat=True))
    assert addresses == ["203.0.113.9", None]
