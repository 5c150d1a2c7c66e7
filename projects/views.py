from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from essaimage.models import StructureStatus

from .models import Innovation


def _catalogue():
    active = ~Q(spread_structures__status__in=[StructureStatus.CANDIDATE, StructureStatus.WITHDRAWN])
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
    """Public catalogue of the innovations the programme accompanies."""
    return render(request, "projects/catalogue.html", {"innovations": _catalogue().order_by("name")})


@login_not_required
def innovation_public(request, slug):
    innovation = get_object_or_404(_catalogue(), slug=slug)
    structures = (
        innovation.spread_structures.exclude(status__in=[StructureStatus.CANDIDATE, StructureStatus.WITHDRAWN])
        .select_related("organisation__commune__department")
        .order_by("organisation__commune__department")
    )
    return render(
        request,
        "projects/innovation_public.html",
        {
            "innovation": innovation,
            "structures": structures,
        },
    )
