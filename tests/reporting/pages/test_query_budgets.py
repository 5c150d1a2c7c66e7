"""Query budgets: the same number of queries with 1 row as with 20."""

import itertools

import pytest
from django.urls import reverse

from reporting.models import Report, ReportStatus
from tests.projects.factories import InnovationFactory
from tests.reporting.pages.conftest import answered_structure, structure

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def test_innovation_dashboard_queries_constant(client, manager, assert_constant_queries):
    innovation = InnovationFactory(name="Parcours Gardien")
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            answered_structure(innovation, wave=1 + next(_numbers) % 3)

    # 10: the page's 8, the figures per phase (one query over the answers) and the figures
    # today by reporting.definitions (one more).
    one, many = assert_constant_queries(
        client, reverse("reporting:innovation_dashboard", kwargs={"pk": innovation.pk}), make_rows, 10
    )
    assert many.count('<th scope="row" class="fw-normal">Structure n°') == 20


def test_programme_dashboard_queries_constant(client, manager, assert_constant_queries):
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            answered_structure(InnovationFactory(name=f"Innovation {next(_numbers)}"))

    # 13: the page's 6, plus the programme's key figures of reporting.definitions (innovations,
    # structures, departments and their names, methods, applications) and the structures' places.
    _one, many = assert_constant_queries(client, reverse("reporting:programme_dashboard"), make_rows, 13)
    assert many.count('href="/suivi/innovations/') >= 20


def test_report_list_queries_constant(client, manager, assert_constant_queries):
    innovation = InnovationFactory(name="Parcours Gardien")
    answered_structure(innovation)
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            Report.objects.create(
                innovation=innovation,
                kind="final",
                version=next(_numbers),
                status=ReportStatus.DONE,
                requested_by=manager,
                duration_ms=2400,
            )

    _one, many = assert_constant_queries(
        client, reverse("reporting:report_list", kwargs={"pk": innovation.pk}), make_rows, 9
    )
    assert many.count('class="report-status"') == 20


def test_yearly_report_page_queries_constant(client, admin_user, assert_constant_queries):
    client.force_login(admin_user)

    def make_rows(n):
        for _ in range(n):
            Report.objects.create(kind="yearly", year=2025, version=next(_numbers), requested_by=admin_user)

    _one, many = assert_constant_queries(client, reverse("reporting:yearly_report"), make_rows, 4)
    assert many.count('hx-trigger="every 2s"') == 20


def test_exports_page_queries_constant(client, manager, assert_constant_queries):
    innovation = InnovationFactory(name="Parcours Gardien")
    client.force_login(manager)

    def make_rows(n):
        for _ in range(n):
            structure(innovation)

    _one, many = assert_constant_queries(
        client, reverse("reporting:exports"), make_rows, 9
    )  # one count per list (events included)
    assert '<td class="text-end">20</td>' in many
