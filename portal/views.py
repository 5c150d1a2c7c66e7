"""The pages that gather every app: the public home, each role's dashboard, the change history.

The top layer of the stack (see docs/architecture.md): it may import every domain app and
``reporting``; nothing imports it.
"""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import render
from rules.contrib.views import permission_required

from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Call, Innovation, Stage

from . import history as history_service
from .dashboard import dashboard_for


@login_not_required
def home(request):
    """Public home: what the programme is, the catalogue, key figures."""
    innovations = list(
        Innovation.objects.published()
        .select_related("carrier", "origin_commune")
        .order_by("-year_selected", "name")[:6]
    )
    figures = Innovation.objects.published().aggregate(
        innovations=Count("pk", distinct=True),
        spreading=Count("pk", filter=Q(stage__gte=Stage.ESSAIMAGE), distinct=True),
    )
    structures = (
        SpreadStructure.objects.filter(innovation__is_published=True)
        .exclude(status__in=[StructureStatus.CANDIDATE, StructureStatus.WITHDRAWN])
        .aggregate(
            count=Count("pk"),
            departments=Count("organisation__commune__department", distinct=True),
        )
    )
    return render(
        request,
        "portal/home.html",
        {
            "innovations": innovations,
            "figures": figures,
            "structures": structures,
            "open_calls": list(
                Call.objects.open_now().prefetch_related("target_departments").order_by("closes_at")[:3]
            ),
        },
    )


def dashboard(request):
    """Each role's landing page: what is waiting for the user, per role held."""
    return render(request, "portal/dashboard.html", {"sections": dashboard_for(request.user)})


@permission_required("core.view_history", raise_exception=True)
def history(request):
    """The audit trail of the core models, newest first (managers, administrators)."""
    kind = request.GET.get("type", "")
    entries, kinds = history_service.recent_changes(kind=kind, limit=100)
    return render(request, "portal/history.html", {"entries": entries, "kinds": kinds, "kind": kind})
