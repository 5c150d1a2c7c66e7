"""What each role finds waiting on its home page.

``dashboard_for(user)`` returns one section per role the user holds, in a fixed
order, each with the few figures and lists that role acts on. Every section
issues a fixed number of queries, whatever the amount of data.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Membership, Role
from ais.outbox.models import OutgoingEmail, Status
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Innovation, Stage


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
    return Section(
        Role.MANAGER,
        _("Suivi du programme"),
        "core/dashboard/manager.html",
        {
            "columns": columns,
            "innovation_count": len(innovations),
            "totals": totals,
        },
    )


def _committee_section(user) -> Section:
    return Section(Role.COMMITTEE, _("Comité de pilotage"), "core/dashboard/committee.html", {})


def _carrier_section(user) -> Section:
    innovations = list(
        Innovation.objects.for_user_as_carrier(user)
        .select_related("origin_commune")
        .annotate(structures=Count("spread_structures"))
        .order_by("name")
    )
    return Section(
        Role.CARRIER,
        _("Porteur de projet"),
        "core/dashboard/carrier.html",
        {
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
        _("Structure essaimée"),
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
