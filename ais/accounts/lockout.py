"""Login lockout: per (account, address) pair and per address, with two limits.

django-axes counts failures in ``AccessAttempt`` rows keyed by (username, address,
user agent). Its stock handler compares the largest count of any lockout parameter
with one limit; here the pair and the address have their own:

- an account (e-mail address) is locked *from one address* after
  ``AXES_FAILURE_LIMIT`` failures (5) from that address
  (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``) — against guessing one
  person's password, without letting a stranger lock the owner out from elsewhere
  (ASVS 5.0 6.3.1, formerly 2.2.1: no denial of service on the account);
- an address is locked after ``AXES_IP_FAILURE_LIMIT`` failures (20), whatever the
  accounts tried — against one machine trying many accounts.

Failures count while the last one is less than ``AXES_COOLOFF_TIME`` (30 minutes)
old, and the lock lasts that long after the last failure. A successful login resets
the counters of that account from that address (``AXES_RESET_ON_SUCCESS``). When a
pair gets locked, the account's owner is e-mailed a link that unlocks it at once
(``services.on_user_locked_out``).

What this leaves: an attacker with many addresses gets 5 tries per address and
half-hour on one account (distributed guessing); the password rules (validators.py)
and the second factor of staff are the answer to that, not a lock of the account.
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


def pair_failures(request, username: str | None) -> int:
    """Failed logins to ``username`` from the request's address, within the cool-off."""
    from axes.attempts import get_cool_off_threshold

    if not username:
        return 0
    since = get_cool_off_threshold(request)
    return failures(username=username, ip_address=request.axes_ip_address, since=since)


class AccountAndAddressLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per (account, address) and another per address."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures on the scale of ``AXES_FAILURE_LIMIT``: the count of this account
        from this address, or the limit itself once the address has reached its own."""
        from axes.attempts import get_cool_off_threshold
        from axes.helpers import get_client_username

        since = get_cool_off_threshold(request)
        by_pair = pair_failures(request, get_client_username(request, credentials))
        by_address = failures(ip_address=request.axes_ip_address, since=since)
        if by_address >= settings.AXES_IP_FAILURE_LIMIT:
            return max(by_pair, settings.AXES_FAILURE_LIMIT)
        return by_pair
