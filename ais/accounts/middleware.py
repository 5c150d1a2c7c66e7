"""Session rules for staff: time-outs and two-factor authentication.

Managers, committee members and administrators see unpublished dossiers and scores:
their sessions end after ``STAFF_SESSION_IDLE_TIMEOUT`` seconds without a request and
``STAFF_SESSION_ABSOLUTE_TIMEOUT`` seconds after logging in, and, when
``REQUIRE_2FA_FOR_STAFF`` is on, no page opens before the second factor is given.
Other users keep Django's ``SESSION_COOKIE_AGE``.

Whether a session is a staff one is recorded at login (``services.on_user_logged_in``),
so that these checks cost no query per request.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services

# Paths a user who still owes the second factor may open.
TWO_FACTOR_OPEN_URL_NAMES = (
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "accounts:logout",
)


def _redirect(request, url):
    """A redirect that htmx follows as a full page load."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _login_url_with_next(request) -> str:
    return reverse(settings.LOGIN_URL) + "?" + urlencode({"next": request.get_full_path()})


class StaffSessionTimeoutMiddleware:
    """Log a staff user out after an idle or absolute time-out, saying why."""

    # The last-activity mark is written at most this often (seconds), not on every request.
    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            if services.SESSION_STAFF_KEY not in session:  # session opened before this rule existed
                services.mark_session(request, user)
            if session.get(services.SESSION_STAFF_KEY):
                expired = self._expired(session)
                if expired:
                    logout(request)
                    messages.warning(request, expired)
                    return _redirect(request, _login_url_with_next(request))
                now = int(time.time())
                if now - session.get(services.SESSION_ACTIVITY_KEY, 0) >= self.TOUCH_EVERY:
                    session[services.SESSION_ACTIVITY_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _expired(session) -> str:
        now = int(time.time())
        started = session.get(services.SESSION_STARTED_KEY, now)
        last = session.get(services.SESSION_ACTIVITY_KEY, now)
        if now - started >= settings.STAFF_SESSION_ABSOLUTE_TIMEOUT:
            return _(
                "For security, staff sessions end %(hours)s hours after logging in: you have been logged out. "
                "Log in again to continue."
            ) % {"hours": settings.STAFF_SESSION_ABSOLUTE_TIMEOUT // 3600}
        if now - last >= settings.STAFF_SESSION_IDLE_TIMEOUT:
            return _(
                "You have been logged out after %(minutes)s minutes without activity, to protect the data you can "
                "see. Log in again to continue."
            ) % {"minutes": settings.STAFF_SESSION_IDLE_TIMEOUT // 60}
        return ""


class TwoFactorMiddleware:
    """Send a user who owes the second factor to the code page (or to the set-up page
    when they have no authenticator yet) before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and services.two_factor_required(request)
            and not user.is_verified()
            and not self._open(request)
        ):
            target = "accounts:two_factor_verify" if services.has_confirmed_totp(user) else "accounts:two_factor_setup"
            return _redirect(request, reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path.startswith(settings.MEDIA_URL):
            return True
        match = getattr(request, "resolver_match", None)
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(path)
            except Resolver404:
                return False
        return match.view_name in TWO_FACTOR_OPEN_URL_NAMES or match.view_name == "set_language"
