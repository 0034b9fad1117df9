from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class UserLanguageMiddleware:
    """Make a logged-in user's chosen language win over the browser's.

    Runs before LocaleMiddleware, which then finds the language in the cookie. A user who
    switches with the language menu changes both the cookie and (in the view) their profile.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if user is not None and user.is_authenticated and user.language:
            request.COOKIES[cookie] = user.language
        return self.get_response(request)
