"""Figures of the events for the yearly programme report (``reporting/reports.py``).

``figures(start, end)`` counts what happened between two dates (both included):
published events held in the period, their registrations (confirmed or on the
waiting list, not the cancelled ones), the participants who came (checked in), the
organisations represented among the confirmed participants, and the events per kind.
It runs a constant number of queries (two), whatever the number of events.
"""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext as _

from .models import Event, EventKind, Registration, RegistrationStatus


def figures(start: datetime.date, end: datetime.date) -> dict:
    """``{"rows": [(label, value)], "events": n, "registrations": n, "attendance": n,
    "organisations": n, "per_kind": {kind: n}}`` for the events held from ``start`` to ``end``."""
    events = Event.objects.published().filter(date__gte=start, date__lte=end)
    per_kind = {row["kind"]: row["n"] for row in events.values("kind").annotate(n=Count("pk")).order_by()}
    registrations = Registration.objects.filter(event__in=events).exclude(status=RegistrationStatus.CANCELLED)
    totals = registrations.aggregate(
        registrations=Count("pk"),
        attendance=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False)),
        organisations=Count(Lower(Trim("organisation")), distinct=True, filter=Q(status=RegistrationStatus.CONFIRMED)),
    )
    event_count = sum(per_kind.values())
    rows = [
        (_("Events held"), event_count),
        (_("Registrations"), totals["registrations"]),
        (_("Participants present"), totals["attendance"]),
        (_("Organisations represented"), totals["organisations"]),
    ]
    rows += [(str(label), per_kind[kind]) for kind, label in EventKind.choices if per_kind.get(kind)]
    return {
        "rows": rows,
        "events": event_count,
        "registrations": totals["registrations"],
        "attendance": totals["attendance"],
        "organisations": totals["organisations"],
        "per_kind": per_kind,
    }
