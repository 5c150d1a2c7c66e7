"""The reminder sweep (Celery beat, hourly): e-mails about questionnaires.

For each open questionnaire not yet submitted: at opening, seven days before the
due date, on the due date, then every ``EVALUATION_REMINDER_EVERY_DAYS`` days up
to ``EVALUATION_LATE_REMINDERS`` times; after that the innovation's lead manager
is alerted. Each (questionnaire, kind) is a ``Reminder`` row created in the same
transaction as its e-mails (outbox rows with a unique key), so running the sweep
twice, or again after a worker died in the middle, never sends anything twice.
When several kinds are due at once (a questionnaire scheduled late), only the
latest is sent; the earlier ones are recorded as skipped.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Membership, Role
from ais.outbox.models import Reason
from ais.outbox.services import queue_templated_email
from essaimage.models import StructureStatus

from .links import send_access_links
from .models import EDITABLE_STATUSES, Reminder, ReminderKind, Response

logger = logging.getLogger(__name__)


def reminder_dates(response: Response) -> list[tuple[str, datetime.date]]:
    """Each reminder kind with the day it becomes due, in order."""
    every = datetime.timedelta(days=settings.EVALUATION_REMINDER_EVERY_DAYS)
    late = [ReminderKind.LATE_1, ReminderKind.LATE_2, ReminderKind.LATE_3][: settings.EVALUATION_LATE_REMINDERS]
    dates = [
        (ReminderKind.OPENING, response.opens_on),
        (ReminderKind.BEFORE_DUE, max(response.opens_on, response.due_on - datetime.timedelta(days=7))),
        (ReminderKind.DUE, response.due_on),
    ]
    dates += [(kind, response.due_on + every * index) for index, kind in enumerate(late, start=1)]
    dates.append((ReminderKind.MANAGER_ALERT, response.due_on + every * (len(late) + 1)))
    return dates


def due_kinds(response: Response, today: datetime.date, done: set[str]) -> list[str]:
    return [kind for kind, day in reminder_dates(response) if day <= today and kind not in done]


def candidates(today: datetime.date):
    """Questionnaires the sweep looks at, with what it needs, in a fixed number of queries."""
    contacts = Membership.objects.filter(role=Role.STRUCTURE, user__is_active=True).select_related("user")
    return (
        Response.objects.filter(status__in=EDITABLE_STATUSES, opens_on__lte=today)
        .exclude(structure__status=StructureStatus.WITHDRAWN)
        .select_related("structure__organisation", "structure__innovation__lead_manager")
        .prefetch_related(
            Prefetch("reminders", to_attr="sent_reminders"),
            Prefetch("structure__organisation__memberships", queryset=contacts, to_attr="contacts"),
        )
        .order_by("pk")
    )


def send_due_reminders(today: datetime.date | None = None) -> int:
    """Send what is due today; returns the number of reminders recorded (sent or alerted)."""
    today = today or timezone.localdate()
    recorded = 0
    for response in candidates(today).iterator(chunk_size=500):
        done = {reminder.kind for reminder in response.sent_reminders}
        kinds = due_kinds(response, today, done)
        if not kinds:
            continue
        try:
            with transaction.atomic():
                _record(response, kinds, today)
        except IntegrityError:  # another sweep recorded it first
            logger.info("Reminder for questionnaire %s already recorded", response.pk)
            continue
        recorded += 1
    return recorded


def _record(response: Response, kinds: list[str], today) -> None:
    *skipped, kind = kinds
    Reminder.objects.bulk_create([Reminder(response=response, kind=k, recipients=[]) for k in skipped])
    if kind == ReminderKind.MANAGER_ALERT:
        recipients = _alert_manager(response)
    else:
        users = [membership.user for membership in response.structure.organisation.contacts]
        recipients = send_access_links(response, purpose=kind, dedup=kind, recipients=users)
    Reminder.objects.create(response=response, kind=kind, recipients=recipients)


def _alert_manager(response: Response) -> list[str]:
    innovation = response.structure.innovation
    managers = [innovation.lead_manager] if innovation.lead_manager and innovation.lead_manager.is_active else []
    if not managers:
        managers = list(innovation.team.filter(is_active=True))
    for manager in managers:
        queue_templated_email(
            recipient=manager.email,
            template="evaluation/email/manager_alert",
            context={
                "response": response,
                "structure": response.structure,
                "innovation": innovation,
                "url": settings.SITE_URL + reverse("evaluation:response_manage", kwargs={"pk": response.pk}),
            },
            reason=Reason.EVALUATION_ALERT,
            related_object=response,
            dedup_key=f"evaluation:{response.pk}:manager_alert:{manager.pk}",
        )
    return [manager.email for manager in managers]
