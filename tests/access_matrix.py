"""The access matrix: every URL pattern × every role → what a GET returns.

``MATRIX`` maps a URL's full name (``"namespace:name"``, or the route string for
an unnamed pattern) to an ``Access``: a kwargs factory taking the test's objects
and ``{role: expected}``. ``expected`` is one of

- ``200``, ``400``, ``403``, ``404``, ``405``: that status (for 200 and 400, the page
  shows ``shows``);
- ``LOGIN``: a 302 to the login page with ``?next=`` the requested URL;
- a path starting with ``/``: a 302 to that path (``{url}`` stands for the requested URL,
  ``{pk}`` etc. for the URL's arguments, ``{o.call.pk}`` for an attribute of the test's objects).

A key may carry a variant after a space, ``"portal:innovation_public [unpublished]"``,
to test the same pattern with other objects. The kwargs factory gets the objects
with ``user`` (the requesting user, or None) set on them.

``POST_MATRIX`` does the same with POST for the views that change something.

The Django admin (namespace ``admin``): ``MATRIX`` lists ``admin:index``,
``admin:login`` and one changelist with every role's exact outcome; ``ADMIN_MATRIX``
is generated from the URLconf with an entry for every other ``admin:*`` pattern, so
that a new admin model (or a third-party app's) is in the matrix the day it is
registered. Every role but the administrator (staff, every permission: our
superuser) gets a 302 to a login form — the admin's for ``admin.site``'s own views,
ours for the model pages (``LoginRequiredMiddleware`` runs first for anonymous
visitors) — and the administrator ``ADMIN_SITE``: the admin site itself answers
(200, a 302 inside it, or its own 403/404/405), never a 500 nor a login form. The URL
of each pattern comes from ``admin_sample_url`` (dummy arguments: ``"1"``, the
``accounts`` app); unnamed patterns are keyed by their route.

Static and media files are served by WhiteNoise, not by URL
patterns: if a pattern for them is ever added it needs an entry like any other.
"""

import re
from typing import Any, NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.http import urlsafe_base64_encode

from ais.accounts.models import Role
from tests.conftest import ROLES

LOGIN = "login"
ADMIN_SITE = "admin site"  # see the module docstring
LOGGED_IN = [role for role in ROLES if role != "anonymous"]

ADMIN_NAMESPACE = "admin"
# Non-staff users sent to the admin's own login form by admin.site.admin_view.
ADMIN_LOGIN_REDIRECT = "/django-admin/login/?next={url}"

# What the error pages say (templates/403.html, templates/404.html).
FORBIDDEN_TEXT = "Vous n'avez pas accès à cette page"
NOT_FOUND_TEXT = "Cette page n'existe pas ou vous n'y avez pas accès"


class Access(NamedTuple):
    kwargs: Any  # callable(objects) -> dict, or None for a pattern without arguments
    expected: dict  # {role: 200 | 400 | 403 | 404 | 405 | LOGIN | ADMIN_SITE | "/redirect/target/"}
    shows: str = ""  # text a 200 page shows (compared with the unescaped response)
    path: str = ""  # the URL itself, for a pattern that cannot be reversed (the admin's unnamed ones)


def everyone(expected) -> dict:
    return dict.fromkeys(ROLES, expected)


def logged_in(expected, *, anonymous=LOGIN) -> dict:
    return {"anonymous": anonymous, **dict.fromkeys(LOGGED_IN, expected)}


def only(*allowed, ok=200, others=403) -> dict:
    return {"anonymous": LOGIN, **{role: ok if role in allowed else others for role in LOGGED_IN}}


# A dossier of another organisation, and one of the carrier's own organisation
# (``own_dossier()`` falls back to someone else's for users who carry nothing).
OTHERS_DOSSIER = {**logged_in(404), Role.MANAGER: 200, Role.ADMIN: 200}
OWN_DOSSIER = {**OTHERS_DOSSIER, Role.CARRIER: 200}
STAFF = (Role.MANAGER, Role.ADMIN)


def with_own_assignment(o) -> dict:
    """No URL argument, but the requesting committee member is given a dossier to review."""
    o.own_assignment()
    return {}


MATRIX: dict[str, Access] = {
    # Public pages and the role-aware dashboard
    "portal:home": Access(None, everyone(200), "Le programme en chiffres"),
    "portal:dashboard": Access(None, logged_in(200), "Voici ce qui vous attend."),
    "portal:history": Access(None, only(Role.MANAGER, Role.ADMIN), "Historique des modifications"),
    # Accounts
    "accounts:login": Access(
        None, logged_in("/tableau-de-bord/", anonymous=200), "Mot de passe oublié ?"
    ),  # redirect_authenticated_user
    "accounts:logout": Access(None, logged_in(405)),  # Django's LogoutView is POST-only
    "accounts:profile": Access(None, logged_in(200), "Mes rôles"),
    "accounts:password_change": Access(None, logged_in(200), "Changer de mot de passe"),
    "accounts:password_reset": Access(None, everyone(200), "Recevoir le lien"),
    "accounts:password_reset_done": Access(None, everyone(200), "Vérifiez votre messagerie"),
    "accounts:password_reset_confirm": Access(
        lambda o: {"uidb64": urlsafe_base64_encode(str(o.reset_user.pk).encode()), "token": "invalide-123"},
        everyone(200),
        "Ce lien n'est plus valable",
    ),
    "accounts:password_reset_complete": Access(None, everyone(200), "Votre mot de passe a été modifié"),
    # Territories: open data, public
    "territories:commune_search": Access(None, everyone(200), '{"results": []}'),
    # Outbox: administrators only
    "outbox:list": Access(None, only(Role.ADMIN), "Courriels sortants"),
    "outbox:detail": Access(lambda o: {"pk": o.email.pk}, only(Role.ADMIN), "Objet du message en échec"),
    "outbox:retry": Access(lambda o: {"pk": o.email.pk}, logged_in(405)),  # require_POST
    # Public catalogue
    "portal:catalogue": Access(None, everyone(200), "Parcours Gardien"),
    "portal:innovation_public": Access(lambda o: {"slug": o.innovation.slug}, everyone(200), "Parcours Gardien"),
    "portal:innovation_public [unpublished]": Access(lambda o: {"slug": o.unpublished.slug}, everyone(404)),
    # Sign-up of carriers (public; a logged-in user goes to the dashboard)
    "accounts:signup": Access(None, logged_in("/tableau-de-bord/", anonymous=200), 'name="organisation_name"'),
    "accounts:signup_sent": Access(None, everyone(200), 'href="/compte/activer/nouveau-lien/"'),
    "accounts:resend_activation": Access(None, everyone(200), 'name="email"'),
    "accounts:activate [invalid token]": Access(lambda o: {"token": "jeton-invalide"}, everyone(400), 'name="email"'),
    # Calls for projects: public pages
    "projects:call_list": Access(None, everyone(200), "Appel à projets 2026 – Emploi"),
    "projects:call_detail": Access(lambda o: {"slug": o.call.slug}, everyone(200), "Appel à projets 2026 – Emploi"),
    "projects:call_detail [draft]": Access(lambda o: {"slug": o.draft_call.slug}, everyone(404)),
    # Dossiers: a carrier opens their organisations' dossiers only, anyone else's is a 404;
    # managers and administrators open every dossier.
    "projects:dossier_start": Access(lambda o: {"slug": o.call.slug}, logged_in(405)),  # require_POST
    "projects:my_dossiers": Access(None, only(Role.CARRIER, Role.MANAGER, Role.ADMIN), 'class="h2"'),
    "projects:dossier_detail": Access(lambda o: {"pk": o.dossier.pk}, OTHERS_DOSSIER, "Jardin solidaire"),
    "projects:dossier_detail [own]": Access(lambda o: {"pk": o.own_dossier().pk}, OWN_DOSSIER, "Jardin solidaire"),
    "projects:dossier_pdf": Access(lambda o: {"pk": o.dossier.pk}, OTHERS_DOSSIER, "%PDF-"),
    "projects:dossier_pdf [own]": Access(lambda o: {"pk": o.own_dossier().pk}, OWN_DOSSIER, "%PDF-"),
    "projects:dossier_submit": Access(lambda o: {"pk": o.dossier.pk}, logged_in(405)),  # require_POST
    "projects:dossier_attachments": Access(lambda o: {"pk": o.dossier.pk}, OTHERS_DOSSIER, "rapport-evaluation.pdf"),
    "projects:dossier_attachments [own]": Access(lambda o: {"pk": o.own_dossier().pk}, OWN_DOSSIER, "Pièces jointes"),
    "projects:attachment_download": Access(
        lambda o: {"pk": o.dossier.pk, "attachment_pk": o.attachment.pk}, OTHERS_DOSSIER, "%PDF-"
    ),
    "projects:attachment_delete": Access(
        lambda o: {"pk": o.dossier.pk, "attachment_pk": o.attachment.pk}, logged_in(405)
    ),  # require_POST
    "projects:dossier_edit": Access(
        lambda o: {"pk": o.dossier.pk, "section": "innovation"}, OTHERS_DOSSIER, 'value="Jardin solidaire"'
    ),
    "projects:dossier_edit [own]": Access(
        lambda o: {"pk": o.own_dossier().pk, "section": "innovation"}, OWN_DOSSIER, 'value="Jardin solidaire"'
    ),
    # Calls and screening: programme managers and administrators
    "projects:call_manage_list": Access(None, only(Role.MANAGER, Role.ADMIN), "Appel à projets 2026 – Emploi"),
    "projects:call_create": Access(None, only(Role.MANAGER, Role.ADMIN), 'name="title"'),
    "projects:call_edit": Access(
        lambda o: {"pk": o.call.pk}, only(Role.MANAGER, Role.ADMIN), 'value="Appel à projets 2026 – Emploi"'
    ),
    "projects:call_publish": Access(lambda o: {"pk": o.draft_call.pk}, logged_in(405)),  # require_POST
    "projects:screening": Access(lambda o: {"pk": o.call.pk}, only(Role.MANAGER, Role.ADMIN), "Jardin solidaire"),
    "projects:screening_export": Access(
        lambda o: {"pk": o.call.pk, "fmt": "csv"}, only(Role.MANAGER, Role.ADMIN), "Jardin solidaire"
    ),
    "projects:dossier_review": Access(
        lambda o: {"pk": o.dossier.pk}, only(Role.MANAGER, Role.ADMIN), "Note interne confidentielle"
    ),
    "projects:dossier_note": Access(lambda o: {"pk": o.dossier.pk}, logged_in(405)),  # require_POST
    "projects:dossier_eligibility": Access(lambda o: {"pk": o.dossier.pk}, logged_in(405)),  # require_POST
    "projects:dossier_corrections": Access(lambda o: {"pk": o.dossier.pk}, logged_in(405)),  # require_POST
    # Steering committee. A member opens only the dossiers given to them: anyone else's
    # assignment is a 404, for staff too (administrators, who hold every permission, may
    # review the dossiers given to them). Organising the committee is for managers.
    "projects:my_reviews": Access(with_own_assignment, only(Role.COMMITTEE, Role.ADMIN), "Tremplin numérique"),
    "projects:review": Access(lambda o: {"pk": o.assignment.pk}, logged_in(404)),
    "projects:review [own]": Access(
        lambda o: {"pk": o.own_assignment().pk},
        {**logged_in(404), Role.COMMITTEE: 200, Role.ADMIN: 200},
        'name="has_conflict"',
    ),
    "projects:committee": Access(lambda o: {"pk": o.call.pk}, only(*STAFF), "Tremplin numérique"),
    "projects:auto_assign": Access(lambda o: {"pk": o.call.pk}, logged_in(405)),  # require_POST
    "projects:manual_assign": Access(lambda o: {"pk": o.call.pk}, logged_in(405)),  # require_POST
    "projects:unassign": Access(lambda o: {"pk": o.assignment.pk}, logged_in(405)),  # require_POST
    "projects:ranking": Access(lambda o: {"pk": o.call.pk}, only(*STAFF), "Tremplin numérique"),
    "projects:ranking_export": Access(lambda o: {"pk": o.call.pk}, only(*STAFF), "PK\x03\x04"),  # a zip
    "projects:session_create": Access(lambda o: {"pk": o.call.pk}, only(*STAFF), 'name="held_on"'),
    "projects:session": Access(lambda o: {"pk": o.session.pk}, only(*STAFF), "Tremplin numérique"),
    "projects:session_close": Access(lambda o: {"pk": o.session.pk}, logged_in(405)),  # require_POST
    "projects:session_release": Access(lambda o: {"pk": o.session.pk}, logged_in(405)),  # require_POST
    "projects:session_minutes": Access(lambda o: {"pk": o.session.pk}, only(*STAFF), "%PDF-"),
    # Language switch: a GET changes nothing and goes back home
    "set_language": Access(None, everyone("/")),
    # Django admin: the staff check of admin.site (see the module docstring)
    "admin:index": Access(
        None,
        {**only(Role.ADMIN, others=ADMIN_LOGIN_REDIRECT), "anonymous": ADMIN_LOGIN_REDIRECT},
        "AIS#Emploi – administration technique",
    ),
    "admin:login": Access(
        None,
        {**everyone(200), Role.ADMIN: "/django-admin/"},
        "AIS#Emploi – administration technique",
    ),
    # The administrator role has every permission in the technical admin.
    "admin:accounts_user_changelist": Access(None, {**only(Role.ADMIN, ok=200, others=ADMIN_LOGIN_REDIRECT)}),
}

# POST to the views that act: {key: Access}; the data posted comes from POST_DATA.
POST_MATRIX: dict[str, Access] = {
    # Non-administrators are refused; an administrator goes back to the e-mail's page.
    "outbox:retry": Access(lambda o: {"pk": o.email.pk}, only(Role.ADMIN, ok="/administration/courriels/{pk}/")),
    # Logging out: the home page; anonymous visitors are sent to log in first.
    "accounts:logout": Access(None, logged_in("/")),
    # The language switch works for everyone and goes back to ``next``.
    "set_language": Access(None, everyone("/innovations/")),
    # Publishing a call: managers and administrators, back to the call's page.
    "projects:call_publish": Access(
        lambda o: {"pk": o.draft_call.pk}, only(Role.MANAGER, Role.ADMIN, ok="/gestion/appels/{pk}/")
    ),
    # Submitting is for the dossier's carrier: someone else's dossier is a 404, even for staff.
    "projects:dossier_submit": Access(lambda o: {"pk": o.dossier.pk}, logged_in(404)),
    "projects:dossier_submit [own]": Access(
        lambda o: {"pk": o.own_dossier().pk}, {**logged_in(404), Role.CARRIER: "/dossiers/{pk}/"}
    ),
    # Removing a document is the carrier's act, like submitting (see KNOWN_BUGS).
    "projects:attachment_delete": Access(
        lambda o: {"pk": o.dossier.pk, "attachment_pk": o.attachment.pk}, logged_in(404)
    ),
    # Screening decisions: managers and administrators only.
    "projects:dossier_note": Access(
        lambda o: {"pk": o.dossier.pk}, only(Role.MANAGER, Role.ADMIN, ok="/gestion/dossiers/{pk}/")
    ),
    # Committee: declaring is for the assigned member; someone else's assignment is a 404.
    "projects:review": Access(lambda o: {"pk": o.assignment.pk}, logged_in(404)),
    "projects:review [own]": Access(
        lambda o: {"pk": o.own_assignment().pk},
        {**logged_in(404), Role.COMMITTEE: "/comite/dossiers/{pk}/", Role.ADMIN: "/comite/dossiers/{pk}/"},
    ),
    # Organising the committee and the session: managers and administrators, back to the page.
    "projects:committee": Access(lambda o: {"pk": o.call.pk}, only(*STAFF, ok="/gestion/appels/{pk}/comite/")),
    "projects:auto_assign": Access(lambda o: {"pk": o.call.pk}, only(*STAFF, ok="/gestion/appels/{pk}/comite/")),
    "projects:manual_assign": Access(lambda o: {"pk": o.call.pk}, only(*STAFF, ok="/gestion/appels/{pk}/comite/")),
    "projects:unassign": Access(
        lambda o: {"pk": o.assignment.pk}, only(*STAFF, ok="/gestion/appels/{o.call.pk}/comite/")
    ),
    "projects:session_create": Access(lambda o: {"pk": o.call.pk}, only(*STAFF, ok=400), 'name="held_on"'),
    "projects:session": Access(lambda o: {"pk": o.session.pk}, only(*STAFF), "Tremplin numérique"),
    "projects:session_close": Access(lambda o: {"pk": o.session.pk}, only(*STAFF, ok="/gestion/seances/{pk}/")),
    "projects:session_release": Access(lambda o: {"pk": o.session.pk}, only(*STAFF, ok="/gestion/seances/{pk}/")),
}

# Entries of the later apps live in tests/matrix/<area>.py (MATRIX, POST_MATRIX and
# POST_DATA dicts of their own), merged here so that each area's table stays short.
from tests.matrix import AREAS  # noqa: E402

for _area in AREAS:
    MATRIX.update(_area.MATRIX)
    POST_MATRIX.update(_area.POST_MATRIX)

# Outcomes that differ from the matrix today, each a bug to fix: the test is marked
# xfail(strict=True), so it fails again (and asks for the line to go) once fixed.
KNOWN_BUGS: dict = {}

POST_DATA = {
    "set_language": {"language": "fr", "next": "/innovations/"},
    "projects:dossier_note": {"text": "Dossier solide, à présenter au comité."},
    "projects:review": {"has_conflict": "no"},
    "projects:review [own]": {"has_conflict": "no"},
    "projects:committee": {"setup-reviewers_per_dossier": "2"},
    "projects:session_create": {"place": "Paris"},  # no date: the form comes back with its errors
}
for _area in AREAS:
    POST_DATA.update(_area.POST_DATA)


def url_name(key: str) -> str:
    """The pattern name of a matrix key (without its variant)."""
    return key.split(" [", 1)[0]


def walk_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Yield ``(full_name, route, pattern)`` for every pattern of the URLconf.

    ``full_name`` is ``"namespace:name"``; an unnamed pattern is named by its
    full route string.
    """
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                full_name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                full_name = f"{namespace}:{route}" if namespace else route
            yield full_name, route, pattern


def in_admin(full_name: str) -> bool:
    return full_name.split(":", 1)[0] == ADMIN_NAMESPACE and ":" in full_name


def missing_patterns(matrix: dict) -> list[str]:
    """Patterns of the URLconf without an entry in ``matrix``."""
    listed = {url_name(key) for key in matrix}
    return [f"{name} ({route or '/'})" for name, route, _p in walk_patterns() if name not in listed]


# The Django admin, generated from the URLconf (see the module docstring) ----------------


def admin_sample_url(name: str, route: str, pattern) -> str:
    """A URL that the admin pattern matches, with dummy arguments."""
    from django.urls import reverse

    if getattr(pattern.callback, "__name__", "") == "catch_all_view":
        return "/django-admin/page-inexistante/"
    regex = pattern.pattern.regex
    if pattern.name and regex.groupindex:
        return reverse(name, kwargs={group: "accounts" if group == "app_label" else "1" for group in regex.groupindex})
    if pattern.name:  # positional groups (django-simple-history's re_path)
        return reverse(name, args=["1"] * regex.groups)
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


def _admin_site_routes() -> set[str]:
    """The routes of ``admin.site``'s own views (not the model pages it includes)."""
    from django.contrib import admin

    return {str(p.pattern) for p in admin.site.get_urls() if isinstance(p, URLPattern)}


def admin_matrix(listed: dict) -> dict[str, Access]:
    """An entry for every ``admin:*`` pattern that ``listed`` does not give explicitly."""
    root = f"{ADMIN_LOGIN_REDIRECT.split('login/', 1)[0]}"[1:]  # "django-admin/"
    site_routes = _admin_site_routes()
    entries = {}
    for name, route, pattern in walk_patterns():
        if not in_admin(name) or name in listed:
            continue
        own_view = route.removeprefix(root) in site_routes
        others = "/django-admin/" if name == "admin:logout" else ADMIN_LOGIN_REDIRECT  # admin_view sends them home
        expected = {
            "anonymous": ADMIN_LOGIN_REDIRECT if own_view else LOGIN,
            **{role: others for role in LOGGED_IN if role != Role.ADMIN},
            Role.ADMIN: ADMIN_SITE,
        }
        entries[name] = Access(None, expected, path=admin_sample_url(name, route, pattern))
    return entries


ADMIN_MATRIX: dict[str, Access] = admin_matrix(MATRIX)
