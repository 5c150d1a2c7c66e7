"""Query budgets over the whole access matrix.

1. Every GET URL of the access matrix, requested as each role that gets a 200 (an
   administrator's page may hold less than a manager's), issues at most ``BUDGET`` SQL
   queries (after one warm-up request: content types, session, translations), unless
   listed in ``OVER_BUDGET`` with its reason.
2. The list pages of ``LIST_PAGES`` issue the same number of queries with 1 row and with
   ``MANY`` rows (``assert_constant_queries``); the literal count of each is what it issues
   today — a count that grows with the rows is an N+1 to fix, not a budget to raise.

The matrix's objects come from ``tests/test_access_matrix.py`` (the ``objects`` fixture).
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from tests.access_matrix import MATRIX, url_name
from tests.conftest import MANY, make_user
from tests.test_access_matrix import _log_in, _matrix_objects, objects  # noqa: F401 - the matrix's objects fixtures

BUDGET = 15

# From the most to the least privileged.
PRIVILEGE = [Role.ADMIN, Role.MANAGER, Role.CARRIER, Role.STRUCTURE, Role.COMMITTEE, "anonymous"]

# Pages allowed more than BUDGET queries, with the reason.
OVER_BUDGET: dict[str, str] = {
    # A file download, not a page: the user's personal data, one query per table that
    # holds some (a fixed number, whatever the number of rows).
    "accounts:my_data_download": "export of the personal data: one query per table",
    # One query per model whose history is shown (portal/history.py TRACKED: 14 since the
    # accounts' models joined), plus one for the previous versions of each model with
    # changes, plus one per model that a changed link points to (people, organisations…,
    # shown by name); the same count with 1 or MANY changes (tests/test_query_budgets.py).
    "portal:history": "one query per tracked model (14), constant with the rows",
}


BUDGET_CASES = [
    pytest.param(key, role, id=f"{key}-{role}")
    for key, access in MATRIX.items()
    for role in PRIVILEGE
    if access.expected.get(role) == 200
]


def _get(client, url):
    """GET ``url`` and read the whole body (file downloads stream it)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(("key", "role"), BUDGET_CASES)
def test_matrix_page_stays_within_query_budget(client, objects, key, role):  # noqa: F811
    access = MATRIX[key]
    objects.user = _log_in(client, role, objects)
    kwargs = access.kwargs(objects) if access.kwargs else {}
    url = reverse(url_name(key), kwargs=kwargs)
    assert _get(client, url).status_code == 200  # warm-up

    with CaptureQueriesContext(connection) as queries:
        response = _get(client, url)

    assert response.status_code == 200
    budget = BUDGET if key not in OVER_BUDGET else 10_000
    print(f"QUERIES {len(queries):3d} {key} as {role}")
    assert len(queries) <= budget, f"{url} as {role}: {len(queries)} queries:\n" + "\n".join(
        q["sql"][:200] for q in queries.captured_queries
    )


def test_dashboard_of_a_user_with_every_role_stays_within_budget(client, db):
    """The dashboard builds one section per role held: a user holding all five stays within
    the budget too (with rows in each section: see tests/test_query_budgets.py for the
    same count with 1 and MANY rows)."""
    from tests.ais.factories import OrganisationFactory, OutgoingEmailFactory, UserFactory
    from tests.essaimage.factories import SpreadStructureFactory
    from tests.projects.factories import InnovationFactory

    carrier_org, structure_org = OrganisationFactory(), OrganisationFactory()
    user = UserFactory(
        roles=[Role.MANAGER, Role.COMMITTEE, (Role.CARRIER, carrier_org), (Role.STRUCTURE, structure_org), Role.ADMIN]
    )
    client.force_login(user)
    innovation = InnovationFactory(carrier=carrier_org)
    SpreadStructureFactory(innovation=innovation, organisation=structure_org)
    OutgoingEmailFactory()
    url = reverse("portal:dashboard")
    client.get(url)  # warm-up

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(queries) <= BUDGET, f"{len(queries)} queries:\n" + "\n".join(
        q["sql"][:300] for q in queries.captured_queries
    )


# List pages: the same count with 1 and with MANY rows ------------------------------------


class Rows:
    """What a list page's ``make_rows(n)`` needs: the requesting user and a counter."""

    def __init__(self, user):
        self.user = user
        self.numbers = itertools.count(1)
        self.call = None
        self.event = None
        self.structure_call = None

    def own_organisation(self, role):
        return self.user.organisations_for(role).first()


def _scheduled_structure(**kwargs):
    """A structure started 13 months ago: its first two questionnaires are open or due."""
    from evaluation.schedule import schedule_for_structure
    from tests.essaimage.factories import SpreadStructureFactory

    structure = SpreadStructureFactory(start_date=timezone.localdate() - datetime.timedelta(days=400), **kwargs)
    schedule_for_structure(structure.pk)
    return structure


def _innovation_rows(r, n):
    from tests.essaimage.factories import SpreadStructureFactory
    from tests.projects.factories import InnovationFactory

    for _ in range(n):
        SpreadStructureFactory(innovation=InnovationFactory(name=f"Innovation en liste {next(r.numbers):02d}"))


def _structure_rows(r, n):
    from tests.essaimage.factories import SpreadStructureFactory

    for _ in range(n):
        SpreadStructureFactory()


def _training_rows(r, n):
    from tests.essaimage.factories import AttendanceFactory, TrainingDayFactory, TrainingFactory

    for _ in range(n):
        training = TrainingFactory()
        TrainingDayFactory(training=training)
        attendance = AttendanceFactory(participant__training=training)
        training.structures.add(attendance.participant.structure)


def _support_rows(r, n):
    from tests.essaimage.factories import SupportRequestFactory

    for _ in range(n):
        SupportRequestFactory()


def _visit_rows(r, n):
    from tests.essaimage.factories import SiteVisitFactory

    for _ in range(n):
        SiteVisitFactory()


def _support_summary_rows(r, n):
    from tests.essaimage.factories import SiteVisitFactory, SupportRequestFactory

    for _ in range(n):
        SiteVisitFactory(structure=SupportRequestFactory().structure)


def _questionnaire_rows(r, n):
    for _ in range(n):
        _scheduled_structure()


def _own_questionnaire_rows(r, n):
    for _ in range(n):
        _scheduled_structure(organisation=r.own_organisation(Role.STRUCTURE))


def _event_rows(r, n):
    from tests.events.factories import EventFactory, RegistrationFactory

    for _ in range(n):
        RegistrationFactory(event=EventFactory())


def _registration_rows(r, n):
    from tests.events.factories import RegistrationFactory

    for _ in range(n):
        RegistrationFactory(event=r.event)


def _resource_rows(r, n):
    from tests.events.factories import ResourceFactory

    for _ in range(n):
        ResourceFactory()


def _call_rows(r, n):
    from tests.projects.factories import CallFactory

    for _ in range(n):
        CallFactory()


def _own_dossier_rows(r, n):
    from tests.projects.factories import CallFactory, DossierFactory

    for _ in range(n):
        DossierFactory(call=CallFactory(), organisation=r.own_organisation(Role.CARRIER), created_by=r.user)


def _screening_rows(r, n):
    from tests.projects.factories import DossierFactory

    for _ in range(n):
        DossierFactory(call=r.call, submitted=True)


def _review_rows(r, n):
    from tests.projects.factories import EligibleDossierFactory, ReviewAssignmentFactory

    for _ in range(n):
        ReviewAssignmentFactory(dossier=EligibleDossierFactory(call=r.call), member=r.user)


def _structure_call_rows(r, n):
    from tests.essaimage.factories import StructureCallFactory

    for _ in range(n):
        StructureCallFactory()


def _application_rows(r, n):
    from tests.essaimage.factories import StructureApplicationFactory

    for _ in range(n):
        StructureApplicationFactory(call=r.structure_call)


def _call_kwargs(r):
    from tests.projects.factories import CallFactory

    r.call = CallFactory()
    return {"pk": r.call.pk}


def _with_call(r):
    _call_kwargs(r)
    return {}


def _event_kwargs(r):
    from tests.events.factories import EventFactory

    r.event = EventFactory()
    return {"pk": r.event.pk}


def _structure_call_kwargs(r):
    from tests.essaimage.factories import StructureCallFactory

    r.structure_call = StructureCallFactory()
    return {"pk": r.structure_call.pk}


# (URL name, role, kwargs factory or None, make_rows(rows, n), queries with 1 and MANY rows).
def _people_rows(r, n):
    """People with two roles each, one of them for an organisation."""
    from tests.ais.factories import OrganisationFactory, UserFactory

    for _ in range(n):
        number = next(r.numbers)
        UserFactory(
            last_name=f"Personne {number:02d}",
            roles=[Role.COMMITTEE, (Role.CARRIER, OrganisationFactory(name=f"Organisation {number:02d}"))],
        )


# The home page, the catalogue, the history, the outbox and the dashboards are in
# tests/test_query_budgets.py.
LIST_PAGES = [
    ("projects:innovation_list", Role.MANAGER, None, _innovation_rows, 4),
    ("essaimage:structure_list", Role.MANAGER, None, _structure_rows, 9),
    ("essaimage:training_list", Role.MANAGER, None, _training_rows, 9),
    ("essaimage:support_list", Role.MANAGER, None, _support_rows, 8),
    ("essaimage:visit_list", Role.MANAGER, None, _visit_rows, 6),
    ("essaimage:support_summary", Role.MANAGER, None, _support_summary_rows, 5),
    ("evaluation:followup", Role.MANAGER, None, _questionnaire_rows, 8),
    ("reporting:programme_dashboard", Role.MANAGER, None, _questionnaire_rows, 12),
    ("evaluation:my_questionnaires", Role.STRUCTURE, None, _own_questionnaire_rows, 6),
    ("events:event_list", "anonymous", None, _event_rows, 2),
    ("events:manage_list", Role.MANAGER, None, _event_rows, 5),
    ("events:registration_list", Role.MANAGER, _event_kwargs, _registration_rows, 6),
    ("events:resource_list", "anonymous", None, _resource_rows, 4),
    ("events:resource_manage_list", Role.MANAGER, None, _resource_rows, 4),
    ("projects:call_list", "anonymous", None, _call_rows, 4),
    ("people:list", Role.ADMIN, None, _people_rows, 7),
    ("projects:call_manage_list", Role.MANAGER, None, _call_rows, 4),
    ("projects:my_dossiers", Role.CARRIER, None, _own_dossier_rows, 4),
    ("projects:screening", Role.MANAGER, _call_kwargs, _screening_rows, 7),
    ("projects:my_reviews", Role.COMMITTEE, _with_call, _review_rows, 4),
    ("essaimage:call_list_public", "anonymous", None, _structure_call_rows, 2),
    ("essaimage:applications", Role.MANAGER, _structure_call_kwargs, _application_rows, 5),
]


@pytest.mark.parametrize(
    ("name", "role", "kwargs", "make_rows", "num_queries"),
    [pytest.param(*page, id=page[0]) for page in LIST_PAGES],
)
def test_list_page_queries_constant_with_many_rows(
    client, db, assert_constant_queries, name, role, kwargs, make_rows, num_queries
):
    user = make_user(role)
    if user is not None:
        client.force_login(user)
    rows = Rows(user)
    url = reverse(name, kwargs=kwargs(rows) if kwargs else None)

    assert_constant_queries(client, url, lambda n: make_rows(rows, n), num_queries)
    assert num_queries <= BUDGET


def test_every_list_page_is_in_the_matrix():
    assert {page[0] for page in LIST_PAGES} <= {url_name(key) for key in MATRIX}
    assert MANY > 1
