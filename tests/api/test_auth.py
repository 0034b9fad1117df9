"""Who gets into the API, and how: tokens, browser sessions, and the caller's own record."""

from django.test import Client
from django.utils import timezone

from bdsmarket.core.models import ApiToken
from bdsmarket.core.services import api_token_create, api_token_revoke

from .helpers import ApiClient, assert_error


def test_it_answers_me_for_a_token(api_as, staff_a, provider_a):
    response = api_as(staff_a).get("/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": staff_a.pk,
        "username": "staff_a",
        "first_name": "",
        "last_name": "",
        "email": "staff_a@example.org",
        "role": "provider",
        "provider": {"id": provider_a.pk, "code": "CDE-LIM-01", "name": "Centro Lima Norte"},
        "language": "",
        "authenticated_by": "token",
    }


def test_it_answers_me_for_a_browser_session(session_as, manager):
    response = session_as(manager).get("/me")

    assert response.status_code == 200
    assert response.json()["authenticated_by"] == "session"
    assert response.json()["provider"] is None


def test_it_refuses_an_anonymous_caller_with_401(api_as, program):
    error = assert_error(api_as(None).get("/me"), 401, "not_authenticated")

    assert "Bearer" in error["message"]


def test_it_asks_for_a_bearer_token_in_the_401(api_as, program):
    response = api_as(None).get("/providers")

    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token(staff_a):
    token, key = api_token_create(user=staff_a, name="old system")
    api_token_revoke(user=staff_a, token=token)
    client = ApiClient(Client(HTTP_AUTHORIZATION=f"Bearer {key}"))

    assert_error(client.get("/me"), 401, "not_authenticated")


def test_it_refuses_a_token_of_an_inactive_user(staff_a):
    _token, key = api_token_create(user=staff_a, name="system")
    staff_a.is_active = False
    staff_a.save()
    client = ApiClient(Client(HTTP_AUTHORIZATION=f"Bearer {key}"))

    assert_error(client.get("/providers"), 401, "not_authenticated")


def test_it_refuses_an_unknown_token(program):
    client = ApiClient(Client(HTTP_AUTHORIZATION="Bearer bds_not-a-real-key"))

    assert_error(client.get("/me"), 401, "not_authenticated")


def test_a_wrong_token_is_refused_even_with_a_live_session(staff_a):
    client = Client(HTTP_AUTHORIZATION="Bearer bds_not-a-real-key")
    client.force_login(staff_a)

    assert_error(ApiClient(client).get("/me"), 401, "not_authenticated")


def test_it_refuses_the_session_of_an_inactive_user(session_as, staff_a):
    client = session_as(staff_a)
    staff_a.is_active = False
    staff_a.save()

    assert_error(client.get("/me"), 401, "not_authenticated")


def test_it_records_when_a_token_was_last_used(staff_a):
    token, key = api_token_create(user=staff_a, name="system")
    before = timezone.now()

    ApiClient(Client(HTTP_AUTHORIZATION=f"Bearer {key}")).get("/me")

    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before


def test_it_describes_the_token_in_use(staff_a):
    token, key = api_token_create(user=staff_a, name="Accounting system")
    client = ApiClient(Client(HTTP_AUTHORIZATION=f"Bearer {key}"))

    response = client.get("/me/token")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Accounting system"
    assert body["prefix"] == token.prefix
    assert body["last_used_at"] is not None
    assert "digest" not in body and key not in response.content.decode()


def test_a_browser_session_has_no_token_to_describe(session_as, staff_a):
    assert_error(session_as(staff_a).get("/me/token"), 404, "not_found")


def test_a_session_must_send_the_csrf_token_to_change_data(session_as, staff_a, provider_a):
    response = session_as(staff_a).patch(f"/providers/{provider_a.pk}", {"phone": "01 555 0101"})

    assert_error(response, 403, "csrf_failed")
    provider_a.refresh_from_db()
    assert provider_a.phone == ""


def test_a_session_with_the_csrf_token_changes_data(session_as, staff_a, provider_a):
    client = session_as(staff_a)
    # What a page of the site leaves in the browser: the CSRF cookie, echoed in a header.
    secret = "abcdefghijklmnopqrstuvwxyz012345"
    client.client.cookies["csrftoken"] = secret

    response = client.patch(
        f"/providers/{provider_a.pk}",
        {"phone": "01 555 0101"},
        headers={"X-CSRFToken": secret, "Referer": "https://testserver/registry/"},
    )

    assert response.status_code == 200, response.content
    provider_a.refresh_from_db()
    assert provider_a.phone == "01 555 0101"


def test_a_token_needs_no_csrf_token_to_change_data(staff_a, provider_a):
    _token, key = api_token_create(user=staff_a, name="system")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")

    response = ApiClient(client).patch(f"/providers/{provider_a.pk}", {"phone": "01 555 0101"})

    assert response.status_code == 200
    provider_a.refresh_from_db()
    assert provider_a.phone == "01 555 0101"


def test_a_token_holder_gets_their_language_when_the_request_names_none(staff_a):
    # Without Accept-Language the site's default (Spanish) would apply.
    staff_a.language = "en"
    staff_a.save()
    _token, key = api_token_create(user=staff_a, name="system")

    response = ApiClient(Client(HTTP_AUTHORIZATION=f"Bearer {key}")).get("/sectors")

    assert response.status_code == 200
    assert response.json()[0]["name"] == response.json()[0]["name_en"]
    assert response["Content-Language"] == "en"


def test_tokens_are_stored_only_as_digests(staff_a):
    _token, key = api_token_create(user=staff_a, name="system")

    assert not ApiToken.objects.filter(digest=key).exists()
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(key)).exists()
