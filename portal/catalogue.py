from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from essaimage import geo
from projects.models import Innovation


def _catalogue():
    return Innovation.objects.published().select_related("carrier", "origin_commune__department")


@login_not_required
def catalogue(request):
    """Public catalogue of the innovations the programme accompanies, with the map
    of the territories their structures active today reach (``geo.public_figures``:
    the rules of ``reporting.definitions``)."""
    return render(
        request,
        "portal/catalogue.html",
        {"innovations": _catalogue().order_by("name"), "figures": geo.public_figures()},
    )


def _departments(structures) -> list[dict]:
    """The departments of ``structures`` (annotated by ``geo.with_territory`` with
    names), in department order, with their count."""
    departments: dict[str, dict] = {}
    for structure in structures:
        if structure.territory_department is None:
            continue
        entry = departments.setdefault(
            structure.territory_department,
            {
                "code": structure.territory_department,
                "name": structure.territory_department_name,
                "region": structure.territory_region_name or "",
                "count": 0,
            },
        )
        entry["count"] += 1
    return [departments[code] for code in sorted(departments)]


@login_not_required
def innovation_public(request, slug):
    """An innovation's public page: its structures active today, each in its territory
    of today (the rules of ``reporting.definitions``)."""
    innovation = get_object_or_404(_catalogue(), slug=slug)
    today = timezone.localdate()
    structures = list(
        geo.with_territory(innovation.spread_structures.active_on(today), today, names=True)
        .select_related("organisation")
        .order_by("territory_department", "organisation__name")
    )
    departments = _departments(structures)
    innovation.structure_count, innovation.department_count = len(structures), len(departments)
    return render(
        request,
        "portal/innovation_public.html",
        {
            "innovation": innovation,
            "structures": structures,
            "departments": departments,
        },
    )
