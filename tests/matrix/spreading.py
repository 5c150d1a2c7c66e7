"""Access-matrix entries of the calls for structures and the structure records
(see tests/matrix/__init__.py).

The calls for structures and their application form are public, for everyone.
Managers and administrators run the calls, decide on applications and change the
structures. Carriers read their innovations' structures, structure contacts their
own (someone else's is a 404); committee members, who take no part in spreading,
get a 403 on the structures pages.
"""

import datetime

from ais.accounts.models import Role
from tests.access_matrix import Access, everyone, logged_in, only
from tests.essaimage.factories import SpreadStructureFactory, StructureApplicationFactory, StructureCallFactory

STAFF = (Role.MANAGER, Role.ADMIN)
CALL_TITLE = "Appel aux structures Parcours Gardien"
APPLICANT = "Régie de quartier candidate"
INNOVATION = "Parcours Gardien"
# What the structures pages show to all who may open them: "Adopting structures".
STRUCTURES_TEXT = "Structures essaimées"

# Someone else's structure: managers and administrators only; carriers and contacts
# find nothing there (404); committee members may not open structures at all (403).
OTHERS_STRUCTURE = {**only(*STAFF, others=404), Role.COMMITTEE: 403}
OWN_STRUCTURE = {**OTHERS_STRUCTURE, Role.STRUCTURE: 200}
CARRIERS_STRUCTURE = {**OTHERS_STRUCTURE, Role.CARRIER: 200}


def _call(o, **kwargs):
    """A call for structures of the matrix's innovation, remembered as ``o.spreading_call``."""
    kwargs.setdefault("title", CALL_TITLE)
    o.spreading_call = StructureCallFactory(innovation=o.innovation, **kwargs)
    return o.spreading_call


def _call_with_application(o):
    call = _call(o)
    StructureApplicationFactory(call=call, organisation_name=APPLICANT)
    return {"pk": call.pk}


def _application(o):
    """A received application, its call remembered as ``o.spreading_call``."""
    application = StructureApplicationFactory(call=_call(o), organisation_name=APPLICANT)
    return {"pk": application.pk}


def _with_call(o):
    """No URL argument, but an open call to list."""
    _call(o)
    return {}


def _signed(o, *, own=False, carrier=False):
    """A structure with its signed agreement: of the matrix's innovation, or the
    user's own structure organisation (``own``), or on the user's own innovation (``carrier``)."""
    organisation = o.user.organisations_for(Role.STRUCTURE).first() if (own and o.user) else None
    innovation = o.own_innovation() if carrier else o.innovation
    extra = {"organisation": organisation} if organisation else {}
    return {"pk": SpreadStructureFactory(innovation=innovation, signed=True, **extra).pk}


def _with_own_structure(o) -> dict:
    """No URL argument; the requesting structure contact holds exactly one structure (``o.mine``)."""
    o.mine = o.own_structure()
    return {}


def _carriers_structure(o):
    return {"pk": SpreadStructureFactory(innovation=o.own_innovation()).pk}


MATRIX: dict = {
    # Public: the calls for structures and the application form
    "essaimage:call_list_public": Access(_with_call, everyone(200), CALL_TITLE),
    "essaimage:call_public": Access(lambda o: {"pk": _call(o).pk}, everyone(200), 'name="organisation_name"'),
    "essaimage:call_public [closed]": Access(lambda o: {"pk": _call(o, closed=True).pk}, everyone(200), CALL_TITLE),
    "essaimage:call_public [draft]": Access(lambda o: {"pk": _call(o, draft=True).pk}, everyone(404)),
    "essaimage:call_applied": Access(lambda o: {"pk": _call(o).pk}, everyone(200), INNOVATION),
    "essaimage:call_applied [draft]": Access(lambda o: {"pk": _call(o, draft=True).pk}, everyone(404)),
    # Managers: calls and decisions
    "essaimage:call_create": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), 'name="closes_on"'),
    "essaimage:call_edit": Access(lambda o: {"pk": _call(o).pk}, only(*STAFF), f'value="{CALL_TITLE}"'),
    "essaimage:call_publish": Access(lambda o: {"pk": _call(o, draft=True).pk}, logged_in(405)),  # require_POST
    "essaimage:applications": Access(_call_with_application, only(*STAFF), APPLICANT),
    "essaimage:application_select": Access(_application, logged_in(405)),  # require_POST
    "essaimage:application_reject": Access(_application, logged_in(405)),  # require_POST
    # Structures: the list, and the record
    "essaimage:structure_list": Access(None, only(*STAFF, Role.CARRIER, Role.STRUCTURE), STRUCTURES_TEXT),
    # « Ma structure »: a structure's contact goes to their structure's page, the others to the list.
    "essaimage:my_structure": Access(
        _with_own_structure,
        {
            **only(*STAFF, Role.CARRIER, Role.STRUCTURE, ok="/suivi/structures/"),
            Role.STRUCTURE: "/suivi/structures/{o.mine.pk}/",
        },
    ),
    "essaimage:structure_detail": Access(lambda o: {"pk": o.structure.pk}, OTHERS_STRUCTURE, INNOVATION),
    "essaimage:structure_detail [own]": Access(lambda o: {"pk": o.own_structure().pk}, OWN_STRUCTURE, INNOVATION),
    "essaimage:structure_detail [carrier]": Access(_carriers_structure, CARRIERS_STRUCTURE, STRUCTURES_TEXT),
    "essaimage:structure_create": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), 'name="organisation"'),
    "essaimage:structure_edit": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF), 'name="wave"'),
    "essaimage:structure_edit [own]": Access(lambda o: {"pk": o.own_structure().pk}, only(*STAFF), 'name="wave"'),
    "essaimage:structure_start_date": Access(lambda o: {"pk": o.structure.pk}, logged_in(405)),  # require_POST
    "essaimage:structure_withdraw": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF), 'name="reason"'),
    "essaimage:structure_withdraw [own]": Access(lambda o: {"pk": o.own_structure().pk}, only(*STAFF), 'name="reason"'),
    "essaimage:structure_move": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF), 'name="moved_on"'),
    "essaimage:agreement_upload": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF), 'name="signed_on"'),
    "essaimage:agreement_download": Access(_signed, OTHERS_STRUCTURE, "%PDF-"),
    "essaimage:agreement_download [own]": Access(lambda o: _signed(o, own=True), OWN_STRUCTURE, "%PDF-"),
    "essaimage:agreement_download [carrier]": Access(lambda o: _signed(o, carrier=True), CARRIERS_STRUCTURE, "%PDF-"),
    "essaimage:contact_add": Access(lambda o: {"pk": o.structure.pk}, logged_in(405)),  # require_POST
}

POST_MATRIX: dict = {
    # Anyone may apply; an empty form comes back with its errors.
    "essaimage:call_public": Access(lambda o: {"pk": _call(o).pk}, everyone(400), 'name="organisation_name"'),
    # A closed call refuses applications, and says so.
    "essaimage:call_public [closed]": Access(lambda o: {"pk": _call(o, closed=True).pk}, everyone(400), CALL_TITLE),
    "essaimage:call_public [draft]": Access(lambda o: {"pk": _call(o, draft=True).pk}, everyone(404)),
    # Managers and administrators; empty forms come back with their errors.
    "essaimage:call_create": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="closes_on"'),
    "essaimage:call_edit": Access(lambda o: {"pk": _call(o).pk}, only(*STAFF, ok=400), 'name="closes_on"'),
    "essaimage:call_publish": Access(
        lambda o: {"pk": _call(o, draft=True).pk}, only(*STAFF, ok="/suivi/appels-structures/{pk}/modifier/")
    ),
    # Selecting (wave and note optional) goes back to the call's applications;
    # not selecting needs a reason: the page comes back with the error.
    "essaimage:application_select": Access(
        _application, only(*STAFF, ok="/suivi/appels-structures/{o.spreading_call.pk}/#app-{pk}")
    ),
    "essaimage:application_reject": Access(_application, only(*STAFF, ok=400), APPLICANT),
    "essaimage:structure_create": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'name="organisation"'
    ),
    "essaimage:structure_edit": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF, ok=400), 'name="wave"'),
    "essaimage:structure_edit [own]": Access(
        lambda o: {"pk": o.own_structure().pk}, only(*STAFF, ok=400), 'name="wave"'
    ),
    "essaimage:structure_start_date": Access(
        lambda o: {"pk": o.structure.pk}, only(*STAFF, ok="/suivi/structures/{pk}/")
    ),
    "essaimage:structure_start_date [own]": Access(
        lambda o: {"pk": o.own_structure().pk}, only(*STAFF, ok="/suivi/structures/{pk}/")
    ),
    "essaimage:structure_withdraw": Access(
        lambda o: {"pk": o.structure.pk}, only(*STAFF, ok="/suivi/structures/{pk}/")
    ),
    "essaimage:structure_withdraw [own]": Access(
        lambda o: {"pk": o.own_structure().pk}, only(*STAFF, ok="/suivi/structures/{pk}/")
    ),
    "essaimage:agreement_upload": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF, ok=400), 'name="signed_on"'),
    "essaimage:structure_move": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF, ok=400), 'name="moved_on"'),
    "essaimage:contact_add": Access(
        lambda o: {"pk": o.structure.pk}, only(*STAFF, ok="/suivi/structures/{pk}/#contacts")
    ),
    "essaimage:contact_add [own]": Access(
        lambda o: {"pk": o.own_structure().pk}, only(*STAFF, ok="/suivi/structures/{pk}/#contacts")
    ),
}

_START = {"start_date": "2026-03-02"}
_WITHDRAW = {"withdrawn_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(), "reason": "Fin du FSE"}
_CONTACT = {"email": "referente@structure-essaimee.fr", "first_name": "Inès", "last_name": "Morel"}

POST_DATA: dict = {
    "essaimage:structure_start_date": _START,
    "essaimage:structure_start_date [own]": _START,
    "essaimage:structure_withdraw": _WITHDRAW,
    "essaimage:structure_withdraw [own]": _WITHDRAW,
    "essaimage:contact_add": _CONTACT,
    "essaimage:contact_add [own]": _CONTACT,
}
