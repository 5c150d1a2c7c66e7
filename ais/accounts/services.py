"""Account state changes: carrier sign-up and e-mail confirmation, password-reset
throttling, staff sessions and two-factor authentication, personal data (export,
anonymisation, inactive accounts), and the administrators' people and roles
(invitations, roles given and removed, deactivation)."""

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
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


# Lockout: the owner unlocks their account -----------------------------------------

UNLOCK_SALT = "ais.accounts.unlock"


class UnlockError(DomainError):
    """The unlock link is expired (``"expired"``) or invalid (``"invalid"``)."""


def unlock_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=UNLOCK_SALT, compress=True)


def send_unlock_email(user, *, ip_address: str | None) -> None:
    """Queue the « Débloquer mon compte » e-mail: which connection was blocked and the
    link that unlocks the account (valid ``ACCOUNT_UNLOCK_MAX_AGE``). At most one an hour
    per account, however many attempts follow."""
    queue_templated_email(
        recipient=user.email,
        template="accounts/email/unlock",
        context={
            "user": user,
            "url": settings.SITE_URL + reverse("accounts:unlock", args=[unlock_token(user)]),
            "ip_address": ip_address or "?",
            "minutes": int(settings.AXES_COOLOFF_TIME * 60),
            "link_minutes": settings.ACCOUNT_UNLOCK_MAX_AGE // 60,
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        reason=reasons.ACCOUNT_UNLOCK,
        related_object=user,
        dedup_key=f"unlock:{user.pk}:{timezone.now():%Y%m%d%H}",
    )


def on_user_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """axes' ``user_locked_out`` receiver (connected in apps.py): when an account gets
    locked from an address, e-mail its owner the unlock link. A lock of the address alone
    (many accounts tried from it) sends nothing: no owner to tell."""
    from .lockout import pair_failures

    if not username or request is None:
        return
    if pair_failures(request, username) < settings.AXES_FAILURE_LIMIT:
        return
    user = get_user_model().objects.filter(email__iexact=username, is_active=True).first()
    if user is not None:
        send_unlock_email(user, ip_address=ip_address)


def user_for_unlock_token(token: str):
    """The account an unlock link names; ``UnlockError`` when expired or tampered with."""
    try:
        data = signing.loads(token, salt=UNLOCK_SALT, max_age=settings.ACCOUNT_UNLOCK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise UnlockError("expired") from error
    except signing.BadSignature as error:
        raise UnlockError("invalid") from error
    user = get_user_model().objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user is None:
        raise UnlockError("invalid")
    return user


def unlock_account(user) -> int:
    """Forget the failed logins of ``user`` from every address (the owner proved they
    read the account's mailbox): logging in works at once. A lock of an address for
    trying many accounts stays. Returns how many attempt records were removed."""
    from axes.models import AccessAttempt

    count, _ = AccessAttempt.objects.filter(username__iexact=user.email).delete()
    logger.info("User %s unlocked their account through the e-mailed link", user.pk)
    return count


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


# A first authenticator needs a code e-mailed to the account: a password alone must not be
# enough to attach an attacker's phone to someone's account (issue 18, item 7).
SESSION_EMAIL_CODE_KEY = "ais_enrolment_email_code"
SESSION_MAILBOX_PROVEN_KEY = "ais_enrolment_mailbox_proven"


class EnrolmentCodeError(DomainError):
    """The e-mailed code is wrong, expired or used up; the message says what to do."""


def _code_digest(user, code: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac("ais.accounts.enrolment_code", f"{user.pk}:{code}", algorithm="sha256").hexdigest()


def needs_mailbox_proof(request) -> bool:
    """Whether this session must give the e-mailed code before setting up an
    authenticator: the user has none yet and has not given the code in this session."""
    return not has_confirmed_totp(request.user) and request.session.get(SESSION_MAILBOX_PROVEN_KEY) != request.user.pk


def pending_email_code(request) -> dict | None:
    """The code sent to this session, while it can still be used."""
    pending = request.session.get(SESSION_EMAIL_CODE_KEY)
    if not pending or pending.get("user") != request.user.pk or pending["expires"] <= time.time():
        return None
    if pending["attempts"] >= settings.TWO_FACTOR_EMAIL_CODE_ATTEMPTS:
        return None
    return pending


def send_enrolment_code(request) -> bool:
    """E-mail a new 6-digit code to the logged-in user's address, valid
    ``TWO_FACTOR_EMAIL_CODE_MAX_AGE`` seconds for ``TWO_FACTOR_EMAIL_CODE_ATTEMPTS`` tries;
    the previous one stops working. At most ``TWO_FACTOR_EMAIL_CODES_PER_HOUR`` an hour per
    account (counted in the outbox): returns ``False`` when that is reached."""
    user = request.user
    since = timezone.now() - timedelta(hours=1)
    sent = OutgoingEmail.objects.filter(
        reason=reasons.TWO_FACTOR_ENROLMENT, recipient__iexact=user.email, created_at__gte=since
    ).count()
    if sent >= settings.TWO_FACTOR_EMAIL_CODES_PER_HOUR:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_EMAIL_CODE_KEY] = {
        "user": user.pk,
        "digest": _code_digest(user, code),
        "expires": time.time() + settings.TWO_FACTOR_EMAIL_CODE_MAX_AGE,
        "attempts": 0,
    }
    queue_templated_email(
        recipient=user.email,
        template="accounts/email/enrolment_code",
        context={"user": user, "code": code, "minutes": settings.TWO_FACTOR_EMAIL_CODE_MAX_AGE // 60},
        reason=reasons.TWO_FACTOR_ENROLMENT,
        related_object=user,
        dedup_key=f"enrolment-code:{user.pk}:{secrets.token_hex(8)}",
    )
    return True


def check_enrolment_code(request, code: str) -> None:
    """Accept the e-mailed code: the session may then set up an authenticator. Raises
    ``EnrolmentCodeError`` when it is wrong (one try used), expired or used up."""
    from django.utils.crypto import constant_time_compare
    from django.utils.translation import gettext as _

    pending = request.session.get(SESSION_EMAIL_CODE_KEY)
    if not pending or pending.get("user") != request.user.pk:
        raise EnrolmentCodeError(_("No code is waiting: ask for a new code."), field="email_code")
    if pending["expires"] <= time.time():
        raise EnrolmentCodeError(_("This code has expired: ask for a new code."), field="email_code")
    if pending["attempts"] >= settings.TWO_FACTOR_EMAIL_CODE_ATTEMPTS:
        raise EnrolmentCodeError(_("Too many wrong codes: ask for a new code."), field="email_code")
    if not constant_time_compare(pending["digest"], _code_digest(request.user, normalise_code(code))):
        pending["attempts"] += 1
        request.session[SESSION_EMAIL_CODE_KEY] = pending
        left = settings.TWO_FACTOR_EMAIL_CODE_ATTEMPTS - pending["attempts"]
        if left <= 0:
            raise EnrolmentCodeError(_("Too many wrong codes: ask for a new code."), field="email_code")
        raise EnrolmentCodeError(
            ngettext(
                "This code is not the one sent: %(left)s try left.",
                "This code is not the one sent: %(left)s tries left.",
                left,
            )
            % {"left": left},
            field="email_code",
        )
    del request.session[SESSION_EMAIL_CODE_KEY]
    request.session[SESSION_MAILBOX_PROVEN_KEY] = request.user.pk


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


# People and roles (administrators) ----------------------------------------------------
#
# Each change below is one function, audited by django-simple-history: the account's and
# the roles' history rows record who did it (``_history_user``) and, where the fields alone
# would not say it, why (``_change_reason``). ``ais/accounts/people.py`` reads them back.

INVITATION_SALT = "ais.accounts.invitation"
INVITATION_MAX_AGE = 7 * 24 * 3600  # seven days
# Roles that belong to an organisation: a carrier or a structure contact without one sees nothing.
ROLES_WITH_ORGANISATION = (Role.CARRIER, Role.STRUCTURE)


class PeopleError(DomainError):
    """An administrator's change to a person is refused (the message says why)."""


class InvitationError(DomainError):
    """The invitation link is expired (``code="expired"``), already used (``"used"``) or invalid."""


def is_pending_invitation(user) -> bool:
    """Invited, and has not chosen a password yet."""
    return user.last_login is None and not user.has_usable_password()


def _password_state(user) -> str:
    # Changes when the password is set: a used invitation link stops working.
    return salted_hmac(INVITATION_SALT, user.password or "", algorithm="sha256").hexdigest()[:16]


def invitation_token(user) -> str:
    """The signed link's token: the account and the state of its password (so the link
    works once); its signature carries the date, checked against ``INVITATION_MAX_AGE``."""
    return signing.dumps({"u": user.pk, "p": _password_state(user)}, salt=INVITATION_SALT, compress=True)


def send_invitation(user, *, by=None, dedup_key: str = "") -> None:
    """Queue the invitation e-mail with a new link to choose a password (valid
    ``INVITATION_MAX_AGE``). Refused once the person has chosen a password. Two calls
    with the same ``dedup_key`` send one e-mail."""
    if not is_pending_invitation(user):
        raise PeopleError(_("This person has already chosen a password: they log in as usual."))
    if not user.is_active:
        raise PeopleError(_("This account is deactivated: reactivate it before inviting the person again."))
    token = invitation_token(user)
    queue_templated_email(
        recipient=user.email,
        template="accounts/email/invitation",
        context={
            "user": user,
            "by": by,
            "roles": user.roles_display,
            "url": settings.SITE_URL + reverse("accounts:invitation", args=[token]),
            "days": INVITATION_MAX_AGE // 86400,
        },
        reason=reasons.ACCOUNT_INVITATION,
        related_object=user,
        dedup_key=dedup_key or f"invitation:{user.pk}:{token[-16:]}",
    )


def _check_role(role: str, organisation) -> None:
    if role not in Role.values:
        raise PeopleError(_("Choose a role."), field="role")
    if role in ROLES_WITH_ORGANISATION and organisation is None:
        raise PeopleError(_("This role is held for an organisation: choose one."), field="organisation")


def invite_person(*, email: str, first_name: str, last_name: str, role: str, organisation=None, job_title="", by):
    """Create the account of a new person with one role and e-mail them a link to choose
    their password. An address that already has an account is refused (give that person
    the role from their page instead)."""
    User = get_user_model()
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise PeopleError(
            _("A person already has an account with this address: give them the role from their page."),
            field="email",
        )
    _check_role(role, organisation)
    with transaction.atomic():
        user = User(email=email, first_name=first_name, last_name=last_name, job_title=job_title)
        user.set_unusable_password()
        user._history_user = by
        user._change_reason = "invitation"
        user.save()
        membership = Membership(user=user, role=role, organisation=organisation)
        membership._history_user = by
        membership.save()
        send_invitation(user, by=by)
    logger.info("User %s invited by user %s", user.pk, getattr(by, "pk", None))
    return user


def invited_user(token: str, *, renewing: bool = False):
    """The person an invitation link is for; ``InvitationError`` when the link is invalid,
    used or expired. With ``renewing``, an expired link is accepted (to send a new one)."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=None if renewing else INVITATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvitationError(_("This invitation link has expired."), code="expired") from error
    except signing.BadSignature as error:
        raise InvitationError(_("This invitation link is not valid."), code="invalid") from error
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None or not user.is_active:
        raise InvitationError(_("This invitation link is not valid."), code="invalid")
    if data.get("p") != _password_state(user):
        raise InvitationError(_("This invitation link has already been used."), code="used")
    return user


def accept_invitation(token: str, *, password: str):
    """The invited person chooses their password: the link stops working and the account
    is ready (the view logs them in). The password is checked by the form."""
    user = invited_user(token)
    user.set_password(password)
    user._history_user = user
    user._change_reason = "invitation accepted"
    user.save(update_fields=["password"])
    return user


def renew_invitation(token: str) -> None:
    """From an expired link: a new one goes to the account's own address (nothing when the
    person already chose a password or the link is not one of ours; one an hour at most)."""
    try:
        user = invited_user(token, renewing=True)
    except InvitationError:
        return
    if is_pending_invitation(user):  # at most one an hour, however often the page is posted
        send_invitation(user, dedup_key=f"invitation-renewed:{user.pk}:{timezone.now():%Y%m%d%H}")


def give_role(user, *, role: str, organisation=None, by):
    """Give ``user`` a role (for an organisation when it needs one). Holding it already is refused."""
    _check_role(role, organisation)
    if Membership.objects.filter(user=user, role=role, organisation=organisation).exists():
        raise PeopleError(_("This person already holds this role."), field="role")
    membership = Membership(user=user, role=role, organisation=organisation)
    membership._history_user = by
    membership.save()
    user.__dict__.pop("_role_codes", None)
    return membership


def _active_administrators():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(models.Q(is_superuser=True) | models.Q(memberships__role=Role.ADMIN))
        .distinct()
    )


def remove_role(membership, *, by) -> None:
    """Remove one role of a person. Nobody removes their own administrator role, and the
    last active administrator keeps theirs."""
    if membership.role == Role.ADMIN:
        if membership.user_id == by.pk:
            raise PeopleError(_("You cannot remove your own administrator role: ask another administrator."))
        others = _active_administrators().exclude(pk=membership.user_id)
        if not others.exists():
            raise PeopleError(_("This is the last administrator: give the role to someone else first."))
    membership._history_user = by
    membership.delete()


def deactivate_user(user, *, by) -> None:
    """Close a person's access: they can no longer log in, and their open sessions end at
    their next request. Their records stay. Not yourself, not the last administrator."""
    if user.pk == by.pk:
        raise PeopleError(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise PeopleError(_("This account is already deactivated."))
    if user in _active_administrators() and not _active_administrators().exclude(pk=user.pk).exists():
        raise PeopleError(_("This is the last administrator: give the role to someone else first."))
    user.is_active = False
    user._history_user = by
    user.save(update_fields=["is_active"])
    logger.info("User %s deactivated by user %s", user.pk, by.pk)


def reactivate_user(user, *, by) -> None:
    """Open a deactivated account again (an anonymised one stays closed)."""
    if user.anonymised_at is not None:
        raise PeopleError(_("This account was anonymised: it cannot be reactivated."))
    if user.is_active:
        raise PeopleError(_("This account is already active."))
    user.is_active = True
    user._history_user = by
    user.save(update_fields=["is_active"])
    logger.info("User %s reactivated by user %s", user.pk, by.pk)
