"""Query budgets of the calls and dossiers pages: the same number of queries with
one row as with many. The literal budget is what each page issues today; a page
whose count grows with the data is an N+1 to fix, not a budget to raise."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from projects.models import DossierSection, SelectionCriterion
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory, UserFactory
from tests.projects.factories import CallFactory, DossierAttachmentFactory, DossierFactory, InternalNoteFactory

MANY = 15


@pytest.fixture
def assert_constant_queries(django_assert_num_queries):
    """``check(client, url, make_rows, num_queries)``: the page is requested once to
    warm caches, then with 1 row and with ``MANY`` rows, each time inside
    ``django_assert_num_queries(num_queries)``. Returns both pages' text."""

    def check(client, url, make_rows, num_queries):
        client.get(url)  # warm-up: content types, session, translations
        make_rows(1)
        with django_assert_num_queries(num_queries):
            one = client.get(url)
        make_rows(MANY - 1)
        with django_assert_num_queries(num_queries):
            many = client.get(url)
        assert one.status_code == many.status_code == 200
        return html.unescape(one.content.decode()), html.unescape(many.content.decode())

    return check


def _counter():
    count = 0

    def next_number():
        nonlocal count
        count += 1
        return count

    return next_number


@pytest.fixture
def departments(db):
    return [DepartmentFactory(), DepartmentFactory(code="75", name="Paris")]


@pytest.fixture
def carrier_with_org(client, carrier, carrier_organisation):
    client.force_login(carrier)
    return carrier, carrier_organisation


# Public pages ------------------------------------------------------------------------


def test_call_list_queries_constant_with_many_calls(client, db, departments, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        now = timezone.now()
        for _ in range(n):
            i = number()
            CallFactory(title=f"Appel ouvert {i:02d}", target_departments=departments)
            CallFactory(title=f"Appel à venir {i:02d}", upcoming=True, target_departments=departments[:1])
            CallFactory(title=f"Appel passé {i:02d}", closed=True, closes_at=now - timedelta(days=i))
            CallFactory(title=f"Appel brouillon {i:02d}", draft=True)

    one, many = assert_constant_queries(client, reverse("projects:call_list"), make_rows, 6)

    assert "Appel ouvert 01" in one
    assert "Appel à venir 15" in many
    assert "Appel passé 15" in many
    assert "Paris (75), Seine-Maritime (76)" in many
    assert "Appel brouillon" not in many


def test_call_detail_queries_constant_with_many_criteria(carrier_client, db, departments, assert_constant_queries):
    call = CallFactory(title="Appel détaillé", grid=False, target_departments=departments)
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            SelectionCriterion.objects.create(call=call, position=i, title=f"Critère n°{i:02d}", weight=1)

    url = reverse("projects:call_detail", args=[call.slug])
    one, many = assert_constant_queries(carrier_client, url, make_rows, 8)

    assert "Critère n°01" in one
    assert "Critère n°15" in many


# Carrier pages -----------------------------------------------------------------------


def test_my_dossiers_queries_constant_with_many_dossiers(carrier_with_org, client, assert_constant_queries):
    carrier, organisation = carrier_with_org
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            DossierFactory(
                call=CallFactory(title=f"Appel {i:02d}"),
                organisation=organisation,
                created_by=carrier,
                innovation_name=f"Mon innovation {i:02d}",
            )

    one, many = assert_constant_queries(client, reverse("projects:my_dossiers"), make_rows, 4)

    assert "Mon innovation 01" in one
    assert "Mon innovation 15" in many
    assert "Appel 15" in many


def test_dossier_detail_queries_constant_with_many_attachments(carrier_client, draft, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            DossierAttachmentFactory(dossier=draft, original_name=f"piece-{number():02d}.pdf")
            InternalNoteFactory(dossier=draft)

    url = reverse("projects:dossier_detail", args=[draft.pk])
    one, many = assert_constant_queries(carrier_client, url, make_rows, 7)

    assert "piece-01.pdf" in one
    assert "piece-15.pdf" in many
    assert "Note interne" not in many


@pytest.mark.parametrize(
    ("section", "num_queries"),
    # the territory step also looks up the chosen commune for its picker
    [(DossierSection.INNOVATION, 7), (DossierSection.TERRITORY, 8), (DossierSection.PUBLICS, 7)],
)
def test_dossier_edit_queries_constant_with_many_attachments(
    carrier_client, draft, assert_constant_queries, section, num_queries
):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            DossierAttachmentFactory(dossier=draft, original_name=f"piece-{number():02d}.pdf")

    url = reverse("projects:dossier_edit", args=[draft.pk, section])
    one, many = assert_constant_queries(carrier_client, url, make_rows, num_queries)

    assert draft.innovation_name in one
    assert draft.innovation_name in many


def test_dossier_edit_organisation_queries_constant_with_many_members(carrier_client, draft, assert_constant_queries):
    def make_rows(n):
        for _ in range(n):
            UserFactory(roles=[(Role.CARRIER, draft.organisation)])
            DossierAttachmentFactory(dossier=draft)

    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.ORGANISATION])
    one, many = assert_constant_queries(carrier_client, url, make_rows, 8)

    assert draft.organisation.name in one
    assert draft.organisation.name in many


def test_dossier_attachments_queries_constant_with_many_attachments(carrier_client, draft, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            DossierAttachmentFactory(dossier=draft, original_name=f"piece-{number():02d}.pdf")

    url = reverse("projects:dossier_attachments", args=[draft.pk])
    one, many = assert_constant_queries(carrier_client, url, make_rows, 6)

    assert "piece-01.pdf" in one
    assert "piece-15.pdf" in many


# Manager pages -----------------------------------------------------------------------


def test_call_manage_list_queries_constant_with_many_calls(manager_client, db, assert_constant_queries):
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            call = CallFactory(title=f"Appel géré {number():02d}")
            DossierFactory(call=call)
            DossierFactory(call=call, submitted=True)

    one, many = assert_constant_queries(manager_client, reverse("projects:call_manage_list"), make_rows, 4)

    assert "Appel géré 01" in one
    assert "Appel géré 15" in many


def test_screening_queries_constant_with_many_dossiers(manager_client, db, departments, assert_constant_queries):
    call = CallFactory(title="Appel à trier")
    paris = CommuneFactory(code="75056", name="Paris", department=departments[1])
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            dossier = DossierFactory(
                submitted=True,
                call=call,
                organisation=OrganisationFactory(name=f"Structure {i:02d}"),
                innovation_name=f"Innovation triée {i:02d}",
                origin_commune=paris if i % 2 else CommuneFactory(),
            )
            DossierAttachmentFactory(dossier=dossier)
            InternalNoteFactory(dossier=dossier)

    url = reverse("projects:screening", args=[call.pk])
    one, many = assert_constant_queries(manager_client, url, make_rows, 7)

    assert "Innovation triée 01" in one
    assert "Innovation triée 15" in many
    assert "Structure 15" in many


def test_screening_filtered_queries_constant_with_many_dossiers(
    manager_client, db, departments, assert_constant_queries
):
    call = CallFactory(title="Appel à filtrer")
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            DossierFactory(submitted=True, call=call, innovation_name=f"Réseau emploi {number():02d}")

    url = reverse("projects:screening", args=[call.pk]) + "?q=reseau&status=submitted&department=76&public=deld"
    one, many = assert_constant_queries(manager_client, url, make_rows, 8)

    assert "Réseau emploi 01" in one
    assert "Réseau emploi 15" in many


def test_dossier_review_queries_constant_with_many_attachments_and_notes(manager_client, db, assert_constant_queries):
    dossier = DossierFactory(submitted=True, innovation_name="Dossier examiné")
    number = _counter()

    def make_rows(n):
        for _ in range(n):
            i = number()
            DossierAttachmentFactory(dossier=dossier, original_name=f"annexe-{i:02d}.pdf")
            InternalNoteFactory(dossier=dossier, text=f"Remarque n°{i:02d}")

    url = reverse("projects:dossier_review", args=[dossier.pk])
    one, many = assert_constant_queries(manager_client, url, make_rows, 6)

    assert "Remarque n°01" in one
    assert "Remarque n°15" in many
    assert "annexe-15.pdf" in many
