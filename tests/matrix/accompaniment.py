"""Access-matrix entries of the accompaniment pages (see tests/matrix/__init__.py).

Every logged-in user has the list of the innovations they may open
(``Innovation.objects.for_user``). Managers and administrators open every
innovation's page and act on it; its carrier and the contacts of its spread
structures read it; committee members read the published ones. Someone else's
innovation is a 404. Structure contacts and committee members download only the
deliverables meant for the structures (guide, tooling, communication). Acting
pages are for managers and administrators (403 for the others).
"""

from ais.accounts.models import Role
from tests.access_matrix import Access, logged_in, only
from tests.projects.factories import AwarenessActionFactory, DeliverableFactory, GovernanceMemberFactory

STAFF = (Role.MANAGER, Role.ADMIN)
DETAIL = "/suivi/innovations/{pk}/"
NAME = "Parcours Gardien"

# The matrix's innovation (published, someone else's for carriers and structure contacts).
OTHERS = {**logged_in(404), Role.COMMITTEE: 200, Role.MANAGER: 200, Role.ADMIN: 200}
# An innovation the requesting carrier carries, or that the structure contact's organisation spreads.
OWN = logged_in(200)
UNPUBLISHED = {**logged_in(404), Role.MANAGER: 200, Role.ADMIN: 200}
# A deliverable kept between Ansa and the carrier (the charter) on the user's own innovation.
OWN_CHARTER = {**logged_in(404), Role.CARRIER: 200, Role.MANAGER: 200, Role.ADMIN: 200}
MANAGERS_ACT = only(*STAFF, others=403)


def _own(o):
    """The user's own innovation: carried by a carrier's organisation, spread by a structure
    contact's (the matrix's innovation for everyone else)."""
    innovation = o.own_innovation()
    if innovation == o.innovation:
        o.own_structure()
    return innovation


def _own_deliverable(kind):
    def kwargs(o):
        innovation = _own(o)
        deliverable = DeliverableFactory(innovation=innovation, kind=kind)
        return {"pk": innovation.pk, "deliverable_pk": deliverable.pk}

    return kwargs


def _deliverable(o, kind="guide"):
    deliverable = DeliverableFactory(innovation=o.innovation, kind=kind)
    return {"pk": o.innovation.pk, "deliverable_pk": deliverable.pk}


def _member(o):
    return {"pk": o.innovation.pk, "member_pk": GovernanceMemberFactory(innovation=o.innovation).pk}


def _action(o):
    return {"pk": o.innovation.pk, "action_pk": AwarenessActionFactory(innovation=o.innovation).pk}


MATRIX: dict = {
    "projects:innovation_list": Access(None, logged_in(200), 'id="innovations-title"'),
    "projects:innovation_detail": Access(lambda o: {"pk": o.innovation.pk}, OTHERS, NAME),
    "projects:innovation_detail [own]": Access(lambda o: {"pk": _own(o).pk}, OWN, 'id="etapes"'),
    "projects:innovation_detail [unpublished]": Access(
        lambda o: {"pk": o.unpublished.pk}, UNPUBLISHED, "Projet encore confidentiel"
    ),
    "projects:innovation_edit": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), 'name="innovation-summary"'),
    "projects:stage_plans": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), 'name="plans-0-planned_start"'),
    "projects:deliverable_add": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), 'name="title"'),
    "projects:deliverable_download": Access(_deliverable, OTHERS, "%PDF-"),
    "projects:deliverable_download [own guide]": Access(_own_deliverable("guide"), OWN, "%PDF-"),
    "projects:deliverable_download [own charter]": Access(_own_deliverable("charter"), OWN_CHARTER, "%PDF-"),
    # Acting views: POST only.
    "projects:deliverable_delete": Access(_deliverable, logged_in(405)),
    "projects:governance_add": Access(lambda o: {"pk": o.innovation.pk}, logged_in(405)),
    "projects:governance_delete": Access(_member, logged_in(405)),
    "projects:awareness_add": Access(lambda o: {"pk": o.innovation.pk}, logged_in(405)),
    "projects:awareness_delete": Access(_action, logged_in(405)),
    # A stage move cannot be undone: a GET shows what it will do (ais/core/confirm.py).
    "projects:stage_advance": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), "Passer à"),
    "projects:accompaniment_close": Access(lambda o: {"pk": o.innovation.pk}, logged_in(405)),
    "projects:accompaniment_reopen": Access(lambda o: {"pk": o.innovation.pk}, logged_in(405)),
}

POST_MATRIX: dict = {
    # Empty forms come back with their errors (400) for managers; the others are refused.
    "projects:innovation_edit": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="innovation-summary"'
    ),
    "projects:deliverable_add": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="title"'),
    # "Parcours Gardien" is at stage III without its deliverables: the move needs a reason.
    "projects:stage_advance": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="advance-exception_reason"'
    ),
    # An empty closure form comes back with its errors; reopening an open innovation too.
    "projects:accompaniment_close": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="close-reason"'
    ),
    "projects:accompaniment_reopen": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="close-reason"'
    ),
    # A calendar posted without its rows: back to the calendar.
    "projects:stage_plans": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok="/suivi/innovations/{pk}/calendrier/")
    ),
    "projects:deliverable_delete": Access(_deliverable, only(*STAFF, ok=DETAIL + "#livrables")),
    "projects:governance_add": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=DETAIL + "#gouvernance")),
    "projects:governance_delete": Access(_member, only(*STAFF, ok=DETAIL + "#gouvernance")),
    "projects:awareness_add": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=DETAIL + "#sensibilisation")),
    "projects:awareness_delete": Access(_action, only(*STAFF, ok=DETAIL + "#sensibilisation")),
}

POST_DATA: dict = {
    "projects:governance_add": {
        "governance-full_name": "Hélène Gardin",
        "governance-organisation_name": "Union sociale pour l'habitat",
    },
    "projects:awareness_add": {
        "awareness-held_on": "2026-03-12",
        "awareness-title": "Présentation aux têtes de réseau",
        "awareness-channel": "meeting",
        "awareness-audience": "COORACE, FAS",
    },
}
