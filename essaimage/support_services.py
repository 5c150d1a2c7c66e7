"""Support of the spread structures: the hotline log and the site visits.

State changes (one documented function each): ``record_support_request``,
``update_support_request``, ``record_site_visit``, ``update_site_visit``. Each one
checks its rule, takes the innovation from the structure (an entry can never point
at a structure of another innovation), records the acting user for the audit
history and raises ``SupportError`` with a message for the person who tried.

Finding structures: ``search_structures(user, text)`` answers the structure pickers
(at most ``SEARCH_LIMIT`` structures of the user's scope, by name or commune).

Counting helpers, reusable by any page (the innovation page, the structure page…):

- ``support_counts_by_structure(structures)`` and ``support_counts_by_innovation(innovations)``
  annotate a queryset with its hotline and visit figures, in the same single query
  (correlated subqueries, so that requests and visits never multiply each other);
- ``structures_with_support(structures)`` keeps the structures with at least one entry or
  visit, and ``support_coverage_by_innovation(innovations, structures)`` counts, per
  innovation, its structures and those with support (for the summary's "others" line);
- ``support_overview(requests)`` gives the figures above the hotline log: total,
  time spent, share resolved, counts per innovation and per topic (two queries);
- ``format_minutes(minutes)`` writes a duration as a person reads it ("2 h 05").
"""

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from ais.accounts.models import Role
from ais.core.errors import DomainError
from projects.models import Innovation

from .models import ACTIVE_STATUSES, SiteVisit, SpreadStructure, SupportRequest, SupportTopic

MAX_MINUTES = 24 * 60
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 20


class SupportError(DomainError):
    """A rule of the support log forbids the change; the message says why."""


# --------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------


def support_innovations_for(user) -> QuerySet:
    """The innovations whose support ``user`` may read: all of them for managers and
    administrators, those of the user's carrier organisations for a carrier, none
    otherwise (the same scope as ``SupportRequest.objects.for_user``)."""
    if not user.is_authenticated:
        return Innovation.objects.none()
    if user.has_role(Role.MANAGER, Role.ADMIN):
        return Innovation.objects.all()
    if user.has_role(Role.CARRIER):
        return Innovation.objects.filter(
            pk__in=Innovation.objects.filter(
                carrier__memberships__user=user, carrier__memberships__role=Role.CARRIER
            ).values("pk")
        )
    return Innovation.objects.none()


def support_structures_for(user) -> QuerySet:
    """The structures of the innovations whose support ``user`` may read, with their
    organisation and innovation (for labels)."""
    return SpreadStructure.objects.filter(innovation__in=support_innovations_for(user)).select_related(
        "organisation", "innovation"
    )


def structures_open_to_support(current=None) -> QuerySet:
    """Structures an entry may be recorded for: the active ones (selected, in training,
    spreading, evaluated), plus ``current`` when editing an entry of a structure that
    has withdrawn since."""
    query = Q(status__in=ACTIVE_STATUSES)
    if current is not None:
        query |= Q(pk=current.pk)
    return SpreadStructure.objects.filter(query).select_related("organisation", "innovation")


def search_structures(user, text: str, *, innovation=None, open_to_support=False) -> QuerySet:
    """The structures of ``user``'s support scope (``support_structures_for``) whose
    organisation name or commune contains ``text`` (accents and case ignored), at most
    ``SEARCH_LIMIT``, by organisation name. ``innovation`` (a pk) narrows to one
    innovation; ``open_to_support`` keeps only the structures an entry may be recorded
    for. Nothing for a text shorter than ``SEARCH_MIN_LENGTH`` characters."""
    text = (text or "").strip()
    if len(text) < SEARCH_MIN_LENGTH:
        return SpreadStructure.objects.none()
    structures = support_structures_for(user).filter(
        Q(organisation__name__unaccent__icontains=text) | Q(organisation__commune__name__unaccent__icontains=text)
    )
    if innovation is not None:
        structures = structures.filter(innovation=innovation)
    if open_to_support:
        structures = structures.filter(status__in=ACTIVE_STATUSES)
    return structures.select_related("organisation__commune").order_by("organisation__name", "innovation__name", "pk")[
        :SEARCH_LIMIT
    ]


# --------------------------------------------------------------------------
# State changes
# --------------------------------------------------------------------------


def _check_date(date) -> None:
    if date and date > timezone.localdate():
        raise SupportError(_("The date cannot be in the future."))


def _check_minutes(minutes) -> None:
    if minutes is None or not 1 <= minutes <= MAX_MINUTES:
        raise SupportError(_("Enter a time spent between 1 and 1440 minutes (24 hours)."))


def record_support_request(entry: SupportRequest, *, by) -> SupportRequest:
    """Record a new hotline entry (unsaved ``entry``, e.g. from the form) for its
    structure: the innovation is the structure's, the person who records it handles
    it unless someone else is named. Refuses a date in the future and a time spent
    outside 1–1440 minutes."""
    if entry.pk:
        raise SupportError(_("This hotline entry is already recorded."))
    _check_date(entry.date)
    _check_minutes(entry.minutes_spent)
    entry.innovation_id = entry.structure.innovation_id
    if entry.handled_by_id is None:
        entry.handled_by = by
    entry._history_user = by
    entry.save()
    return entry


def update_support_request(entry: SupportRequest, *, by) -> SupportRequest:
    """Save the changes made to a hotline entry (typically: the answer given, marked
    resolved), with the same rules as when it was recorded."""
    _check_date(entry.date)
    _check_minutes(entry.minutes_spent)
    entry.innovation_id = entry.structure.innovation_id
    entry._history_user = by
    entry.save()
    return entry


def _check_visit(visit: SiteVisit) -> None:
    """A visit to come is planned (its report comes after); one that took place has its report."""
    if visit.date <= timezone.localdate() and not visit.report.strip():
        raise SupportError(_("Write the report of the visit: it has taken place."))


def record_site_visit(visit: SiteVisit, *, by) -> SiteVisit:
    """Record a visit to a structure (unsaved ``visit``): planned (a date to come, the
    report written afterwards) or made (a date today or past, with its report). The
    innovation is the structure's. Counters count the visits made only."""
    if visit.pk:
        raise SupportError(_("This site visit is already recorded."))
    _check_visit(visit)
    visit.innovation_id = visit.structure.innovation_id
    visit._history_user = by
    visit.save()
    return visit


def update_site_visit(visit: SiteVisit, *, by) -> SiteVisit:
    """Save the changes made to a visit's record (same rules as when recorded)."""
    _check_visit(visit)
    visit.innovation_id = visit.structure.innovation_id
    visit._history_user = by
    visit.save()
    return visit


# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------


def _aggregate(queryset, link: str, expression):
    """A correlated subquery giving ``expression`` over the rows of ``queryset`` whose
    ``link`` is the outer row."""
    return Subquery(
        queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(value=expression).values("value")[:1]
    )


def _held(visits):
    """The visits that took place (planned ones, dated after today, are not counted)."""
    return visits.filter(date__lte=timezone.localdate())


def _annotate_counts(queryset, link: str, requests, visits):
    requests = SupportRequest.objects.all() if requests is None else requests
    visits = _held(SiteVisit.objects.all() if visits is None else visits)
    return queryset.annotate(
        support_count=Coalesce(_aggregate(requests, link, Count("pk")), 0, output_field=IntegerField()),
        support_unresolved=Coalesce(
            _aggregate(requests, link, Count("pk", filter=Q(resolved=False))), 0, output_field=IntegerField()
        ),
        support_minutes=Coalesce(_aggregate(requests, link, Sum("minutes_spent")), 0, output_field=IntegerField()),
        visit_count=Coalesce(_aggregate(visits, link, Count("pk")), 0, output_field=IntegerField()),
        last_support_on=_aggregate(requests, link, Max("date")),
        last_visit_on=_aggregate(visits, link, Max("date")),
    ).annotate(last_contact_on=Greatest("last_support_on", "last_visit_on"))


def support_counts_by_structure(structures: QuerySet, *, requests=None, visits=None) -> QuerySet:
    """``structures`` (a ``SpreadStructure`` queryset) annotated, in one query, with

    - ``support_count``: hotline entries, ``support_unresolved``: those not resolved,
    - ``support_minutes``: total time spent on them (minutes),
    - ``visit_count``: site visits,
    - ``last_support_on``, ``last_visit_on`` and ``last_contact_on`` (the later of both,
      ``None`` when the structure was never contacted).

    ``requests`` and ``visits`` restrict what is counted (e.g. a period:
    ``SupportRequest.objects.filter(date__gte=...)``); everything by default. The
    result stays a queryset: filter, order or ``select_related`` it as needed.
    """
    return _annotate_counts(structures, "structure", requests, visits)


def support_counts_by_innovation(innovations: QuerySet, *, requests=None, visits=None) -> QuerySet:
    """``innovations`` (an ``Innovation`` queryset) annotated with the same figures as
    ``support_counts_by_structure``, summed over all the innovation's structures."""
    return _annotate_counts(innovations, "innovation", requests, visits)


def structures_with_support(structures: QuerySet, *, requests=None, visits=None) -> QuerySet:
    """``structures`` restricted to those with at least one hotline entry among
    ``requests`` or one site visit among ``visits`` (everything by default)."""
    requests = SupportRequest.objects.all() if requests is None else requests
    visits = _held(SiteVisit.objects.all() if visits is None else visits)
    return structures.filter(
        Exists(requests.filter(structure=OuterRef("pk"))) | Exists(visits.filter(structure=OuterRef("pk")))
    )


def _count(structures: QuerySet):
    """A correlated subquery counting the rows of ``structures`` of the outer innovation."""
    return Coalesce(
        Subquery(
            structures.filter(innovation=OuterRef("pk"))
            .order_by()
            .values("innovation")
            .annotate(value=Count("pk"))
            .values("value")[:1]
        ),
        0,
        output_field=IntegerField(),
    )


def support_coverage_by_innovation(
    innovations: QuerySet, structures: QuerySet, *, requests=None, visits=None
) -> QuerySet:
    """``innovations`` annotated, in the same query, with ``structure_count`` (their
    structures among ``structures``), ``supported_count`` (those of them with support,
    as ``structures_with_support``) and ``unsupported_count`` (the difference)."""
    return innovations.annotate(
        structure_count=_count(structures),
        supported_count=_count(structures_with_support(structures, requests=requests, visits=visits)),
    ).annotate(unsupported_count=F("structure_count") - F("supported_count"))


def support_overview(requests: QuerySet) -> dict:
    """The figures of a set of hotline entries (already filtered and scoped), in two
    queries: ``count``, ``minutes``, ``resolved``, ``resolved_share`` (a percentage,
    ``None`` without entries), ``by_innovation`` (dicts with ``pk``, ``name``, ``count``,
    ``minutes``, most requests first) and ``by_topic`` (dicts with ``value``, ``label``,
    ``count``, most requests first; topics without requests left out)."""
    base = requests.order_by()
    by_innovation = [
        {
            "pk": row["innovation"],
            "name": row["innovation__name"],
            "count": row["count"],
            "minutes": row["minutes"] or 0,
            "resolved": row["resolved"],
        }
        for row in base.values("innovation", "innovation__name")
        .annotate(count=Count("pk"), minutes=Sum("minutes_spent"), resolved=Count("pk", filter=Q(resolved=True)))
        .order_by("-count", "innovation__name")
    ]
    labels = dict(SupportTopic.choices)
    by_topic = [
        {"value": row["topic"], "label": str(labels.get(row["topic"], row["topic"])), "count": row["count"]}
        for row in base.values("topic").annotate(count=Count("pk")).order_by("-count", "topic")
    ]
    count = sum(row["count"] for row in by_innovation)
    resolved = sum(row["resolved"] for row in by_innovation)
    return {
        "count": count,
        "minutes": sum(row["minutes"] for row in by_innovation),
        "resolved": resolved,
        "resolved_share": round(100 * resolved / count) if count else None,
        "by_innovation": by_innovation,
        "by_topic": by_topic,
    }


def format_minutes(minutes) -> str:
    """A duration in minutes as people read it: "45 min", "2 h", "26 h 05"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
