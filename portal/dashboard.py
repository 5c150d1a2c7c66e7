"""What each role finds waiting on its home page.

``dashboard_for(user)`` returns one section per role the user holds, in a fixed
order, each with the few figures and lists that role acts on. Every section
issues a fixed number of queries, whatever the amount of data.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Membership, Role
from ais.core.figures_cache import cached
from ais.outbox.models import OutgoingEmail, Status
from essaimage.models import (
    ACTIVE_STATUSES,
    SpreadStructure,
    StructureStatus,
    SupportRequest,
    Training,
    TrainingParticipant,
    active_on,
)
from evaluation.models import EDITABLE_STATUSES, Response
from projects.accompaniment import late_stage_plans
from projects.models import Call, Dossier, DossierStatus, Innovation, ReviewAssignment, Stage
from reporting import definitions


@dataclass
class Section:
    role: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


# The figures of the key figures that follow a definition of reporting.definitions (the
# page names it and links to it).
MANAGER_DEFINITIONS = (
    "innovations_in_progress",
    "innovations_accompanied_to_spreading",
    "structures_active",
    "departments",
    "regions",
)

# A structure selected this many days ago that has still no start date is late.
LATE_START_DAYS = 90
LATE_LIST_SIZE = 5


def _late_start(today, prefix: str = "") -> Q:
    """Active structures selected over ``LATE_START_DAYS`` days ago with no start date."""
    return Q(
        **{
            f"{prefix}status__in": ACTIVE_STATUSES,
            f"{prefix}start_date__isnull": True,
            f"{prefix}selected_on__lt": today - timedelta(days=LATE_START_DAYS),
        }
    )


def _unsigned_agreement(prefix: str = "") -> Q:
    """Structures spreading without a signed partnership agreement."""
    return Q(**{f"{prefix}status": StructureStatus.SPREADING}) & (
        Q(**{f"{prefix}agreement": ""}) | Q(**{f"{prefix}agreement_signed_on__isnull": True})
    )


# Templates of ``_single_values``: the number of rows of a queryset, and its rows as a JSON list.
COUNT = "SELECT COUNT(*) FROM ({rows}) AS counted"
ROWS = "SELECT COALESCE(json_agg(rows), '[]') FROM ({rows}) AS rows"


def _single_values(**parts: tuple[str, QuerySet]) -> dict:
    """Several independent values in one query, one scalar subquery each: every part is a
    template (``COUNT``, ``ROWS``) wrapping a queryset's SQL."""
    selects, params = [], []
    for template, queryset in parts.values():
        sql, query_params = queryset.query.sql_with_params()
        selects.append("(" + template.replace("{rows}", sql) + ")")
        params.extend(query_params)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(parts, cursor.fetchone(), strict=True))


def _manager_figures(today) -> dict:
    """The programme's key figures on ``today``, by the rules of ``reporting.definitions``
    (the same as the reports and the programme dashboard), what is late, the activity
    counts, and the new structures per year (one query)."""
    figures = _single_values(
        innovations=(COUNT, definitions.counted("innovations_in_progress", today).values("pk")),
        spreading=(COUNT, definitions.counted("innovations_accompanied_to_spreading", today).values("pk")),
        structures=(COUNT, definitions.counted("structures_active", today).values("pk")),
        departments=(COUNT, definitions.counted_territories(today, "department", active=True)),
        regions=(COUNT, definitions.counted_territories(today, "region", active=True)),
        late_start=(COUNT, SpreadStructure.objects.filter(_late_start(today)).order_by().values("pk")),
        unsigned=(COUNT, SpreadStructure.objects.filter(_unsigned_agreement()).order_by().values("pk")),
        trainings_held=(COUNT, Training.objects.filter(days__date__lt=today).order_by().values("pk").distinct()),
        people_trained=(
            COUNT,
            TrainingParticipant.objects.filter(attendances__present=True).order_by().values("pk").distinct(),
        ),
        hotline_this_year=(COUNT, SupportRequest.objects.filter(date__year=today.year).order_by().values("pk")),
        per_year=(ROWS, definitions.structures_started_per_year_rows(today)),
    )
    # [(year, count)] in chronological order (as definitions.structures_started_per_year).
    figures["per_year"] = sorted((row["year"], row["n"]) for row in figures["per_year"])
    return figures


def _late_structures(today) -> tuple[list, list]:
    """The first structures late to start and spreading without a signed agreement (one query)."""
    related = ("organisation", "innovation")
    late_start = (
        SpreadStructure.objects.filter(_late_start(today))
        .select_related(*related)
        .annotate(late=Value("start"))
        .order_by("selected_on", "pk")[:LATE_LIST_SIZE]
    )
    unsigned = (
        SpreadStructure.objects.filter(_unsigned_agreement())
        .select_related(*related)
        .annotate(late=Value("unsigned"))
        .order_by("start_date", "pk")[:LATE_LIST_SIZE]
    )
    rows = list(late_start.union(unsigned, all=True))
    return (
        sorted((s for s in rows if s.late == "start"), key=lambda s: (s.selected_on, s.pk)),
        sorted((s for s in rows if s.late == "unsigned"), key=lambda s: (s.start_date is None, s.start_date, s.pk)),
    )


def _manager_section(user) -> Section:
    """The programme at a glance: key figures, what is late, the stage board, the
    map of structures and structures per year; a fixed number of queries."""
    today = timezone.localdate()
    innovations = list(
        Innovation.objects.in_progress()  # a closed accompaniment leaves the board
        .select_related("carrier")
        .annotate(
            # « Structures en activité » today (reporting.definitions.structures_active)
            structures=Count("spread_structures", filter=active_on(today, "spread_structures__")),
            late_structures=Count(
                "spread_structures",
                filter=_late_start(today, "spread_structures__") | _unsigned_agreement("spread_structures__"),
            ),
        )
        .order_by("stage", "name")
    )
    late_plans = list(late_stage_plans(today=today))
    for plan in late_plans:
        # Still in the stage after its planned end, or not yet in it after its planned start.
        plan.should_have_ended = plan.stage == plan.innovation.stage
        plan.overdue_since = plan.planned_end if plan.should_have_ended else plan.planned_start
    late_plans.sort(key=lambda plan: (plan.overdue_since, plan.innovation.name, plan.stage))
    late_innovations = {plan.innovation_id for plan in late_plans}
    for innovation in innovations:
        innovation.is_late = innovation.pk in late_innovations
    columns = [
        {"stage": value, "label": label, "innovations": [i for i in innovations if i.stage == value]}
        for value, label in Stage.choices
    ]
    # Counting over every structure and attendance costs about 10 ms of SQL after ten
    # years: kept in the figures cache, computed again after any change to what it counts.
    figures = cached(f"manager-figures:{today.isoformat()}", lambda: _manager_figures(today))
    per_year = figures.pop("per_year")
    late_start, unsigned = _late_structures(today)
    calls = list(
        Call.objects.filter(closes_at__gte=timezone.now() - timedelta(days=365))
        .annotate(
            to_screen=Count("dossiers", filter=Q(dossiers__status=DossierStatus.SUBMITTED)),
            drafts=Count("dossiers", filter=Q(dossiers__status=DossierStatus.DRAFT)),
        )
        .order_by("-closes_at")[:5]
    )
    return Section(
        Role.MANAGER,
        _("Programme monitoring"),
        "portal/dashboard/manager.html",
        {
            "calls": calls,
            "columns": columns,
            "figures": figures,
            "definitions": {code: definitions.BY_CODE[code].label for code in MANAGER_DEFINITIONS},
            "late": {
                "plans": late_plans[:LATE_LIST_SIZE],
                "plans_more": len(late_plans) - len(late_plans[:LATE_LIST_SIZE]),
                "start": late_start,
                "start_more": figures["late_start"] - len(late_start),
                "unsigned": unsigned,
                "unsigned_more": figures["unsigned"] - len(unsigned),
                "count": len(late_plans) + figures["late_start"] + figures["unsigned"],
                "start_days": LATE_START_DAYS,
            },
            "per_year": [{"year": year, "count": count} for year, count in per_year],
            "chart": {
                "labels": [str(year) for year, _count in per_year],
                "values": [count for _year, count in per_year],
                "label": str(_("New adopting structures")),
            },
            "year": today.year,
            "today": today,
            "new_structures_label": definitions.BY_CODE["structures_started_between"].label,
        },
    )


def _committee_section(user) -> Section:
    assignments = list(
        ReviewAssignment.objects.for_member(user)
        .select_related("dossier__call", "review")
        .order_by("dossier__call__closes_at", "dossier__innovation_name")
    )
    pending = [a for a in assignments if not a.review_submitted]
    return Section(
        Role.COMMITTEE,
        _("Steering committee"),
        "portal/dashboard/committee.html",
        {"pending": pending, "total": len(assignments)},
    )


def _carrier_section(user) -> Section:
    innovations = list(
        Innovation.objects.for_user_as_carrier(user)
        .select_related("origin_commune")
        .annotate(structures=Count("spread_structures"))
        .order_by("name")
    )
    dossiers = list(
        Dossier.objects.for_user(user)
        .filter(organisation__memberships__user=user, organisation__memberships__role=Role.CARRIER)
        .select_related("call")
        .order_by("-updated_at")
        .distinct()[:10]
    )
    return Section(
        Role.CARRIER,
        _("Project leader"),
        "portal/dashboard/carrier.html",
        {
            "dossiers": dossiers,
            "open_calls": list(Call.objects.open_now().order_by("closes_at")[:3]),
            "innovations": innovations,
        },
    )


def _structure_section(user) -> Section:
    structures = list(
        SpreadStructure.objects.filter(
            organisation__memberships__user=user, organisation__memberships__role=Role.STRUCTURE
        )
        .select_related("innovation", "organisation")
        .order_by("innovation__name")
        .distinct()
    )
    today = timezone.localdate()
    questionnaires = list(
        Response.objects.answerable_by(user)
        .filter(status__in=EDITABLE_STATUSES, opens_on__lte=today)
        .select_related("structure__organisation", "structure__innovation")
        .order_by("due_on", "pk")[:10]
    )
    for response in questionnaires:
        response.is_late = response.due_on < today
    return Section(
        Role.STRUCTURE,
        _("Adopting structure"),
        "portal/dashboard/structure.html",
        {
            "structures": structures,
            "questionnaires": questionnaires,
        },
    )


def _admin_section(user) -> Section:
    User = get_user_model()
    members = Membership.objects.filter(user__is_active=True).order_by()
    emails = OutgoingEmail.objects.order_by()
    counts = _single_values(
        users=(COUNT, User.objects.filter(is_active=True).order_by().values("pk")),
        **{f"role:{value}": (COUNT, members.filter(role=value).values("user").distinct()) for value in Role.values},
        queued=(COUNT, emails.filter(status=Status.QUEUED).values("pk")),
        failed=(COUNT, emails.filter(status=Status.FAILED).values("pk")),
        sent=(COUNT, emails.filter(status=Status.SENT).values("pk")),
    )
    roles = [{"label": label, "count": counts[f"role:{value}"]} for value, label in Role.choices]
    outbox = {status: counts[status] for status in ("queued", "failed", "sent")}
    return Section(
        Role.ADMIN,
        _("Administration"),
        "portal/dashboard/admin.html",
        {
            "roles": roles,
            "users": counts["users"],
            "outbox": outbox,
        },
    )


BUILDERS = [
    (Role.MANAGER, _manager_section),
    (Role.COMMITTEE, _committee_section),
    (Role.CARRIER, _carrier_section),
    (Role.STRUCTURE, _structure_section),
    (Role.ADMIN, _admin_section),
]


def dashboard_for(user) -> list[Section]:
    roles = set(user.role_codes)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return [build(user) for role, build in BUILDERS if role in roles]
