from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .checks import OK, logger, missing_stored_files, run_checks


@login_not_required
@never_cache
@require_safe
def status(request):
    """Public JSON for monitoring: 200 when every check is ok, 503 when one fails.

    ``stored_files.missing`` counts the files that rows name and the storage lacks (their
    downloads answer 404): a lost file is data to restore, not a service down, so it
    leaves the status alone. Only staff see which files; the log names them too."""
    checks = run_checks()
    healthy = all(result == OK for result in checks.values())
    try:
        missing = missing_stored_files()
    except Exception:  # the database is down: its check says so already
        logger.warning("Health check of stored files failed", exc_info=True)
        stored_files = {"missing": None}
    else:
        if missing:
            logger.warning("Stored files missing: %s", "; ".join(missing))
        stored_files = {"missing": len(missing)}
        if request.user.is_authenticated and request.user.is_staff:
            stored_files["missing_files"] = missing
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks, "stored_files": stored_files},
        status=200 if healthy else 503,
    )
