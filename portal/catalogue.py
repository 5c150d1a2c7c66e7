from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from essaimage import geo
from essaimage.models import ACTIVE_STATUSES
from projects.models import Innovation


def _catalogue():
    active = Q(spread_structures__status__in=ACTIVE_STATUSES)
    return (
        Innovation.objects.published()
        .select_related("carrier", "origin_commune__department")
        .annotate(
            structure_count=Count("spread_structures", filter=active, distinct=True),
            department_count=Count(
                "spread_structures__organisation__commune__department", filter=active, distinct=True
            ),
        )
    )


@login_not_required
def catalogue(request):
    """Public catalogue of the innovations the programme accompanies, with the map
    of the territories their active structures reach."""
    return render(
        request,
        "portal/catalogue.html",
        {"innovations": _catalogue().order_by("name"), "figures": geo.public_figures()},
    )


def _departments(structures) -> list[dict]:
    """The departments of ``structures`` (in department order), with their count."""
    departments: dict[str, dict] = {}
    for structure in structures:
        commune = structure.organisation.commune
        if commune is None:
            continue
        department = commune.department
        entry = departments.setdefault(
            department.code,
            {
                "code": department.code,
                "name": department.name,
                "region": department.region.name if department.region else "",
                "count": 0,
            },
        )
        entry["count"] += 1
    return [departments[code] for code in sorted(departments)]


@login_not_required
def innovation_public(request, slug):
    innovation = get_object_or_404(_catalogue(), slug=slug)
    structures = list(
        innovation.spread_structures.filter(status__in=ACTIVE_STATUSES)
        .select_related("organisation__commune__department__region")
        .order_by("organisation__commune__department", "organisation__name")
    )
    return render(
        request,
        "portal/innovation_public.html",
        {
            "innovation": innovation,
            "structures": structures,
            "departments": _departments(structures),
        },
    )
