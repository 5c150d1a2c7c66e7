from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .checks import OK, run_checks


@login_not_required
@never_cache
@require_safe
def status(request):
    """Public JSON for monitoring: 200 when every check is ok, 503 when one fails."""
    checks = run_checks()
    healthy = all(result == OK for result in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
