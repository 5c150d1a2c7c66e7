"""The pages that gather every app: the public home, each role's dashboard, the change history.

The top layer of the stack (see docs/architecture.md): it may import every domain app and
``reporting``; nothing imports it.
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from rules.contrib.views import permission_required

from ais.core.figures_cache import cached
from projects.models import Call, Innovation
from reporting import definitions

from . import history as history_service
from .dashboard import dashboard_for


def _home_figures(today) -> dict:
    """The programme's figures today, by the rules of ``reporting.definitions`` (the
    same as the "since the start" report's)."""
    innovations, structures = definitions.innovation_counts(today), definitions.structure_counts(today)
    return {
        "innovations": innovations["innovations_selected"],
        "spreading": innovations["innovations_accompanied_to_spreading"],
        "structures": structures["structures_spread"],
        "active": structures["structures_active"],
        "departments": definitions.territories(today).department_count,
    }


@login_not_required
def home(request):
    """Public home: what the programme is, the catalogue, key figures."""
    innovations = list(
        Innovation.objects.published()
        .select_related("carrier", "origin_commune")
        .order_by("-year_selected", "name")[:6]
    )
    today = timezone.localdate()
    return render(
        request,
        "portal/home.html",
        {
            "innovations": innovations,
            # Kept in the figures cache: computed again after any change to what they count.
            "figures": cached(f"home-figures:{today.isoformat()}", lambda: _home_figures(today)),
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
