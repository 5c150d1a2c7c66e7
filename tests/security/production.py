"""The security settings ``ais/settings.py`` gives in production (DEBUG off, nothing
overridden by the environment), to run the security tests as the product runs.

The test suite itself runs with ``DEBUG=true`` (ais.devstack), which relaxes HSTS and
the Secure flag of cookies; these tests read the production values from the settings
module instead of copying them, so that weakening a setting fails them.
"""

import os
import runpy
from functools import cache
from pathlib import Path
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "ais" / "settings.py"

SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
)

# Variables that would override a production default.
OVERRIDING = ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "DEBUG")


@cache
def production_values() -> dict:
    environment = {key: value for key, value in os.environ.items() if key not in OVERRIDING}
    environment.update(DEBUG="false", SECRET_KEY="production-like-secret-key-for-tests")
    with mock.patch.dict(os.environ, environment, clear=True):
        module = runpy.run_path(str(SETTINGS_FILE))
    # Django's defaults for what settings.py leaves alone (CSRF_COOKIE_SAMESITE...).
    from django.conf import global_settings

    return {name: module.get(name, getattr(global_settings, name, None)) for name in SECURITY_SETTINGS}


def apply_production_settings(settings) -> None:
    """Put the production security settings on pytest-django's ``settings`` fixture.

    Only those that differ: setting one sends ``setting_changed``, and for ``DEBUG`` (already
    off in tests, as pytest-django runs them) Django then drops every compiled template. They are
    set as one override (``override_for_the_test``), which settings lookups walk once."""
    from tests.conftest import override_for_the_test

    changes = {name: value for name, value in production_values().items() if getattr(settings, name) != value}
    override_for_the_test(settings, **changes)
