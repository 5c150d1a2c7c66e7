"""Access-matrix entries of the support pages: hotline log, site visits, summary.

Support is the work of managers (who record and edit) and of carriers (who read their
innovations' entries). Structure contacts and committee members may not use the lists
(403) and do not find any entry (404, like anyone else's entry).
"""

from ais.accounts.models import Role
from tests.access_matrix import Access, logged_in, only
from tests.ais.factories import OrganisationFactory
from tests.essaimage.factories import SiteVisitFactory, SpreadStructureFactory, SupportRequestFactory

STAFF = (Role.MANAGER, Role.ADMIN)
READERS = (Role.CARRIER, *STAFF)

OWN_STRUCTURE = "Régie de quartier Nord"
OTHERS_QUESTION = "Comment mobiliser les bailleurs sociaux du quartier ?"
OWN_QUESTION = "Quels outils pour suivre les gardiens recrutés ?"
OTHERS_REPORT = "Visite de la structure essaimée : équipe motivée."
OWN_REPORT = "Visite de la régie : le modèle est appliqué."

# Someone else's entry: staff only, everyone else (carriers of other innovations too) a 404.
OTHERS_ENTRY = {**logged_in(404), Role.MANAGER: 200, Role.ADMIN: 200}
# An entry of the requesting carrier's innovation.
OWN_ENTRY = {**OTHERS_ENTRY, Role.CARRIER: 200}


def _own_structure(o):
    """A structure of the requester's innovation (the matrix's innovation if they carry none)."""
    return SpreadStructureFactory(innovation=o.own_innovation(), organisation=OrganisationFactory(name=OWN_STRUCTURE))


def _with_own_entries(o) -> dict:
    """No URL argument, but a hotline entry and a visit on the requester's innovation."""
    structure = _own_structure(o)
    SupportRequestFactory(structure=structure, question=OWN_QUESTION)
    SiteVisitFactory(structure=structure, report=OWN_REPORT)
    return {}


def _others_request(o) -> dict:
    return {"pk": SupportRequestFactory(structure=o.structure, question=OTHERS_QUESTION).pk}


def _own_request(o) -> dict:
    return {"pk": SupportRequestFactory(structure=_own_structure(o), question=OWN_QUESTION).pk}


def _others_visit(o) -> dict:
    return {"pk": SiteVisitFactory(structure=o.structure, report=OTHERS_REPORT).pk}


def _own_visit(o) -> dict:
    return {"pk": SiteVisitFactory(structure=_own_structure(o), report=OWN_REPORT).pk}


MATRIX: dict = {
    # Hotline
    "essaimage:support_list": Access(_with_own_entries, only(*READERS), OWN_QUESTION),
    "essaimage:support_create": Access(None, only(*STAFF), 'name="minutes_spent"'),
    "essaimage:support_detail": Access(_others_request, OTHERS_ENTRY, OTHERS_QUESTION),
    "essaimage:support_detail [own]": Access(_own_request, OWN_ENTRY, OWN_QUESTION),
    "essaimage:support_edit": Access(_others_request, only(*STAFF), OTHERS_QUESTION),
    "essaimage:support_edit [own]": Access(_own_request, only(*STAFF), 'name="minutes_spent"'),
    # Site visits
    "essaimage:visit_list": Access(_with_own_entries, only(*READERS), OWN_STRUCTURE),
    "essaimage:visit_create": Access(None, only(*STAFF), 'name="people_met"'),
    "essaimage:visit_detail": Access(_others_visit, OTHERS_ENTRY, OTHERS_REPORT),
    "essaimage:visit_detail [own]": Access(_own_visit, OWN_ENTRY, OWN_REPORT),
    "essaimage:visit_edit": Access(_others_visit, only(*STAFF), OTHERS_REPORT),
    "essaimage:visit_edit [own]": Access(_own_visit, only(*STAFF), 'name="people_met"'),
    # Summary per innovation and structure
    "essaimage:support_summary": Access(_with_own_entries, only(*READERS), OWN_STRUCTURE),
    # The structure pickers' search (JSON; nothing without at least 2 characters)
    "essaimage:support_structure_search": Access(None, only(*READERS), '{"results": []}'),
}

# The read-only pages answer a POST as a GET (nothing changes); the forms come back
# with their errors (400) for staff when the data is missing, 403 for everyone else.
POST_MATRIX: dict = {
    "essaimage:support_list": Access(_with_own_entries, only(*READERS), OWN_QUESTION),
    "essaimage:support_create": Access(None, only(*STAFF, ok=400), 'name="minutes_spent"'),
    "essaimage:support_detail": Access(_others_request, OTHERS_ENTRY, OTHERS_QUESTION),
    "essaimage:support_detail [own]": Access(_own_request, OWN_ENTRY, OWN_QUESTION),
    "essaimage:support_edit": Access(_others_request, only(*STAFF, ok=400), 'name="minutes_spent"'),
    "essaimage:visit_list": Access(_with_own_entries, only(*READERS), OWN_STRUCTURE),
    "essaimage:visit_create": Access(None, only(*STAFF, ok=400), 'name="people_met"'),
    "essaimage:visit_detail": Access(_others_visit, OTHERS_ENTRY, OTHERS_REPORT),
    "essaimage:visit_detail [own]": Access(_own_visit, OWN_ENTRY, OWN_REPORT),
    "essaimage:visit_edit": Access(_others_visit, only(*STAFF, ok=400), 'name="people_met"'),
    "essaimage:support_summary": Access(_with_own_entries, only(*READERS), OWN_STRUCTURE),
}

# Incomplete forms: no structure, no time spent, no report.
POST_DATA: dict = {
    "essaimage:support_create": {"question": "Question sans structure"},
    "essaimage:support_edit": {"question": "Question sans structure"},
    "essaimage:visit_create": {"visitors": "Chargée de projets Ansa"},
    "essaimage:visit_edit": {"visitors": "Chargée de projets Ansa"},
}
