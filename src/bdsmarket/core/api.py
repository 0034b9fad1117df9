"""What every part of the REST API shares: authentication, the one error shape, paging,
and the endpoints about the caller (`/me`, `/me/token`).

Every error, whatever raised it, leaves the API as

    {"error": {"code": "validation_error", "message": "…", "details": [{"loc": [...], …}]}}

with the message in the request's language.
"""

import functools
import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db.models import Model, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .models import ApiToken, Role, User
from .services import api_token_authenticate

logger = logging.getLogger("django.request")

M = TypeVar("M", bound=Model)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# The error shape


class ErrorDetail(Schema):
    loc: list[str | int] = Field(
        ..., description='Where the error is, e.g. ["body", "tax_id"] or ["query", "city"].'
    )
    message: str
    code: str = Field(..., description='What kind of error, e.g. "missing", "invalid", "unique".')


class ErrorBody(Schema):
    code: str = Field(
        ...,
        description="validation_error, bad_request, not_authenticated, permission_denied, "
        "csrf_failed, not_found, method_not_allowed, throttled or server_error.",
    )
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(Schema):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Return the `response=` entries documenting that an operation may answer `statuses`."""
    return dict.fromkeys(statuses, ErrorOut)


class CsrfFailed(PermissionDenied):
    """A browser-session request changed data without the CSRF token."""


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    """Return a JSON response in the API's one error shape."""
    body = {"error": {"code": code, "message": message, "details": details or []}}
    response = HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# Messages for pydantic's error types, so that schema errors speak the request's language too.
# Pydantic's own English message is kept for the rare types not listed here.
def _schema_error_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input", "")
    params = {"value": value, **ctx}
    if "expected" in ctx:
        # Pydantic lists the codes as "'a', 'b' or 'c'": keep the codes, drop its English "or".
        params["expected"] = ", ".join(re.findall(r"'([^']*)'", ctx["expected"])) or ctx["expected"]
    messages: dict[str, str] = {
        "missing": _("This field is required."),
        "string_type": _("Expected text."),
        "string_too_long": _("Use at most %(max_length)s characters."),
        "string_too_short": _("Use at least %(min_length)s characters."),
        "int_type": _("“%(value)s” is not a whole number."),
        "int_parsing": _("“%(value)s” is not a whole number."),
        "int_from_float": _("“%(value)s” is not a whole number."),
        "float_parsing": _("“%(value)s” is not a number."),
        "decimal_parsing": _("“%(value)s” is not a number."),
        "decimal_type": _("“%(value)s” is not a number."),
        "bool_parsing": _("“%(value)s” is not true or false."),
        "bool_type": _("“%(value)s” is not true or false."),
        "date_parsing": _("“%(value)s” is not a date: use YYYY-MM-DD."),
        "date_from_datetime_parsing": _("“%(value)s” is not a date: use YYYY-MM-DD."),
        "date_type": _("“%(value)s” is not a date: use YYYY-MM-DD."),
        "enum": _("“%(value)s” is not one of the accepted codes: %(expected)s."),
        "literal_error": _("“%(value)s” is not one of the accepted codes: %(expected)s."),
        "greater_than_equal": _("Use a value of at least %(ge)s."),
        "greater_than": _("Use a value above %(gt)s."),
        "less_than_equal": _("Use a value of at most %(le)s."),
        "less_than": _("Use a value below %(lt)s."),
        "list_type": _("Expected a list."),
        "dict_type": _("Expected a JSON object."),
        "model_type": _("Expected a JSON object."),
        "model_attributes_type": _("Expected a JSON object."),
        "extra_forbidden": _("Unknown field: leave it out or check its spelling."),
        "decimal_max_digits": _("Use at most %(max_digits)s digits."),
        "decimal_max_places": _("Use at most %(decimal_places)s decimal places."),
    }
    template = messages.get(kind)
    if template is None:
        return str(error.get("msg", _("Invalid value.")))
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", template))


def _schema_error_details(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "loc": list(error.get("loc", ())),
            "message": _schema_error_message(error),
            "code": str(error.get("type", "invalid")),
        }
        for error in errors
    ]


def service_error_details(
    error: DjangoValidationError, *, source: str = "body", field_names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Return the details of a service's ValidationError, each located at its field.

    `field_names` maps a model field to the name the API gives it, where they differ.
    """
    field_names = field_names or {}
    details: list[dict[str, Any]] = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            loc = [source] if field == NON_FIELD_ERRORS else [source, field_names.get(field, field)]
            for item in errors:
                for message in item.messages:
                    details.append({"loc": loc, "message": message, "code": item.code or "invalid"})
    else:
        for item in error.error_list:
            for message in item.messages:
                details.append(
                    {"loc": [source], "message": message, "code": item.code or "invalid"}
                )
    return details


class ApiValidationError(Exception):
    """Input the schema accepted but that names nothing known (an unknown city, a sector)."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        self.details = details
        super().__init__(details)

    @classmethod
    def at(cls, loc: list[str | int], message: str, code: str = "invalid") -> "ApiValidationError":
        return cls([{"loc": loc, "message": message, "code": code}])


def _on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return error_response(
        request,
        422,
        "validation_error",
        _("The request has invalid values; see the details."),
        _schema_error_details(exc.errors),
    )


def _on_service_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(
        request,
        422,
        "validation_error",
        _("The request has invalid values; see the details."),
        service_error_details(exc),
    )


def _on_api_validation_error(request: HttpRequest, exc: ApiValidationError) -> HttpResponse:
    return error_response(
        request,
        422,
        "validation_error",
        _("The request has invalid values; see the details."),
        exc.details,
    )


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    if isinstance(exc, CsrfFailed):
        return error_response(
            request,
            403,
            "csrf_failed",
            _(
                "The CSRF check failed: a browser session must send the X-CSRFToken header "
                "to change data. Programs should use an API token instead."
            ),
        )
    message = str(exc) or _("You do not have permission to do this.")
    return error_response(request, 403, "permission_denied", message)


def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Only our own messages are shown: Django's name internal model classes, in English.
    message = str(exc) if isinstance(exc, NotVisible) else _("Not found.")
    return error_response(request, 404, "not_found", message)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(
            request,
            401,
            "not_authenticated",
            _(
                "Authentication required: send “Authorization: Bearer <token>” with a live API "
                "token, or log in."
            ),
        )
    if isinstance(exc, Throttled):
        return error_response(request, 429, "throttled", _("Too many requests; try again later."))
    if exc.status_code == 400:
        return error_response(request, 400, "bad_request", _("The request body is not valid JSON."))
    return error_response(request, exc.status_code, "http_error", str(exc))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged like any Django error (so the admins hear of it), answered in the API's shape.
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request}
    )
    return error_response(
        request, 500, "server_error", _("Something went wrong on the server; it was logged.")
    )


class NotVisible(Http404):
    """No record with this ID that the caller may see (whether or not one exists)."""


def visible_or_404(queryset: QuerySet[M], pk: int) -> M:
    """Return the record `pk` from `queryset` (a scoping helper's result), or raise 404.

    A record outside the caller's scope is answered exactly like a missing one, so IDs
    cannot be probed.
    """
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise NotVisible(
            _("No %(object)s with ID %(id)s.")
            % {"object": queryset.model._meta.verbose_name, "id": pk}
        )
    return record


# Authentication


class ApiTokenAuth(HttpBearer):
    """A personal API token, sent as `Authorization: Bearer <key>`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token.strip()) if token.strip() else None
        if user is None:
            # A token that was sent but is wrong, revoked or its user inactive is refused
            # outright: falling back to the session would hide the mistake.
            raise AuthenticationError
        request.user = user  # what the rest of Django (history, logs) reads
        request.api_token_digest = ApiToken.digest_of(token.strip())  # type: ignore[attr-defined]
        if user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # A program that sends no Accept-Language gets its user's chosen language.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


class BrowserSessionAuth(APIKeyCookie):
    """The logged-in browser session; requests that change data must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            # Checked before CSRF so an anonymous caller hears "log in", not "CSRF".
            return None
        checked = request.method not in SAFE_METHODS and not getattr(
            request, "_ninja_csrf_exempt", False
        )
        if checked and check_csrf(request) is not None:
            raise CsrfFailed
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if request.user.is_authenticated else None  # type: ignore[return-value]


API_AUTH = [ApiTokenAuth(), BrowserSessionAuth()]


def actor(request: HttpRequest) -> User:
    """Return the user the request was authenticated as."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


# The API instance's class


class BdsmarketAPI(NinjaAPI):
    """A NinjaAPI whose every answer, including 404 and 405 from routing, has the error shape."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("auth", API_AUTH)
        super().__init__(**kwargs)
        handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
            (NinjaValidationError, _on_schema_error),
            (DjangoValidationError, _on_service_error),
            (ApiValidationError, _on_api_validation_error),
            (PermissionDenied, _on_permission_denied),
            (Http404, _on_not_found),
            (HttpError, _on_http_error),
            (Exception, _on_unexpected),
        ]
        for exception_class, handler in handlers:
            self.add_exception_handler(exception_class, handler)

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> NinjaValidationError:
        """Return the schema errors with locations as clients name them.

        A JSON body is located as ["body", field], without the name of the Python
        parameter that receives it; the offending value is kept when it is short, so the
        message can quote it.
        """
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            source = model.__ninja_param_source__
            single = getattr(model, "__read_from_single_attr__", None)
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"]))
                if single and loc and loc[0] == single:
                    loc = loc[1:]
                value = error.get("input")
                ctx = {
                    key: str(item)
                    for key, item in (error.get("ctx") or {}).items()
                    if isinstance(item, str | int | float | Exception)
                }
                errors.append(
                    {
                        "type": error["type"],
                        "loc": (source, *loc),
                        "msg": error["msg"],
                        "ctx": ctx,
                        "input": value
                        if isinstance(value, str | int | float) and len(str(value)) <= 100
                        else "",
                    }
                )
        return NinjaValidationError(errors)

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = [_with_error_shape(url) for url in super()._get_urls()]
        # Anything else under the API's prefix is a 404 in the error shape, not an HTML page.
        urls.append(re_path(r"^.*$", _unknown_path))
        return urls


def _with_error_shape(url: URLPattern | URLResolver) -> URLPattern | URLResolver:
    if not isinstance(url, URLPattern):
        return url
    if url.name == "api-root":
        # The bare prefix leads a person to the docs (ninja answers 404 there unless DEBUG).
        url.callback = _root
        return url
    view = url.callback

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                request,
                405,
                "method_not_allowed",
                _("Method %(method)s is not allowed here; use %(allowed)s.")
                % {"method": request.method, "allowed": allowed},
            )
            response["Allow"] = allowed
        return response

    url.callback = wrapped
    return url


def _root(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponseRedirect(request.path + "docs")


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(
        request,
        404,
        "not_found",
        _("No API endpoint at %(path)s; see /api/v1/docs.") % {"path": request.path},
    )


_unknown_path.csrf_exempt = True  # type: ignore[attr-defined]


# Paging


class Paging(Schema):
    limit: int = Field(50, ge=1, le=500, description="How many items to return (1-500).")
    offset: int = Field(0, ge=0, description="How many items to skip.")


def page(queryset: QuerySet[M], paging: Paging) -> dict[str, Any]:
    """Return `{"count", "items"}` for one page of `queryset`: two queries, whatever its size."""
    items = list(queryset[paging.offset : paging.offset + paging.limit])
    # A short first page already tells the count; skip the COUNT query then.
    count = len(items) if paging.offset == 0 and len(items) < paging.limit else queryset.count()
    return {"count": count, "items": items}


# The caller


class ProviderRef(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: Role
    provider: ProviderRef | None
    language: str = Field(..., description='The chosen language ("es", "en"), or "".')
    authenticated_by: str = Field(..., description='"token" or "session".')


class TokenOut(Schema):
    name: str
    prefix: str = Field(..., description="The first characters of the key after “bds_”.")
    created_at: datetime
    last_used_at: datetime | None


router = Router(tags=["Account"])


@router.get(
    "/me",
    response={200: MeOut, **error_responses(401)},
    summary="Who am I",
    description="The authenticated user: role, provider (for provider staff) and language.",
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "provider": user.provider,
        "language": user.language,
        "authenticated_by": "token" if hasattr(request, "api_token_digest") else "session",
    }


@router.get(
    "/me/token",
    response={200: TokenOut, **error_responses(401, 404)},
    summary="The token in use",
    description="The API token that authenticated this request: its name, prefix and "
    "when it was created and last used. A browser session has no token (404).",
)
def token_info(request: HttpRequest) -> ApiToken:
    digest = getattr(request, "api_token_digest", None)
    token = ApiToken.objects.filter(digest=digest).first() if digest else None
    if token is None:
        raise NotVisible(_("This request was not authenticated with an API token."))
    return token


__all__ = [
    "API_AUTH",
    "ApiValidationError",
    "BdsmarketAPI",
    "ErrorOut",
    "NotVisible",
    "Paging",
    "ProviderRef",
    "actor",
    "error_responses",
    "page",
    "router",
    "service_error_details",
    "visible_or_404",
]
