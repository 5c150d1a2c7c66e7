"""Login lockout: per account and per address, with two different limits.

django-axes counts failures in ``AccessAttempt`` rows keyed by (username, address,
user agent). Its stock handler compares the largest count of any lockout parameter
with one limit; here the account and the address have their own:

- an account (e-mail address) is locked after ``AXES_FAILURE_LIMIT`` failures (5),
  whatever the addresses they came from — against guessing one person's password;
- an address is locked after ``AXES_IP_FAILURE_LIMIT`` failures (20), whatever the
  accounts tried — against one machine trying many accounts.

Failures count while the last one is less than ``AXES_COOLOFF_TIME`` (30 minutes)
old, and the lock lasts that long after the last failure. A successful login resets
the counters of that account from that address (``AXES_RESET_ON_SUCCESS``).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def normalised_username(request, credentials) -> str | None:
    """E-mail addresses are case-insensitive at login: ``Anne@X.fr`` and ``anne@x.fr``
    must count against the same account."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None and request is not None and hasattr(request, "POST"):
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if username else username


def client_ip_address(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, behind ``TRUSTED_PROXY_COUNT``
    reverse proxies, the entry of ``X-Forwarded-For`` written by the outermost trusted
    proxy (entries further left are chosen by the client and cannot be trusted)."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return remote


def failures(*, username: str | None = None, ip_address: str | None = None, since) -> int:
    """Failed logins recorded since ``since`` for an account or for an address."""
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since)
    if username is not None:
        attempts = attempts.filter(username=username)
    if ip_address is not None:
        attempts = attempts.filter(ip_address=ip_address)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and another per address."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures on the scale of ``AXES_FAILURE_LIMIT``: the account's count, or the
        limit itself once the address has reached its own limit."""
        from axes.attempts import get_cool_off_threshold
        from axes.helpers import get_client_username

        since = get_cool_off_threshold(request)
        username = get_client_username(request, credentials)
        by_account = failures(username=username, since=since) if username else 0
        by_address = failures(ip_address=request.axes_ip_address, since=since)
        if by_address >= settings.AXES_IP_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account
