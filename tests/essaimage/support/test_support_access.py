"""Who sees the support log: managers all of it, a carrier its innovations' entries,
structure contacts nothing (403 on the lists, 404 on entries). Query budgets."""

from django.urls import reverse

from ais.accounts.models import Role
from tests.ais.factories import OrganisationFactory
from tests.conftest import MANY, make_user
from tests.essaimage.factories import SiteVisitFactory, SpreadStructureFactory, SupportRequestFactory
from tests.essaimage.support.conftest import select_options, structure
from tests.projects.factories import InnovationFactory

LISTS = ["essaimage:support_list", "essaimage:visit_list", "essaimage:support_summary"]


# Carriers --------------------------------------------------------------------------------


def test_carrier_of_another_innovation_gets_404_on_entries(client, carrier, dataset):
    entry = SupportRequestFactory(structure=dataset.alpha)
    visit = SiteVisitFactory(structure=dataset.alpha)
    client.force_login(carrier)

    responses = [
        client.get(reverse("essaimage:support_detail", kwargs={"pk": entry.pk})),
        client.get(reverse("essaimage:visit_detail", kwargs={"pk": visit.pk})),
    ]

    assert [response.status_code for response in responses] == [404, 404]


def test_carrier_may_not_record_or_edit(client, carrier):
    own = SupportRequestFactory(structure=structure(carrier.innovation, "Régie du porteur"))
    client.force_login(carrier)

    responses = [
        client.get(reverse("essaimage:support_create")),
        client.get(reverse("essaimage:support_edit", kwargs={"pk": own.pk})),
        client.post(reverse("essaimage:support_edit", kwargs={"pk": own.pk}), {"resolved": "on"}),
        client.get(reverse("essaimage:visit_create")),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    own.refresh_from_db()
    assert own.resolved is True and own.minutes_spent == 30  # unchanged (the factory's values)


def test_carrier_sees_only_own_innovation_in_lists_and_summary(client, carrier, dataset):
    own_structure = structure(carrier.innovation, "Régie du porteur")
    SupportRequestFactory(structure=own_structure, question="Question de la régie du porteur")
    SupportRequestFactory(structure=dataset.alpha, question="Question d'Alpha, autre innovation")
    SiteVisitFactory(structure=own_structure, report="Visite de la régie du porteur")
    client.force_login(carrier)

    hotline = client.get(reverse("essaimage:support_list")).content.decode()
    visits = client.get(reverse("essaimage:visit_list")).content.decode()
    summary = client.get(reverse("essaimage:support_summary")).content.decode()

    assert "Question de la régie du porteur" in hotline
    assert "autre innovation" not in hotline
    assert "Alpha Insertion" not in hotline  # not even in the filter's structure choices
    assert "VITA-Air" not in hotline
    assert "Régie du porteur" in visits and "Alpha Insertion" not in visits
    assert "Innovation du porteur" in summary
    assert "VITA-Air" not in summary and "Alpha Insertion" not in summary
    assert 'href="/suivi/hotline/nouvelle/' not in hotline + summary  # no recording for carriers


def test_carrier_filtering_on_another_innovation_structure_gets_nothing_of_it(client, carrier, dataset):
    client.force_login(carrier)

    response = client.get(reverse("essaimage:support_list") + f"?structure={dataset.alpha.pk}")

    assert response.status_code == 200
    assert "structure" in response.context["filter"].errors
    assert list(response.context["page"].object_list) == []
    assert response.context["overview"]["count"] == 0
    # The other innovation's structure is not shown back in the picker either.
    assert [value for value, _text, _selected in select_options(response.content.decode())] == [""]
    assert "Alpha Insertion" not in response.content.decode()


# The structure filter ------------------------------------------------------------------------


def test_lists_filter_holds_only_the_chosen_structure(client, manager, dataset):
    for number in range(30):
        structure(dataset.vita, f"Structure non choisie {number:02d}")
    client.force_login(manager)

    hotline = client.get(reverse("essaimage:support_list")).content.decode()
    filtered = client.get(reverse("essaimage:support_list") + f"?structure={dataset.alpha.pk}")
    visits = client.get(reverse("essaimage:visit_list") + f"?structure={dataset.delta.pk}")

    assert "Structure non choisie" not in hotline
    assert [value for value, _text, _selected in select_options(hotline)] == [""]
    assert 'data-structure-picker="/suivi/accompagnement/structures/"' in hotline
    assert 'data-innovation-field="id_innovation"' in hotline  # the search follows the innovation filter
    alpha = (str(dataset.alpha.pk), "Alpha Insertion – VITA-Air", True)
    assert select_options(filtered.content.decode())[1:] == [alpha]
    assert {entry.structure for entry in filtered.context["page"].object_list} == {dataset.alpha}
    assert select_options(visits.content.decode())[1:] == [(str(dataset.delta.pk), "Delta Chantier – TAPAJ", True)]
    assert [visit.structure for visit in visits.context["page"].object_list] == [dataset.delta]


# Structure contacts and committee members ---------------------------------------------------


def test_structure_contact_gets_403_on_lists(client, structure_contact, dataset):
    client.force_login(structure_contact)

    statuses = [client.get(reverse(name)).status_code for name in LISTS]

    assert statuses == [403, 403, 403]


def test_structure_contact_gets_404_on_entries_of_own_structure(client, structure_contact, dataset):
    own = SpreadStructureFactory(
        innovation=dataset.vita, organisation=structure_contact.organisations_for(Role.STRUCTURE).get()
    )
    entry = SupportRequestFactory(structure=own)
    visit = SiteVisitFactory(structure=own)
    client.force_login(structure_contact)

    responses = [
        client.get(reverse("essaimage:support_detail", kwargs={"pk": entry.pk})),
        client.get(reverse("essaimage:visit_detail", kwargs={"pk": visit.pk})),
    ]

    assert [response.status_code for response in responses] == [404, 404]


def test_committee_member_gets_403_on_lists(client, dataset):
    client.force_login(make_user(Role.COMMITTEE))

    assert [client.get(reverse(name)).status_code for name in LISTS] == [403, 403, 403]


def test_manager_sees_every_entry_and_may_record(client, manager, dataset):
    client.force_login(manager)

    hotline = client.get(reverse("essaimage:support_list"))

    assert len(hotline.context["page"].object_list) == 6
    assert 'href="/suivi/hotline/nouvelle/"' in hotline.content.decode()


# Query budgets -----------------------------------------------------------------------------


def _rows_on_new_structures(kind):
    """``make_rows(n)``: n entries (``kind`` "request" or "visit"), each on a new
    structure of a new innovation, so that every grouping grows with the rows."""
    number = 0

    def make_rows(n):
        nonlocal number
        for _ in range(n):
            number += 1
            innovation = InnovationFactory(name=f"Innovation suivie {kind} {number:02d}")
            where = SpreadStructureFactory(
                innovation=innovation, organisation=OrganisationFactory(name=f"Structure suivie {kind} {number:02d}")
            )
            if kind == "request":
                SupportRequestFactory(structure=where, topic=["method", "tools", "team"][number % 3])
            else:
                SiteVisitFactory(structure=where)

    return make_rows


def test_support_list_queries_constant_with_many_entries(client, manager, assert_constant_queries):
    client.force_login(manager)

    one, many = assert_constant_queries(
        client, reverse("essaimage:support_list"), _rows_on_new_structures("request"), 8
    )

    assert "Structure suivie request 01" in one
    assert many.count('href="/suivi/hotline/') >= MANY


def test_support_list_queries_constant_for_carrier(client, carrier, assert_constant_queries):
    client.force_login(carrier)
    number = 0

    def make_rows(n):
        nonlocal number
        for _ in range(n):
            number += 1
            SupportRequestFactory(structure=structure(carrier.innovation, f"Régie {number:02d}"))

    one, many = assert_constant_queries(client, reverse("essaimage:support_list"), make_rows, 10)

    assert "Régie 01" in one and "Régie 20" in many


def test_visit_list_queries_constant_with_many_visits(client, manager, assert_constant_queries):
    client.force_login(manager)

    one, many = assert_constant_queries(client, reverse("essaimage:visit_list"), _rows_on_new_structures("visit"), 6)

    assert "Structure suivie visit 01" in one
    assert many.count('href="/suivi/visites/') >= MANY


def test_support_summary_queries_constant_with_many_structures(client, manager, assert_constant_queries):
    client.force_login(manager)
    make_requests, make_visits = _rows_on_new_structures("request"), _rows_on_new_structures("visit")

    def make_rows(n):
        make_requests(n)
        make_visits(n)

    one, many = assert_constant_queries(client, reverse("essaimage:support_summary"), make_rows, 5)

    assert "Structure suivie request 01" in one and "Structure suivie visit 01" in one
    assert many.count("support-innovation") == 2 * MANY


def test_support_summary_queries_constant_with_many_structures_without_support(client, manager, dataset):
    """Structures without support are only counted: none of them is built, whatever
    their number (the page's queries do not depend on it either)."""
    client.force_login(manager)
    url = reverse("essaimage:support_summary")
    client.get(url)  # warm-up

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response

    before, _response = count_queries()
    for number in range(MANY):
        structure(dataset.vita, f"Structure sans accompagnement {number:02d}")
    after, response = count_queries()

    assert before == after == 5
    assert "Structure sans accompagnement" not in response.content.decode()
    assert response.context["totals"]["unsupported"] == MANY + 1  # and Gamma


def test_support_summary_queries_constant_over_pages(client, manager, monkeypatch, django_assert_num_queries):
    from essaimage import support_views

    monkeypatch.setattr(support_views, "SUMMARY_PAGE_SIZE", 5)
    _rows_on_new_structures("request")(3 * 5)
    client.force_login(manager)
    client.get(reverse("essaimage:support_summary"))  # warm-up

    for page in (1, 2, 3):
        with django_assert_num_queries(5):
            response = client.get(reverse("essaimage:support_summary") + f"?page={page}")
        assert response.context["page"].number == page
        assert len(response.context["innovations"]) == 5


def test_support_detail_queries_constant_with_many_changes(client, manager, assert_constant_queries):
    from essaimage import support_services

    entry = SupportRequestFactory()
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            support_services.update_support_request(entry, by=manager)
            SupportRequestFactory(structure=entry.structure)

    one, many = assert_constant_queries(
        client, reverse("essaimage:support_detail", kwargs={"pk": entry.pk}), make_rows, 6
    )

    assert entry.question in one


def test_visit_detail_queries_constant_with_many_visits(client, manager, assert_constant_queries):
    visit = SiteVisitFactory()
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            SiteVisitFactory(structure=visit.structure)

    one, many = assert_constant_queries(
        client, reverse("essaimage:visit_detail", kwargs={"pk": visit.pk}), make_rows, 6
    )

    assert visit.report in one
