"""Object access between organisations, generated from the access matrix.

Two "worlds" are built, each with a carrier organisation (and its user), the
innovation it carries and its dossier, and a structure organisation (and its
contact) spreading that innovation. For every object URL of the access matrix —
each GET of ``MATRIX`` and each POST of ``POST_MATRIX`` — the matrix's own kwargs
factory builds the object in world B, and the carrier and the structure contact of
world A request it: they get a 404 (the object's existence is not disclosed), or a
403 when their role may not use the page at all, even for their own objects. As a
control, world B's users whose role may use the page are not refused.

``OWNED`` says which URLs point at an organisation's object and who, in the owner's
world, may use them; ``NOT_OWNED`` lists the other URLs with arguments and why. A URL
of the matrix with arguments in neither table fails
``test_every_object_url_of_the_matrix_is_classified``: new URLs must be added.
"""

import copy
import shutil
from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from ais.accounts.models import Role
from projects.models import Stage
from tests.access_matrix import MATRIX, NOT_FOUND_TEXT, POST_DATA, POST_MATRIX, url_name, walk_patterns
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import rows_for_the_module, session_key
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import CallFactory, DossierAttachmentFactory, DossierFactory, InnovationFactory
from tests.test_access_matrix import MatrixObjects, _url

CARRIER, STRUCTURE = Role.CARRIER, Role.STRUCTURE
BOTH = (CARRIER, STRUCTURE)
NOBODY = ()


class Owned(NamedTuple):
    """``owner``: the kind of organisation the object belongs to (a carrier for dossiers
    and innovations, and what hangs on them; a structure for a spread structure and
    its questionnaires, trainings and support). ``get`` / ``post``: roles of the owner's
    world who may use the URL (the others are refused with a 403 whatever the object).
    ``skip``: variants of the matrix about something else than ownership."""

    owner: str
    get: tuple = NOBODY
    post: tuple = NOBODY
    skip: tuple = ()


OWNED: dict[str, Owned] = {
    # Dossiers: their carrier organisation's
    "projects:dossier_detail": Owned(CARRIER, get=(CARRIER,)),
    "projects:dossier_pdf": Owned(CARRIER, get=(CARRIER,)),
    "projects:dossier_attachments": Owned(CARRIER, get=(CARRIER,)),
    "projects:attachment_download": Owned(CARRIER, get=(CARRIER,)),
    "projects:dossier_edit": Owned(CARRIER, get=(CARRIER,)),
    "projects:dossier_submit": Owned(CARRIER, post=(CARRIER,)),
    "projects:attachment_delete": Owned(CARRIER),  # the matrix's dossier is complete: nothing to remove
    "projects:dossier_review": Owned(CARRIER),
    "projects:dossier_note": Owned(CARRIER),
    "projects:dossier_eligibility": Owned(CARRIER),
    "projects:dossier_corrections": Owned(CARRIER),
    # Innovations: their carrier's, read by the contacts of their structures
    "projects:innovation_detail": Owned(CARRIER, get=BOTH, skip=("unpublished",)),
    "projects:innovation_edit": Owned(CARRIER),
    "projects:stage_plans": Owned(CARRIER),
    "projects:stage_advance": Owned(CARRIER),
    "projects:accompaniment_close": Owned(CARRIER),
    "projects:accompaniment_reopen": Owned(CARRIER),
    "projects:deliverable_add": Owned(CARRIER),
    "projects:deliverable_download": Owned(CARRIER, get=BOTH, skip=("own charter",)),
    "projects:deliverable_delete": Owned(CARRIER),
    "projects:governance_add": Owned(CARRIER),
    "projects:governance_delete": Owned(CARRIER),
    "projects:awareness_add": Owned(CARRIER),
    "projects:awareness_delete": Owned(CARRIER),
    "essaimage:call_create": Owned(CARRIER),
    "essaimage:structure_create": Owned(CARRIER),
    "essaimage:training_create": Owned(CARRIER),
    "reporting:innovation_dashboard": Owned(CARRIER, get=(CARRIER,), post=(CARRIER,)),
    "reporting:report_list": Owned(CARRIER, get=(CARRIER,), post=(CARRIER,)),
    "reporting:report_status": Owned(CARRIER, get=(CARRIER,), post=(CARRIER,), skip=("yearly",)),
    "reporting:report_download": Owned(CARRIER, get=(CARRIER,), post=(CARRIER,), skip=("yearly",)),
    "reporting:report_preview": Owned(CARRIER),
    "reporting:report_narrative": Owned(CARRIER),
    "reporting:report_generate": Owned(CARRIER),
    # Spread structures: their structure organisation's, read by the innovation's carrier
    "essaimage:structure_detail": Owned(STRUCTURE, get=BOTH),
    "essaimage:structure_edit": Owned(STRUCTURE),
    "essaimage:structure_start_date": Owned(STRUCTURE),
    "essaimage:structure_withdraw": Owned(STRUCTURE),
    "essaimage:structure_move": Owned(STRUCTURE),
    "essaimage:contact_add": Owned(STRUCTURE),
    "essaimage:agreement_upload": Owned(STRUCTURE),
    # (its "own" variant adds a second structure of the contact's organisation to the innovation)
    "essaimage:agreement_download": Owned(STRUCTURE, get=BOTH, skip=("own",)),
    "evaluation:structure_compare": Owned(STRUCTURE),
    # Trainings of an innovation with its structures
    "essaimage:training_detail": Owned(STRUCTURE, get=BOTH),
    "essaimage:training_edit": Owned(STRUCTURE),
    "essaimage:training_day_add": Owned(STRUCTURE),
    "essaimage:training_day_delete": Owned(STRUCTURE),
    "essaimage:attendance": Owned(STRUCTURE),
    "essaimage:participant_add": Owned(STRUCTURE),
    "essaimage:participant_delete": Owned(STRUCTURE),
    "essaimage:training_document_add": Owned(STRUCTURE),
    "essaimage:training_document_download": Owned(STRUCTURE, get=BOTH),
    "essaimage:attendance_sheet": Owned(STRUCTURE, get=(CARRIER,)),
    # Support of a structure, read by the innovation's carrier
    "essaimage:support_detail": Owned(STRUCTURE, get=(CARRIER,), post=(CARRIER,)),
    "essaimage:support_edit": Owned(STRUCTURE),
    "essaimage:visit_detail": Owned(STRUCTURE, get=(CARRIER,), post=(CARRIER,)),
    "essaimage:visit_edit": Owned(STRUCTURE),
    # Questionnaires: answered by the structure, read by the innovation's carrier
    "evaluation:response": Owned(STRUCTURE, get=BOTH, post=(STRUCTURE,)),
    "evaluation:answer_save": Owned(STRUCTURE, post=(STRUCTURE,)),
    "evaluation:response_submit": Owned(STRUCTURE, post=(STRUCTURE,)),
    "evaluation:response_manage": Owned(STRUCTURE),
    "evaluation:response_validate": Owned(STRUCTURE),
    "evaluation:response_return": Owned(STRUCTURE),
    "evaluation:response_links": Owned(STRUCTURE),
    "evaluation:response_remind": Owned(STRUCTURE),
}

NOT_OWNED: dict[str, str] = {
    "archive:detail": "an import of the history: administrators only (tests/archive)",
    "archive:status": "an import of the history: administrators only (tests/archive)",
    "archive:confirm": "an import of the history: administrators only (tests/archive)",
    "accounts:activate": "a token, tested by the accounts' tests",
    "accounts:invitation": "a token, tested by tests/ais/test_people.py",
    "people:detail": "a person: administrators only (tests/ais/test_people.py)",
    "people:role_remove": "a person's role: administrators only (tests/ais/test_people.py)",
    "people:deactivate": "a person: administrators only (tests/ais/test_people.py)",
    "people:reactivate": "a person: administrators only (tests/ais/test_people.py)",
    "people:resend_invitation": "a person: administrators only (tests/ais/test_people.py)",
    "projects:committee_member_add": "a call's committee: managers only",
    "projects:committee_member_remove": "a call's committee: managers only",
    "projects:committee_member_invite": "a call's committee: managers only",
    "accounts:password_reset_confirm": "a token, tested by the accounts' tests",
    "accounts:unlock": "a signed token, tested in tests/security/auth/test_unlock.py",
    "essaimage:applications": "a call for structures: managers only",
    "essaimage:application_select": "an application to a call: managers only",
    "essaimage:application_reject": "an application to a call: managers only",
    "essaimage:call_applied": "a public call for structures",
    "essaimage:call_edit": "a call for structures: managers only",
    "essaimage:call_public": "a public call for structures",
    "essaimage:call_publish": "a call for structures: managers only",
    "evaluation:draft_create": "questionnaire templates: managers only",
    "evaluation:version_detail": "questionnaire templates: managers only",
    "evaluation:version_edit": "questionnaire templates: managers only",
    "evaluation:version_publish": "questionnaire templates: managers only",
    "evaluation:export": "an export by phase, scoped to the user's rows",
    "reporting:export_list": "an export by name, scoped to the user's rows",
    "evaluation:link": "a token, tested in tests/evaluation_answer/test_links.py",
    "outbox:detail": "e-mails: administrators only",
    "outbox:retry": "e-mails: administrators only",
    "projects:call_detail": "a public call for projects",
    "projects:call_edit": "calls for projects: managers only",
    "projects:call_publish": "calls for projects: managers only",
    "projects:dossier_start": "a public call for projects",
    "portal:innovation_public": "the public catalogue",
    "projects:screening": "a call's dossiers: managers only",
    "projects:screening_export": "a call's dossiers: managers only",
    "projects:committee": "a call's committee: managers only",
    "projects:auto_assign": "a call's committee: managers only",
    "projects:manual_assign": "a call's committee: managers only",
    "projects:unassign": "a committee assignment: managers only",
    "projects:review": "a committee member's own assignment, in the matrix",
    "projects:ranking": "a call's ranking: managers only",
    "projects:ranking_export": "a call's ranking: managers only",
    "projects:session": "a selection session: managers only",
    "projects:session_create": "a selection session: managers only",
    "projects:session_close": "a selection session: managers only",
    "projects:session_release": "a selection session: managers only",
    "projects:session_minutes": "a selection session: managers only",
}
# Events and the resources library belong to the programme, not to an organisation.
EVENTS_AND_RESOURCES = "events:"


class World(MatrixObjects):
    """One carrier organisation and one structure organisation, with their users, the
    innovation the carrier carries, its dossier and the structure spreading it. The
    matrix's ``own_*`` helpers return this world's objects."""

    def own_innovation(self):
        return self.innovation

    def own_structure(self):
        return self.structure

    def own_dossier(self):
        return self.dossier


def build_world(name: str, call) -> World:
    carrier_org = OrganisationFactory(name=f"Porteur {name}")
    structure_org = OrganisationFactory(name=f"Structure {name}")
    carrier = UserFactory(roles=[(CARRIER, carrier_org)])
    contact = UserFactory(roles=[(STRUCTURE, structure_org)])
    innovation = InnovationFactory(carrier=carrier_org, name=f"Innovation {name}", stage=Stage.ESSAIMAGE)
    dossier = DossierFactory(
        call=call, organisation=carrier_org, created_by=carrier, complete=True, innovation_name="Jardin solidaire"
    )
    return World(
        users={CARRIER: carrier, STRUCTURE: contact},
        call=call,
        innovation=innovation,
        structure=SpreadStructureFactory(innovation=innovation, organisation=structure_org),
        dossier=dossier,
        attachment=DossierAttachmentFactory(dossier=dossier),
    )


def _session_keys(worlds) -> dict[int, str]:
    """``{user pk: session key}``: a session of each user of the worlds (as ``force_login``
    opens it), opened once for the module rather than twice in each test."""
    keys = {}
    for world in worlds:
        for user in world.users.values():
            keys[user.pk] = session_key(user)
    return keys


@pytest.fixture(scope="module")
def _worlds(django_db_setup, django_db_blocker, tmp_path_factory):
    """The two worlds of one call, and their users' sessions, made once for the module
    (tests/conftest.py: rows_for_the_module)."""

    def make():
        call = CallFactory(title="Appel à projets 2026 – Emploi")
        worlds = build_world("A", call), build_world("B", call)
        return worlds, _session_keys(worlds)

    with rows_for_the_module(django_db_blocker, tmp_path_factory, make) as made:
        yield made


@pytest.fixture
def worlds(db, _worlds, settings):
    """The module's two worlds, as model instances of the test's own (copies), their files
    in the test's MEDIA_ROOT."""
    (made, _keys), media_root = _worlds
    shutil.copytree(media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return copy.deepcopy(made)


@pytest.fixture
def logged_in(db, _worlds):
    """``logged_in(user)``: a new client in the module's session of ``user`` (a request that
    changes the session changes it in the test's savepoint only)."""
    (_made, keys), _media_root = _worlds

    def client_of(user):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = keys[user.pk]
        return client

    return client_of


def _variant(key: str) -> str:
    return key.split(" [", 1)[1].rstrip("]") if " [" in key else ""


def _cases(matrix, method):
    for key in matrix:
        owned = OWNED.get(url_name(key))
        if owned is None or _variant(key) in owned.skip:
            continue
        for role in BOTH:
            if method == "GET" and matrix[key].expected[role] == 405:
                continue  # POST-only: its POST is tested
            yield pytest.param(method, key, role, id=f"{method}-{key}-{role}")


CASES = [*_cases(MATRIX, "GET"), *_cases(POST_MATRIX, "POST")]


# The matrix's factory of these entries builds a structure of some other organisation
# on the owner's innovation: it is the carrier's, not the world's structure contact's.
NOT_THE_CONTACTS = {
    "essaimage:structure_detail [carrier]",
    "essaimage:agreement_download",
    "essaimage:agreement_download [carrier]",
    "evaluation:response [carrier]",
}


def _request(client, method, url, key):
    response = client.get(url) if method == "GET" else client.post(url, POST_DATA.get(key, {}))
    if response.streaming:  # a download: read to the end, which closes it and its file (as a WSGI server)
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(("method", "key", "role"), CASES)
def test_object_of_other_organisation_answers_404(worlds, logged_in, method, key, role):
    owned = OWNED[url_name(key)]
    access = (MATRIX if method == "GET" else POST_MATRIX)[key]
    world_a, world_b = worlds
    world_b.user = world_b.users[role]
    url, _kwargs = _url(key, access, world_b)
    allowed = owned.get if method == "GET" else owned.post
    control_role = role in allowed and not (role == STRUCTURE and key in NOT_THE_CONTACTS)
    outsider, owner = logged_in(world_a.users[role]), logged_in(world_b.users[role])

    refused = _request(outsider, method, url, key)
    control = _request(owner, method, url, key) if control_role else None

    content = refused.content.decode() if not refused.streaming else ""
    if role in allowed:
        assert refused.status_code == 404, f"{method} {url}: a {role} of another organisation got {refused.status_code}"
        assert NOT_FOUND_TEXT in content.replace("&#x27;", "'")
        assert control is None or control.status_code not in (403, 404), (
            f"{method} {url}: the {role} of the owner's organisation got {control.status_code} (the control failed)"
        )
    else:
        assert refused.status_code in (403, 404), (
            f"{method} {url}: a {role} of another organisation got {refused.status_code}"
        )


def test_every_object_url_of_the_matrix_is_classified():
    routes = {name: route for name, route, _pattern in walk_patterns()}
    with_arguments = {
        url_name(key) for key in [*MATRIX, *POST_MATRIX] if "<" in routes.get(url_name(key), "") and ":" in key
    }
    unclassified = sorted(
        name
        for name in with_arguments
        if name not in OWNED
        and name not in NOT_OWNED
        and not name.startswith(EVENTS_AND_RESOURCES)
        and not name.startswith("admin:")
    )

    assert not unclassified, (
        "URLs with arguments in neither OWNED nor NOT_OWNED of tests/security/test_object_access.py: "
        + ", ".join(unclassified)
    )
    assert not set(OWNED) - {url_name(key) for key in [*MATRIX, *POST_MATRIX]}, "OWNED lists unknown URLs"
    assert get_resolver()  # the URLconf loads


def test_cases_cover_reading_and_writing():
    methods = {case.values[0] for case in CASES}
    assert methods == {"GET", "POST"}
    assert len(CASES) > 100
