"""E-mailed links to a questionnaire.

A link carries a random token of 256 bits (``secrets.token_urlsafe(32)``); only its
SHA-256 is stored. It works until the due date plus ``EVALUATION_LINK_GRACE_DAYS``,
once: redeeming it grants the browser's session access to that questionnaire, and
the page then redirects to the questionnaire's address without the token. A
manager can revoke a questionnaire's links; submitting revokes them too.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ais.accounts.models import Role
from ais.core.errors import DomainError
from ais.outbox.services import existing_dedup_keys, queue_emails, render_email

from .emails import EVALUATION_REMINDER
from .models import AccessLink, Response

SESSION_KEY = "evaluation_access"


class LinkError(DomainError):
    """The link cannot open the questionnaire; ``reason`` is one of invalid, expired,
    revoked, used, closed, and the message says how to get a new one."""

    def __init__(self, reason: str, message: str, *, response: Response | None = None):
        super().__init__(message, code=reason)
        self.reason = reason
        self.response = response


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_expiry(response: Response) -> datetime.datetime:
    """End of the last day the link works (Paris time): due date + grace period."""
    last_day = response.due_on + datetime.timedelta(days=settings.EVALUATION_LINK_GRACE_DAYS)
    return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(23, 59, 59)))


def new_link(response: Response, recipient: str) -> tuple[AccessLink, str]:
    """A new link for ``recipient``, not saved yet, and its raw token (never stored)."""
    token = secrets.token_urlsafe(32)
    link = AccessLink(response=response, token_hash=_hash(token), recipient=recipient, expires_at=link_expiry(response))
    return link, token


def issue_link(response: Response, recipient: str) -> tuple[AccessLink, str]:
    """A new link for ``recipient``; returns the row and the raw token (never stored)."""
    link, token = new_link(response, recipient)
    link.save(force_insert=True)
    return link, token


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("evaluation:link", kwargs={"token": token})


def _usable(link: AccessLink | None) -> Response:
    """The link's questionnaire, or ``LinkError`` saying why the link cannot be used."""
    if link is None:
        raise LinkError("invalid", _("This link is not valid: it may have been copied incompletely."))
    response = link.response
    if link.revoked_at is not None:
        raise LinkError("revoked", _("This link was withdrawn."), response=response)
    if link.used_at is not None:
        raise LinkError("used", _("This link was already used."), response=response)
    if link.expires_at < timezone.now():
        raise LinkError("expired", _("This link has expired."), response=response)
    if not response.is_editable:
        raise LinkError("closed", _("This questionnaire was already submitted."), response=response)
    return response


def _well_formed(token: str) -> None:
    if not token or len(token) > 100:
        raise LinkError("invalid", _("This link is not valid."))


def check(token: str) -> Response:
    """The questionnaire a still usable token opens, without using the token up.

    Opening a link (GET) only shows a button; the token is exchanged when the person
    presses it (POST), so that mail scanners that follow links do not use it up."""
    _well_formed(token)
    link = AccessLink.objects.select_related("response__structure__organisation", "response__structure__innovation")
    return _usable(link.filter(token_hash=_hash(token)).first())


def redeem(token: str, session) -> Response:
    """Exchange a token for access to its questionnaire in ``session``, once."""
    _well_formed(token)
    with transaction.atomic():
        link = (
            AccessLink.objects.select_for_update()
            .select_related("response__structure")
            .filter(token_hash=_hash(token))
            .first()
        )
        response = _usable(link)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    grant(session, response, until=link.expires_at)
    return response


def grant(session, response: Response, *, until: datetime.datetime) -> None:
    granted = dict(session.get(SESSION_KEY, {}))
    granted[str(response.pk)] = until.timestamp()
    session[SESSION_KEY] = granted
    session.cycle_key()


def has_grant(session, response_id: int) -> bool:
    until = session.get(SESSION_KEY, {}).get(str(response_id))
    return until is not None and until >= timezone.now().timestamp()


def revoke_links(response: Response, *, by=None) -> int:
    return response.links.filter(revoked_at__isnull=True, used_at__isnull=True).update(revoked_at=timezone.now())


def contacts(structure) -> list:
    """Active users holding the structure role for the structure's organisation."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.STRUCTURE,
            memberships__organisation_id=structure.organisation_id,
        )
        .distinct()
        .order_by("pk")
    )


def link_key(response: Response, dedup: str, user) -> str:
    """The outbox key of the e-mail about ``response`` to ``user`` for ``dedup``."""
    return f"evaluation:{response.pk}:{dedup}:{user.pk}"


def link_email(response: Response, user, *, purpose: str, dedup: str) -> tuple[AccessLink, dict]:
    """A fresh link for ``user`` (not saved yet) and the e-mail that carries it, as a
    message for ``ais.outbox.services.queue_emails``. ``purpose`` picks the text."""
    link, token = new_link(response, user.email)
    subject, body = render_email(
        "evaluation/email/questionnaire",
        {
            "response": response,
            "structure": response.structure,
            "innovation": response.structure.innovation,
            "purpose": purpose,
            "url": link_url(token),
            "user": user,
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "expires_on": (response.due_on + datetime.timedelta(days=settings.EVALUATION_LINK_GRACE_DAYS)),
        },
    )
    message = {
        "recipient": user.email,
        "subject": subject,
        "body": body,
        "reason": EVALUATION_REMINDER,
        "related_object": response,
        "dedup_key": link_key(response, dedup, user),
    }
    return link, message


def send_access_links(response: Response, *, purpose: str, dedup: str, recipients=None) -> list[str]:
    """E-mail each contact of the structure a fresh link to the questionnaire.
    ``purpose`` picks the text (opening, before_due, due, late_1…, returned, new_link);
    ``dedup`` makes the e-mail unique, so the same call never sends twice: a contact
    whose e-mail was already queued gets no new link. Returns the addresses written to.
    Three queries whatever the number of contacts (the keys already used, the links,
    the e-mails), and one to find the contacts when ``recipients`` is not given; the
    reminder sweep does the same for many questionnaires at once (``link_email``)."""
    recipients = recipients if recipients is not None else contacts(response.structure)
    skip = existing_dedup_keys(link_key(response, dedup, user) for user in recipients)
    links, messages = [], []
    for user in recipients:
        key = link_key(response, dedup, user)
        if key in skip:
            continue
        skip.add(key)
        link, message = link_email(response, user, purpose=purpose, dedup=dedup)
        links.append(link)
        messages.append(message)
    with transaction.atomic(savepoint=False):  # the links and their e-mails, or nothing
        AccessLink.objects.bulk_create(links)
        return [email.recipient for email in queue_emails(messages)]


NEW_LINKS_PER_HOUR = 3


def send_new_links(email: str) -> list[str]:
    """Someone asks for a new link: if ``email`` is an active structure contact's,
    each of their open questionnaires (whose links would still work) gets a fresh
    link, e-mailed to that address only. At most ``NEW_LINKS_PER_HOUR`` requests per
    address and clock hour are served; the dedup key names the hour and the request's
    rank in it, so that the same request never sends twice and nobody can use this
    to flood a mailbox. Returns the addresses written to (the page never says)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from ais.outbox.models import OutgoingEmail
    from essaimage.models import StructureStatus

    from .models import EDITABLE_STATUSES

    email = (email or "").strip()
    user = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, memberships__role=Role.STRUCTURE)
        .order_by("pk")
        .first()
    )
    if user is None:
        return []
    today = timezone.localdate()
    responses = list(
        Response.objects.filter(
            status__in=EDITABLE_STATUSES,
            opens_on__lte=today,
            due_on__gte=today - datetime.timedelta(days=settings.EVALUATION_LINK_GRACE_DAYS),
            structure__organisation__memberships__user=user,
            structure__organisation__memberships__role=Role.STRUCTURE,
        )
        .exclude(structure__status=StructureStatus.WITHDRAWN)
        .select_related("structure__organisation", "structure__innovation")
        .distinct()
        .order_by("due_on", "pk")
    )
    if not responses:
        return []
    hour = timezone.localtime().strftime("%Y%m%d%H")
    served = (
        OutgoingEmail.objects.filter(
            recipient__iexact=user.email,
            dedup_key__contains=f":new_link:{hour}:",
            dedup_key__endswith=f":{user.pk}",
        )
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    requests = max((row["n"] for row in served), default=0)
    if requests >= NEW_LINKS_PER_HOUR:
        return []
    sent = []
    for response in responses:
        sent += send_access_links(
            response, purpose="new_link", dedup=f"new_link:{hour}:{requests + 1}", recipients=[user]
        )
    return sent
