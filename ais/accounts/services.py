"""Account state changes: carrier sign-up and e-mail confirmation, password-reset
throttling, staff sessions and two-factor authentication, personal data (export,
anonymisation, inactive accounts)."""

import logging
import secrets
import time
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from ais.core.errors import DomainError
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from ais.outbox.services import queue_templated_email

from .models import Membership, Organisation, Role

logger = logging.getLogger(__name__)

ACTIVATION_SALT = "ais.accounts.activation"
ACTIVATION_MAX_AGE = 3 * 24 * 3600  # three days


class ActivationError(DomainError):
    """The confirmation link is expired or invalid; the message says what to do."""


def activation_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=ACTIVATION_SALT, compress=True)


def send_activation_email(user, *, next_url: str = "") -> None:
    """Queue the confirmation e-mail (once per user and hour, however often asked)."""
    url = settings.SITE_URL + reverse("accounts:activate", args=[activation_token(user)])
    if next_url:
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": next_url})
    queue_templated_email(
        recipient=user.email,
        template="accounts/email/activation",
        context={"user": user, "url": url, "days": ACTIVATION_MAX_AGE // 86400},
        reason=reasons.SIGNUP_CONFIRMATION,
        related_object=user,
        dedup_key=f"activation:{user.pk}:{timezone.now():%Y%m%d%H}",
    )


def register_carrier(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    job_title: str,
    organisation_name: str,
    organisation_kind: str,
    siret: str,
    commune,
    next_url: str = "",
):
    """Create an inactive carrier account with its organisation and send the
    confirmation link. If the address already has an account, nothing is
    created and that person is told instead (the page shown is the same, so the
    form never reveals who has an account)."""
    User = get_user_model()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        queue_templated_email(
            recipient=existing.email,
            template="accounts/email/already_registered",
            context={
                "user": existing,
                "login_url": settings.SITE_URL + reverse("accounts:login"),
                "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            },
            reason=reasons.SIGNUP_CONFIRMATION,
            related_object=existing,
            dedup_key=f"already-registered:{existing.pk}:{timezone.now():%Y%m%d%H}",
        )
        return None
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, first_name=first_name, last_name=last_name, job_title=job_title, is_active=False
        )
        organisation = Organisation.objects.create(
            name=organisation_name, kind=organisation_kind, siret=siret or "", commune=commune
        )
        Membership.objects.create(user=user, role=Role.CARRIER, organisation=organisation)
        send_activation_email(user, next_url=next_url)
    return user


def activate_account(token: str):
    """Confirm an e-mail address from the link; returns the now active user."""
    try:
        data = signing.loads(token, salt=ACTIVATION_SALT, max_age=ACTIVATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ActivationError("expired") from error
    except signing.BadSignature as error:
        raise ActivationError("invalid") from error
    user = get_user_model().objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise ActivationError("invalid")
    if not user.is_active:
        if user.last_login is not None:  # deactivated by an administrator: a link cannot undo that
            raise ActivationError("invalid")
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


# Password reset -----------------------------------------------------------------------


def may_send_password_reset(user) -> bool:
    """Whether another password-reset e-mail may go to ``user`` now: at most
    ``PASSWORD_RESET_MAX_PER_HOUR`` in a rolling hour, counted in the outbox (which
    keeps working when Redis is down). The reset page answers the same either way."""
    since = timezone.now() - timedelta(hours=1)
    sent = OutgoingEmail.objects.filter(
        reason=reasons.PASSWORD_RESET, recipient__iexact=user.email, created_at__gte=since
    ).count()
    return sent < settings.PASSWORD_RESET_MAX_PER_HOUR


# Staff sessions and two-factor authentication ---------------------------------------

STAFF_ROLES = ("manager", "committee", "admin")
SESSION_STAFF_KEY = "ais_staff_session"
SESSION_STARTED_KEY = "ais_session_started"
SESSION_ACTIVITY_KEY = "ais_session_activity"
SESSION_OWES_2FA_KEY = "ais_two_factor_enrolled"
SESSION_NEW_CODES_KEY = "ais_new_recovery_codes"


def is_staff_user(user) -> bool:
    """Managers, committee members and administrators (and superusers): the users whose
    sessions time out and who need a second factor when production asks for it."""
    return bool(user.is_superuser or user.has_role(*STAFF_ROLES))


def mark_session(request, user) -> None:
    """Record at login what the session rules need, so that they cost no query later:
    whether it is a staff session, when it started, and whether the user has an
    authenticator (a user who set one up is always asked for it)."""
    now = int(time.time())
    request.session[SESSION_STAFF_KEY] = is_staff_user(user)
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_ACTIVITY_KEY] = now
    request.session[SESSION_OWES_2FA_KEY] = has_confirmed_totp(user)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver (connected in apps.py)."""
    if request is not None and hasattr(request, "session"):
        mark_session(request, user)
    if user.inactivity_warned_at is not None:  # back in time: no anonymisation (no history entry either)
        type(user).objects.filter(pk=user.pk).update(inactivity_warned_at=None)
        user.inactivity_warned_at = None


def two_factor_required(request) -> bool:
    """Whether this logged-in session must give a second factor: staff when
    ``REQUIRE_2FA_FOR_STAFF`` is on, and anyone who has set up an authenticator."""
    session = request.session
    if session.get(SESSION_OWES_2FA_KEY):
        return True
    return bool(settings.REQUIRE_2FA_FOR_STAFF and session.get(SESSION_STAFF_KEY))


def has_confirmed_totp(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user):
    """The authenticator being set up (unconfirmed), created on first visit with a new key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def confirm_totp_device(request, device, token: str) -> list[str] | None:
    """Confirm the authenticator being set up with a code it shows; on success the
    user's earlier authenticators are replaced, the session counts as verified and
    new recovery codes are returned (to be shown once). ``None`` if the code is wrong."""
    from django_otp import login as otp_login

    if not device.verify_token(normalise_code(token)):
        return None
    with transaction.atomic():
        type(device).objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = regenerate_recovery_codes(device.user)
    otp_login(request, device)
    request.session[SESSION_OWES_2FA_KEY] = True
    return codes


def normalise_code(token: str) -> str:
    return "".join((token or "").split()).replace("-", "").lower()


def verify_second_factor(request, token: str):
    """Check a code from the authenticator, or a recovery code (used up by this);
    on success the session counts as verified. Returns the device or ``None``.
    Each device throttles wrong codes (django-otp's growing delays)."""
    from django_otp import login as otp_login
    from django_otp import match_token

    device = match_token(request.user, normalise_code(token))
    if device is not None:
        otp_login(request, device)
    return device


def regenerate_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ``TWO_FACTOR_RECOVERY_CODES`` new ones
    (each works once) and return them."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        codes = [secrets.token_hex(5) for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset_two_factor(user, *, by) -> None:
    """An administrator removes a user's authenticator and recovery codes (lost phone):
    at next login the user sets up a new one (staff) or logs in with the password."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    logger.info("Two-factor authentication of user %s reset by user %s", user.pk, getattr(by, "pk", None))


# Personal data ------------------------------------------------------------------------

ANONYMOUS_DOMAIN = "anonyme.invalid"
# Fields never exported (secrets), whatever the model.
SECRET_FIELD_PARTS = ("password", "token", "key", "secret")
# Fields that name or reach a person, blanked in rows that carry an anonymised user's e-mail.
PERSON_FIELDS = (
    "full_name",
    "first_name",
    "last_name",
    "contact_first_name",
    "contact_last_name",
    "phone",
    "contact_phone",
    "job_title",
)


def _exportable_value(value):
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def _row(instance) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if any(part in field.name for part in SECRET_FIELD_PARTS) or isinstance(field, models.BinaryField):
            continue
        if isinstance(field, models.ForeignKey):
            data[field.name] = _exportable_value(getattr(instance, field.attname))
        else:
            data[field.name] = _exportable_value(field.value_from_object(instance))
    return data


def _user_models():
    """(model, field) pairs of every non-historical model pointing to the user model."""
    User = get_user_model()
    for model in apps.get_models():
        if model is User or model._meta.label.split(".")[-1].startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is User:
                yield model, field


def export_personal_data(user) -> dict:
    """Everything the product keeps about ``user``, for them to download (GDPR right of
    access): the account, roles, the rows that name them in every app, the e-mails sent
    to them (without their text, which may hold one-time links), login records and the
    history of their account. Secrets (password hash, keys, tokens) are left out."""
    from axes.models import AccessAttempt, AccessLog

    memberships = [
        {
            "role": m.get_role_display(),
            "organisation": m.organisation.name if m.organisation_id else None,
            "created_at": m.created_at.isoformat(),
        }
        for m in user.memberships.select_related("organisation")
    ]
    related = {}
    for model, field in _user_models():
        if model._meta.app_label in ("axes", "otp_totp", "otp_static", "accounts", "admin"):
            continue
        if field.many_to_many:
            rows = model.objects.filter(**{field.name: user})
        else:
            rows = model.objects.filter(**{field.name: user})
        rows = [_row(row) for row in rows[:5000]]
        if rows:
            related.setdefault(f"{model._meta.label} ({field.name})", []).extend(rows)
    emails = [
        {
            "subject": e.subject,
            "reason": str(e.reason_label()),
            "status": e.get_status_display(),
            "created_at": e.created_at.isoformat(),
            "sent_at": e.sent_at.isoformat() if e.sent_at else None,
        }
        for e in OutgoingEmail.objects.filter(recipient__iexact=user.email)
    ]
    logins = [
        {"at": log.attempt_time.isoformat(), "ip_address": log.ip_address, "user_agent": log.user_agent}
        for log in AccessLog.objects.filter(username=user.email)
    ]
    failed = [
        {"at": a.attempt_time.isoformat(), "ip_address": a.ip_address, "failures": a.failures_since_start}
        for a in AccessAttempt.objects.filter(username=user.email)
    ]
    history = [
        {
            "at": h.history_date.isoformat(),
            "change": h.get_history_type_display(),
            "first_name": h.first_name,
            "last_name": h.last_name,
            "email": h.email,
            "phone": h.phone,
            "job_title": h.job_title,
            "is_active": h.is_active,
        }
        for h in user.history.all()
    ]
    return {
        "generated_at": timezone.now().isoformat(),
        "account": _row(user),
        "roles": memberships,
        "two_factor": {
            "authenticator": has_confirmed_totp(user),
            "recovery_codes_left": remaining_recovery_codes(user),
        },
        "records": related,
        "emails": emails,
        "logins": logins,
        "failed_logins": failed,
        "account_history": history,
    }


def anonymous_email(user) -> str:
    return f"anonyme-{user.pk}@{ANONYMOUS_DOMAIN}"


def anonymise_user(user, *, by=None) -> None:
    """Remove a person from the product while keeping what they did (GDPR right to
    erasure, or inactivity): names, e-mail, phone and job title are replaced in the
    account and in its history, the login is disabled for good, authenticator, login
    records and e-mails addressed to them lose their personal data, and the rows of
    other apps that carry their e-mail address (registrations, contacts) are blanked.
    Dossiers, scores, decisions and audit entries stay, attached to "Anonymous #id".
    Free text typed by other people (notes, comments) is not rewritten."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    old_email = user.email
    new_email = anonymous_email(user)
    replacement = {
        "first_name": "Anonyme",
        "last_name": f"#{user.pk}",
        "email": new_email,
        "phone": "",
        "job_title": "",
    }
    with transaction.atomic():
        for name, value in replacement.items():
            setattr(user, name, value)
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.anonymised_at = timezone.now()
        if by is not None:
            user._history_user = by
        user.save()
        user.history.update(**replacement)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=old_email).delete()
        OutgoingEmail.objects.filter(recipient__iexact=old_email).update(recipient=new_email, body="", html_body="")
        _scrub_rows_with_email(old_email, new_email, exclude=User)
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
    logger.info("User %s anonymised by %s", user.pk, getattr(by, "pk", "the inactivity sweep"))


def _scrub_rows_with_email(old_email: str, new_email: str, *, exclude) -> None:
    """Replace ``old_email`` (and the names next to it) in every other table, historical
    tables included."""
    for model in apps.get_models():
        if model is exclude or model is OutgoingEmail or model._meta.app_label == "axes":
            continue
        if model._meta.label == "accounts.HistoricalUser":
            continue
        fields = {f.name: f for f in model._meta.concrete_fields}
        for field in fields.values():
            if not isinstance(field, models.EmailField):
                continue
            blanks = {}
            for name in PERSON_FIELDS:
                if name in fields and isinstance(fields[name], models.CharField):
                    blanks[name] = "" if fields[name].blank else "Anonyme"
            model._default_manager.filter(**{f"{field.name}__iexact": old_email}).update(
                **{field.name: new_email}, **blanks
            )


def _last_activity():
    from django.db.models.functions import Coalesce

    return Coalesce("last_login", "date_joined")


def warn_inactive_accounts(*, now=None) -> int:
    """Warn by e-mail the accounts that will be anonymised for inactivity in
    ``GDPR_WARNING_DAYS`` days; each account once per period of inactivity. Returns
    how many were warned."""
    now = now or timezone.now()
    threshold = now - timedelta(days=settings.GDPR_INACTIVE_DAYS - settings.GDPR_WARNING_DAYS)
    users = (
        get_user_model()
        .objects.annotate(last_activity=_last_activity())
        .filter(
            anonymised_at__isnull=True,
            is_superuser=False,
            inactivity_warned_at__isnull=True,
            last_activity__lt=threshold,
        )
    )
    count = 0
    for user in users:
        with transaction.atomic():
            type(user).objects.filter(pk=user.pk).update(inactivity_warned_at=now)
            queue_templated_email(
                recipient=user.email,
                template="accounts/email/inactivity_warning",
                context={
                    "user": user,
                    "days": settings.GDPR_WARNING_DAYS,
                    "login_url": settings.SITE_URL + reverse("accounts:login"),
                },
                reason=reasons.OTHER,
                related_object=user,
                dedup_key=f"inactivity-warning:{user.pk}:{now:%Y%m%d}",
            )
        count += 1
    return count


def anonymise_inactive_accounts(*, now=None) -> int:
    """Anonymise the accounts warned at least ``GDPR_WARNING_DAYS`` days ago that have
    not logged in since (logging in clears the warning). Returns how many."""
    now = now or timezone.now()
    users = get_user_model().objects.filter(
        anonymised_at__isnull=True,
        is_superuser=False,
        inactivity_warned_at__lte=now - timedelta(days=settings.GDPR_WARNING_DAYS),
    )
    count = 0
    for user in users:
        anonymise_user(user)
        count += 1
    return count
