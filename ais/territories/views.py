from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Commune


@login_not_required
@require_GET
def commune_search(request):
    """Autocomplete for commune pickers: ``?q=rouen`` or ``?q=76000`` → at most 20
    communes as ``{"results": [{"id", "text", "department"}]}`` (open data, public)."""
    text = request.GET.get("q", "")[:60]
    communes = Commune.objects.search(text)[:20] if len(text.strip()) >= 2 else []
    return JsonResponse(
        {"results": [{"id": c.code, "text": c.label, "department": c.department.name} for c in communes]}
    )
