"""Public pages of calls for projects."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from ais.accounts.models import Role

from .models import Call, Dossier


def _calls():
    return Call.objects.published().prefetch_related("target_departments")


@login_not_required
def call_list(request):
    """Open, upcoming and past calls, in plain French."""
    return render(
        request,
        "projects/calls/list.html",
        {
            "open_calls": list(_calls().open_now().order_by("closes_at")),
            "upcoming_calls": list(_calls().upcoming().order_by("opens_at")),
            "past_calls": list(_calls().past().order_by("-closes_at")[:20]),
        },
    )


@login_not_required
def call_detail(request, slug):
    call = get_object_or_404(_calls().prefetch_related(Prefetch("criteria")), slug=slug)
    dossier = None
    organisations = []
    if request.user.is_authenticated and request.user.has_role(Role.CARRIER):
        organisations = list(request.user.organisations_for(Role.CARRIER))
        dossier = Dossier.objects.for_user(request.user).filter(call=call).first()
    return render(
        request,
        "projects/calls/detail.html",
        {
            "call": call,
            "dossier": dossier,
            "organisations": organisations,
        },
    )
