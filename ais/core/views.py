"""Error pages and the accessibility statement: the core's own pages, which know no domain app."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


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
