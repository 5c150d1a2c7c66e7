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
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Call, Dossier, DossierStatus, Innovation, ReviewAssignment, Stage


@dataclass
class Section:
    role: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


def _manager_section(user) -> Section:
    innovations = list(
        Innovation.objects.select_related("carrier")
        .annotate(structures=Count("spread_structures", filter=~Q(spread_structures__status=StructureStatus.WITHDRAWN)))
        .order_by("stage", "name")
    )
    columns = [
        {"stage": value, "label": label, "innovations": [i for i in innovations if i.stage == value]}
        for value, label in Stage.choices
    ]
    totals = SpreadStructure.objects.exclude(status=StructureStatus.WITHDRAWN).aggregate(
        structures=Count("pk"),
        departments=Count("organisation__commune__department", distinct=True),
    )
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
            "innovation_count": len(innovations),
            "totals": totals,
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
    return Section(
        Role.STRUCTURE,
        _("Adopting structure"),
        "core/dashboard/structure.html",
        {
            "structures": structures,
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
