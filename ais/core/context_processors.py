"""Role-aware navigation for the base layout."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Role


def _item(label, url_name, icon):
    return {"label": label, "url": reverse(url_name), "icon": icon}


def navigation(request):
    user = getattr(request, "user", None)
    items = [
        _item(_("Calls for projects"), "projects:call_list", "megaphone"),
        _item(_("Innovation catalogue"), "projects:catalogue", "lightbulb"),
    ]
    if user is not None and user.is_authenticated:
        items.insert(0, _item(_("Dashboard"), "core:dashboard", "speedometer2"))
        is_admin = user.is_superuser or user.has_role(Role.ADMIN)
        if user.has_role(Role.COMMITTEE):
            items.insert(1, _item(_("To review"), "projects:my_reviews", "clipboard-check"))
        if user.has_role(Role.CARRIER):
            items.insert(1, _item(_("My dossiers"), "projects:my_dossiers", "folder2-open"))
        if user.has_role(Role.MANAGER) or is_admin:
            items[1] = _item(_("Calls for projects"), "projects:call_manage_list", "megaphone")
            items.append(_item(_("History"), "core:history", "clock-history"))
        if is_admin:
            items.append(_item(_("E-mails"), "outbox:list", "envelope"))
    current = request.path if request is not None else ""
    for item in items:
        item["active"] = current == item["url"] or (item["url"] != "/" and current.startswith(item["url"]))
    return {"nav_items": items}
