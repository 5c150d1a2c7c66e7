"""The reminder sweep (Celery beat, hourly): e-mails about questionnaires.

For each open questionnaire not yet submitted: at opening, seven days before the
due date, on the due date, then every ``EVALUATION_REMINDER_EVERY_DAYS`` days up
to ``EVALUATION_LATE_REMINDERS`` times; after that the innovation's lead manager
is alerted. When several kinds are due at once (a questionnaire scheduled late),
only the latest is sent; the earlier ones are recorded as skipped.

Exactly once, in a constant number of queries. The questionnaires with something
due are handled in batches of ``BATCH_SIZE``, one transaction each: the batch's
``Reminder`` rows (unique per questionnaire and kind) are inserted first by one
``INSERT … ON CONFLICT DO NOTHING RETURNING``, which says which rows this sweep
recorded; then, for those only, one insert of the access links and one of the
outbox e-mails (unique keys), the contacts' and the managers' together. Running the
sweep twice sends nothing twice (the second finds the rows). Two sweeps at the same
time: the second waits on the unique index for the first one's rows until the first
commits, then inserts none of them and sends nothing for them; if the first rolls
back, the second records and sends them. A worker that dies in the middle loses its
current batch whole (rows and e-mails), which the next sweep does again; if it dies
just after a commit, the batch's e-mails not yet handed to the broker are sent by the
outbox flush a few minutes later.

Queries: three per 500 candidates read (the questionnaires, their reminders, their
contacts); then each batch costs four whatever its size (the e-mail
keys already used, the reminders, the links, the e-mails), and a fifth when an alert
goes to the team of an innovation without an active lead manager (all such teams at
once). One day of a ten-year programme (236 reminders) is one batch: seven queries.
"""

import datetime
import json
import logging
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Membership, Role
from ais.outbox.services import existing_dedup_keys, queue_emails, render_email
from essaimage.models import StructureStatus
from projects.models import Innovation

from .emails import EVALUATION_ALERT
from .links import contacts, link_email, link_key
from .models import EDITABLE_STATUSES, AccessLink, Reminder, ReminderKind, Response

logger = logging.getLogger(__name__)

# Questionnaires with something due handled in one transaction. A batch of 250 holds
# its transaction for well under a second and covers the busiest day of a ten-year
# programme (236 reminders); a dead worker loses at most one batch of work.
BATCH_SIZE = 250


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
    batch = []
    for response in candidates(today).iterator(chunk_size=500):
        done = {reminder.kind for reminder in response.sent_reminders}
        kinds = due_kinds(response, today, done)
        if kinds:
            batch.append((response, kinds))
        if len(batch) >= BATCH_SIZE:
            recorded += _record_batch(batch)
            batch = []
    if batch:
        recorded += _record_batch(batch)
    return recorded


def _record_batch(batch: list[tuple[Response, list[str]]]) -> int:
    """Record and send the reminders of a batch in one transaction, in a constant
    number of queries; returns the number of reminders this sweep recorded."""
    managers = _managers([response for response, kinds in batch if kinds[-1] == ReminderKind.MANAGER_ALERT])
    wanted = []  # (response, due kinds, people to write to about the latest)
    for response, kinds in batch:
        if kinds[-1] == ReminderKind.MANAGER_ALERT:
            people = managers[response.pk]
        else:
            people = [membership.user for membership in response.structure.organisation.contacts]
        wanted.append((response, kinds, list({person.pk: person for person in people}.values())))
    # A key already in the outbox (a reminder row deleted by hand) is not written again.
    used = existing_dedup_keys(link_key(r, kinds[-1], person) for r, kinds, people in wanted for person in people)
    planned, rows = [], []  # rows: (response id, kind, recipients), the skipped kinds first
    for response, kinds, people in wanted:
        *skipped, kind = kinds
        people = [person for person in people if link_key(response, kind, person) not in used]
        rows += [(response.pk, earlier, []) for earlier in skipped]
        rows.append((response.pk, kind, [person.email for person in people]))
        planned.append((response, kind, people))
    with transaction.atomic():
        recorded = _insert_reminders(rows)
        links, messages = [], []
        for response, kind, people in planned:
            if (response.pk, kind) not in recorded:
                continue  # recorded by another sweep, which sends it
            for person in people:
                if kind == ReminderKind.MANAGER_ALERT:
                    messages.append(_alert(response, person))
                else:
                    link, message = link_email(response, person, purpose=kind, dedup=kind)
                    links.append(link)
                    messages.append(message)
        AccessLink.objects.bulk_create(links)
        queue_emails(messages)
    sent = sum((response.pk, kind) in recorded for response, kind, _people in planned)
    if sent < len(planned):
        logger.info("%s reminders already recorded by another sweep", len(planned) - sent)
    return sent


# A manager's « Relancer » is not repeated within this interval (a double click, two
# managers on the same late list): the structure gets one e-mail, not several.
MANUAL_REMINDER_INTERVAL = datetime.timedelta(hours=24)


def send_manual_reminder(response: Response, *, by, now=None) -> Reminder:
    """A programme manager reminds a late questionnaire now: each contact of the
    structure gets a fresh link by e-mail, through the outbox, with the text of the
    sweep's late reminders; recorded as a ``Reminder`` of kind ``MANUAL`` (who, when,
    to whom). Refused (``EvaluationError``) when the questionnaire is not late and
    open, when the structure has no contact, and within ``MANUAL_REMINDER_INTERVAL``
    of the previous one."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from .services import EvaluationError

    now = now or timezone.now()
    with transaction.atomic():
        # Locked: two managers clicking at once send one reminder.
        response = Response.objects.select_for_update().select_related("structure__innovation").get(pk=response.pk)
        if not response.is_late(timezone.localdate(now)) or not response.is_open(timezone.localdate(now)):
            raise EvaluationError(_("Only a late questionnaire, still open for answers, can be reminded."))
        previous = (
            response.reminders.filter(kind=ReminderKind.MANUAL, created_at__gt=now - MANUAL_REMINDER_INTERVAL)
            .order_by("-created_at")
            .first()
        )
        if previous is not None:
            raise EvaluationError(
                _("A reminder was already sent on %(when)s: the next one can be sent from %(next)s.")
                % {
                    "when": date_format(timezone.localtime(previous.created_at), "DATETIME_FORMAT"),
                    "next": date_format(
                        timezone.localtime(previous.created_at + MANUAL_REMINDER_INTERVAL), "DATETIME_FORMAT"
                    ),
                }
            )
        people = contacts(response.structure)
        if not people:
            raise EvaluationError(
                _("The structure has no contact with an account yet: add one on the structure's page.")
            )
        reminder = Reminder.objects.create(
            response=response,
            kind=ReminderKind.MANUAL,
            created_at=now,
            recipients=[person.email for person in people],
            sent_by=by,
        )
        links, messages = [], []
        for person in people:
            link, message = link_email(response, person, purpose=ReminderKind.MANUAL, dedup=f"manual-{reminder.pk}")
            links.append(link)
            messages.append(message)
        AccessLink.objects.bulk_create(links)
        queue_emails(messages)
    return reminder


def _insert_reminders(rows: list[tuple[int, str, list[str]]]) -> set[tuple[int, str]]:
    """Insert the ``Reminder`` rows not recorded yet, in their order; returns the
    ``(response id, kind)`` of those inserted. A row that a concurrent sweep is
    inserting waits for its transaction, then is skipped if it committed."""
    opts = Reminder._meta
    quote = connection.ops.quote_name
    response, kind, created_at, recipients = (
        quote(opts.get_field(name).column) for name in ("response", "kind", "created_at", "recipients")
    )
    sql = (  # names from the model only: the values are parameters
        f"INSERT INTO {quote(opts.db_table)} ({response}, {kind}, {created_at}, {recipients}) "  # noqa: S608
        f"SELECT batch.response_id, batch.kind, %s, batch.recipients "
        f"FROM unnest(%s::integer[], %s::varchar[], %s::jsonb[]) WITH ORDINALITY "
        f"AS batch(response_id, kind, recipients, position) ORDER BY batch.position "
        # The unique index leaves out the managers' reminders (``MANUAL``): its predicate is repeated.
        f"ON CONFLICT ({response}, {kind}) WHERE NOT ({kind} = '{ReminderKind.MANUAL}') "
        f"DO NOTHING RETURNING {response}, {kind}"
    )
    response_ids, kinds, addresses = zip(*rows, strict=True)
    params = [timezone.now(), list(response_ids), list(kinds), [json.dumps(a) for a in addresses]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return set(cursor.fetchall())


def _managers(responses: list[Response]) -> dict[int, list]:
    """Whom each questionnaire's alert goes to: the innovation's lead manager if
    active, else the active members of its team (one query, only when needed)."""
    result = {}
    need_team = set()
    for response in responses:
        lead = response.structure.innovation.lead_manager
        result[response.pk] = [lead] if lead and lead.is_active else []
        if not result[response.pk]:
            need_team.add(response.structure.innovation_id)
    if need_team:
        team = defaultdict(list)
        memberships = (
            Innovation.team.through.objects.filter(innovation_id__in=need_team, user__is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user_id")
        )
        for membership in memberships:
            team[membership.innovation_id].append(membership.user)
        for response in responses:
            result[response.pk] = result[response.pk] or team[response.structure.innovation_id]
    return result


def _alert(response: Response, manager) -> dict:
    """The alert to ``manager`` about a questionnaire left unanswered, as a message
    for ``queue_emails``."""
    subject, body = render_email(
        "evaluation/email/manager_alert",
        {
            "response": response,
            "structure": response.structure,
            "innovation": response.structure.innovation,
            "url": settings.SITE_URL + reverse("evaluation:response_manage", kwargs={"pk": response.pk}),
        },
    )
    return {
        "recipient": manager.email,
        "subject": subject,
        "body": body,
        "reason": EVALUATION_ALERT,
        "related_object": response,
        "dedup_key": link_key(response, ReminderKind.MANAGER_ALERT, manager),
    }
