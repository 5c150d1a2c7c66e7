"""Home pages, the role-aware dashboard, the change history and error pages."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token
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
        "core/home.html",
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
    return render(request, "core/dashboard.html", {"sections": dashboard_for(request.user)})


@permission_required("core.view_history", raise_exception=True)
def history(request):
    """The audit trail of the core models, newest first (managers, administrators)."""
    kind = request.GET.get("type", "")
    entries, kinds = history_service.recent_changes(kind=kind, limit=100)
    return render(request, "core/history.html", {"entries": entries, "kinds": kinds, "kind": kind})


@login_not_required
@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
@requires_csrf_token
def server_error(request):
    """Rendered without context processors: the database may be what failed."""
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())


@login_not_required
@requires_csrf_token
def csrf_failure(request, reason=""):
    """A form sent without a valid security token (page open too long, cookies blocked):
    say so in French and how to go on, instead of Django's bare page."""
    return render(request, "403_csrf.html", status=403)


# The accessibility statement's date and contact (RGAA: both are required on the page).
ACCESSIBILITY_STATEMENT_DATE = (2026, 12, 3)
ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@ais-emploi.fr"


@login_not_required
def accessibility(request):
    """The accessibility statement (RGAA 4.1): compliance state, what was tested, known
    non-conformities, how to report a problem and the recourse. Public, static."""
    import datetime

    from django.conf import settings

    return render(
        request,
        "core/accessibility.html",
        {
            "statement_date": datetime.date(*ACCESSIBILITY_STATEMENT_DATE),
            "contact_email": getattr(settings, "ACCESSIBILITY_CONTACT_EMAIL", ACCESSIBILITY_CONTACT_EMAIL),
        },
    )
