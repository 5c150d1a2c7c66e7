"""What each role finds waiting on its home page.

``dashboard_for(user)`` returns one section per role the user holds, in a fixed
order, each with the few figures and lists that role acts on. Every section
issues a fixed number of queries, whatever the amount of data.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Membership, Role
from ais.outbox.models import OutgoingEmail, Status
from essaimage import geo
from essaimage.models import (
    ACTIVE_STATUSES,
    SpreadStructure,
    StructureStatus,
    SupportRequest,
    Training,
    TrainingParticipant,
)
from evaluation.models import EDITABLE_STATUSES, Response
from projects.accompaniment import late_stage_plans
from projects.models import Call, Dossier, DossierStatus, Innovation, ReviewAssignment, Stage


@dataclass
class Section:
    role: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


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


def _manager_figures(today) -> dict:
    """The programme's key figures (four queries)."""
    active = Q(status__in=ACTIVE_STATUSES)
    figures = SpreadStructure.objects.aggregate(
        structures=Count("pk", filter=active),
        departments=Count(geo.DEPARTMENT, filter=active, distinct=True),
        regions=Count(f"{geo.DEPARTMENT}__region", filter=active, distinct=True),
        late_start=Count("pk", filter=_late_start(today)),
        unsigned=Count("pk", filter=_unsigned_agreement()),
    )
    figures["trainings_held"] = Training.objects.filter(days__date__lt=today).values("pk").distinct().count()
    figures["people_trained"] = (
        TrainingParticipant.objects.filter(attendances__present=True).values("pk").distinct().count()
    )
    figures["hotline_this_year"] = SupportRequest.objects.filter(date__year=today.year).count()
    return figures


def _manager_section(user) -> Section:
    """The programme at a glance: key figures, what is late, the stage board, the
    map of structures and structures per year; a fixed number of queries."""
    today = timezone.localdate()
    innovations = list(
        Innovation.objects.select_related("carrier")
        .annotate(
            structures=Count("spread_structures", filter=Q(spread_structures__status__in=ACTIVE_STATUSES)),
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
    figures = _manager_figures(today)
    late_start = list(
        SpreadStructure.objects.filter(_late_start(today))
        .select_related("organisation", "innovation")
        .order_by("selected_on", "pk")[:LATE_LIST_SIZE]
    )
    unsigned = list(
        SpreadStructure.objects.filter(_unsigned_agreement())
        .select_related("organisation", "innovation")
        .order_by("start_date", "pk")[:LATE_LIST_SIZE]
    )
    per_year = geo.structures_per_year(geo.active_structures())
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
        "core/dashboard/manager.html",
        {
            "calls": calls,
            "columns": columns,
            "figures": {
                **figures,
                "innovations": len(innovations),
                "spreading": sum(1 for i in innovations if i.stage >= Stage.ESSAIMAGE),
            },
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
                "labels": [str(year) if year else str(_("no date")) for year, _count in per_year],
                "values": [count for _year, count in per_year],
                "label": str(_("Active adopting structures")),
            },
            "year": today.year,
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
        "core/dashboard/committee.html",
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
        "core/dashboard/carrier.html",
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
        "core/dashboard/structure.html",
        {
            "structures": structures,
            "questionnaires": questionnaires,
        },
    )


def _admin_section(user) -> Section:
    User = get_user_model()
    role_counts = dict(
        Membership.objects.filter(user__is_active=True).values_list("role").annotate(n=Count("user", distinct=True))
    )
    roles = [{"label": label, "count": role_counts.get(value, 0)} for value, label in Role.choices]
    outbox = OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status=Status.QUEUED)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        sent=Count("pk", filter=Q(status=Status.SENT)),
    )
    return Section(
        Role.ADMIN,
        _("Administration"),
        "core/dashboard/admin.html",
        {
            "roles": roles,
            "users": User.objects.filter(is_active=True).count(),
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
