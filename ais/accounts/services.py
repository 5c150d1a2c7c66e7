"""Account state changes: carrier sign-up and e-mail confirmation."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ais.outbox.models import Reason
from ais.outbox.services import queue_templated_email

from .models import Membership, Organisation, Role

ACTIVATION_SALT = "ais.accounts.activation"
ACTIVATION_MAX_AGE = 3 * 24 * 3600  # three days


class ActivationError(Exception):
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
        reason=Reason.SIGNUP_CONFIRMATION,
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
            reason=Reason.SIGNUP_CONFIRMATION,
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
