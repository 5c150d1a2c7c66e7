"""Role-aware navigation for the base layout.

Each item is ``{label, url, icon, active}``; a group has ``children`` (a dropdown)
instead of a URL. The bar must fit from 1200 px wide (Bootstrap's ``xl``; below it the
menu folds behind the toggler) with the account menu: at most six entries. Staff get
their follow-up pages grouped; other roles get their own pages, then the programme's
public pages in one group (and their own pages grouped too when they hold several
roles). ``tests/browser/test_no_overflow.py`` checks that every page fits.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.accounts.models import Role

# Beyond this many pages of their own, a user's pages go into one dropdown.
MAX_OWN_ITEMS = 3


def _item(label, url_name, icon):
    return {"label": label, "url": reverse(url_name), "icon": icon}


def _group(label, icon, children):
    return {"label": label, "icon": icon, "children": children, "url": ""}


def _items(user) -> list[dict]:
    public_calls = _item(_("Calls for projects"), "projects:call_list", "megaphone")
    catalogue = _item(_("Innovation catalogue"), "portal:catalogue", "lightbulb")
    events = _item(_("Events"), "events:event_list", "calendar-event")
    resources = _item(pgettext_lazy("library", "Resources"), "events:resource_list", "book")
    if user is None or not user.is_authenticated:
        return [public_calls, catalogue, events, resources]
    items = [_item(_("Dashboard"), "portal:dashboard", "speedometer2")]
    is_admin = user.is_superuser or user.has_role(Role.ADMIN)
    is_staff = is_admin or user.has_role(Role.MANAGER)
    if is_staff:
        items += [
            _item(_("Calls for projects"), "projects:call_manage_list", "megaphone"),
            _group(
                _("Accompaniment"),
                "diagram-3",
                [
                    _item(_("Innovations"), "projects:innovation_list", "lightbulb"),
                    _item(_("Adopting structures"), "essaimage:structure_list", "buildings"),
                    _item(_("Trainings"), "essaimage:training_list", "mortarboard"),
                    _item(_("Hotline"), "essaimage:support_list", "headset"),
                    _item(_("Site visits"), "essaimage:visit_list", "geo-alt"),
                    _item(_("Support summary"), "essaimage:support_summary", "bar-chart"),
                    _item(_("Map"), "essaimage:programme_map", "map"),
                ],
            ),
            _group(
                _("Evaluation"),
                "clipboard-data",
                [
                    _item(_("Questionnaire follow-up"), "evaluation:followup", "clipboard-data"),
                    _item(_("Questionnaire templates"), "evaluation:template_list", "ui-checks"),
                    _item(_("Programme indicators"), "reporting:programme_dashboard", "graph-up"),
                    _item(_("Indicator definitions"), "reporting:indicators", "book"),
                    *(
                        [_item(_("Yearly programme report"), "reporting:yearly_report", "file-earmark-pdf")]
                        if is_admin
                        else []
                    ),
                    _item(_("Exports"), "reporting:exports", "download"),
                ],
            ),
            _group(
                _("Events"),
                "calendar-event",
                [
                    _item(_("Manage the events"), "events:manage_list", "calendar-check"),
                    _item(_("Manage the resources"), "events:resource_manage_list", "journal-text"),
                    events,
                    resources,
                ],
            ),
            _group(
                pgettext_lazy("navigation", "More"),
                "three-dots",
                [
                    catalogue,
                    _item(_("History"), "portal:history", "clock-history"),
                    *([_item(_("E-mails"), "outbox:list", "envelope")] if is_admin else []),
                    *([_item(_("People and roles"), "people:list", "people")] if is_admin else []),
                    *([_item(_("Import of the history"), "archive:imports", "box-arrow-in-down")] if is_admin else []),
                ],
            ),
        ]
        return items
    own = []
    if user.has_role(Role.CARRIER):
        own += [
            _item(_("My dossiers"), "projects:my_dossiers", "folder2-open"),
            _item(_("My innovation"), "projects:innovation_list", "lightbulb"),
        ]
    if user.has_role(Role.STRUCTURE):
        own += [
            _item(_("My structure"), "essaimage:my_structure", "buildings"),
            _item(_("My questionnaires"), "evaluation:my_questionnaires", "ui-checks"),
        ]
    if user.has_role(Role.CARRIER, Role.STRUCTURE):
        own.append(_item(_("Trainings"), "essaimage:training_list", "mortarboard"))
    if user.has_role(Role.COMMITTEE):
        own.append(_item(_("To review"), "projects:my_reviews", "clipboard-check"))
    if len(own) > MAX_OWN_ITEMS:
        own = [_group(_("My space"), "person-workspace", own)]
    programme = _group(_("The programme"), "compass", [public_calls, catalogue, events, resources])
    return [*items, *own, programme]


def _is_active(url: str, current: str) -> bool:
    return bool(url) and (current == url or (url != "/" and current.startswith(url)))


def navigation(request):
    user = getattr(request, "user", None)
    items = _items(user)
    current = request.path if request is not None else ""
    for item in items:
        for child in item.get("children", []):
            child["active"] = _is_active(child["url"], current)
        item["active"] = _is_active(item["url"], current) or any(c["active"] for c in item.get("children", []))
    return {"nav_items": items, "link_visitor": _is_link_visitor(request, user)}


def _is_link_visitor(request, user) -> bool:
    """Someone answering a questionnaire through an e-mailed link, without logging in:
    the menu does not ask them to log in (their link already gave them access)."""
    if request is None or user is None or user.is_authenticated:
        return False
    from evaluation.links import SESSION_KEY

    return bool(request.session.get(SESSION_KEY))
