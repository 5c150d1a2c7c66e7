"""Counts per innovation and per structure, checked against figures computed by hand
(see the ``dataset`` fixture's table)."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils.translation import ngettext

from essaimage.models import SiteVisit, SpreadStructure, SupportRequest, SupportTopic
from essaimage.support_services import (
    format_minutes,
    support_counts_by_innovation,
    support_counts_by_structure,
    support_overview,
)
from projects.models import Innovation, Stage
from tests.essaimage.support.conftest import day, row_of, section, structure, table_rows
from tests.projects.factories import InnovationFactory

FIGURES = ("support_count", "support_unresolved", "support_minutes", "visit_count", "last_contact_on")


def _figures(rows):
    return {str(row): tuple(getattr(row, name) for name in FIGURES) for row in rows}


# The helpers ------------------------------------------------------------------------------


def test_support_counts_by_structure_match_hand_computed_figures(dataset):
    structures = support_counts_by_structure(
        SpreadStructure.objects.filter(pk__in=[dataset.alpha.pk, dataset.beta.pk, dataset.gamma.pk, dataset.delta.pk])
    )

    figures = {structure.organisation.name: structure for structure in structures.select_related("organisation")}
    assert _figures(figures.values()) == {
        str(dataset.alpha): (3, 1, 165, 2, day(6, 2)),
        str(dataset.beta): (1, 1, 20, 0, day(4, 1)),
        str(dataset.gamma): (0, 0, 0, 0, None),
        str(dataset.delta): (2, 0, 75, 1, day(7, 15)),
    }
    assert (figures["Alpha Insertion"].last_support_on, figures["Alpha Insertion"].last_visit_on) == (
        day(5, 20),
        day(6, 2),
    )


def test_support_counts_by_innovation_match_hand_computed_figures(dataset):
    innovations = support_counts_by_innovation(Innovation.objects.filter(pk__in=[dataset.vita.pk, dataset.tapaj.pk]))

    assert _figures(innovations) == {
        "VITA-Air": (4, 2, 185, 2, day(6, 2)),
        "TAPAJ": (2, 0, 75, 1, day(7, 15)),
    }


def test_support_counts_restricted_to_a_period(dataset):
    since_march = {
        "requests": SupportRequest.objects.filter(date__gte=day(3, 1)),
        "visits": SiteVisit.objects.filter(date__gte=day(3, 1)),
    }

    structures = support_counts_by_structure(
        SpreadStructure.objects.filter(pk__in=[dataset.alpha.pk, dataset.delta.pk]), **since_march
    )

    assert _figures(structures) == {
        str(dataset.alpha): (2, 1, 135, 2, day(6, 2)),
        str(dataset.delta): (0, 0, 0, 1, day(7, 15)),
    }


def test_support_counts_stay_one_query(dataset, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(support_counts_by_structure(SpreadStructure.objects.select_related("organisation", "innovation")))

    assert len(rows) == 5  # the candidate is counted too when asked for


def test_support_overview_gives_totals_share_and_counts_per_innovation_and_topic(dataset):
    overview = support_overview(SupportRequest.objects.all())

    assert (overview["count"], overview["minutes"], overview["resolved"], overview["resolved_share"]) == (
        6,
        260,
        4,
        67,
    )
    assert [(row["name"], row["count"], row["minutes"]) for row in overview["by_innovation"]] == [
        ("VITA-Air", 4, 185),
        ("TAPAJ", 2, 75),
    ]
    assert [(row["value"], row["count"]) for row in overview["by_topic"]] == [
        ("method", 3),
        ("funding", 1),
        ("team", 1),
        ("tools", 1),
    ]


def test_support_overview_of_nothing_has_no_share(db):
    overview = support_overview(SupportRequest.objects.none())

    assert (overview["count"], overview["minutes"], overview["resolved_share"]) == (0, 0, None)
    assert overview["by_innovation"] == overview["by_topic"] == []


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0 min"), (45, "45 min"), (60, "1 h"), (185, "3 h 05"), (260, "4 h 20"), (1500, "25 h")],
)
def test_format_minutes_reads_as_hours_and_minutes(minutes, text):
    assert format_minutes(minutes) == text


# What the pages show ------------------------------------------------------------------


def _others(n):
    return ngettext(
        "%(n)s other structure without support over the period.",
        "%(n)s other structures without support over the period.",
        n,
    ) % {"n": n}


def _none_of(n):
    return ngettext(
        "Its structure had no support over the period.",
        "None of its %(n)s structures had support over the period.",
        n,
    ) % {"n": n}


def test_support_summary_shows_hand_computed_figures_per_structure(client, manager, dataset):
    client.force_login(manager)

    content = client.get(reverse("essaimage:support_summary")).content.decode()

    vita, tapaj = section(content, "VITA-Air"), section(content, "TAPAJ")
    assert row_of(vita, "Alpha Insertion")[:6] == ["Alpha Insertion", "3", "1", "2 h 45", "2", "02/06/2025"]
    assert row_of(vita, "Bêta Emploi")[:6] == ["Bêta Emploi", "1", "1", "20 min", "0", "01/04/2025"]
    assert row_of(vita, "Total")[1:6] == ["4", "2", "3 h 05", "2", "02/06/2025"]
    assert row_of(tapaj, "Delta Chantier")[:6] == ["Delta Chantier", "2", "0", "1 h 15", "1", "15/07/2025"]
    assert row_of(tapaj, "Total")[1:6] == ["2", "0", "1 h 15", "1", "15/07/2025"]
    assert "Delta Chantier" not in vita
    # Gamma had no support: not listed, counted under its innovation.
    assert "Gamma Solidarité" not in content
    assert _others(1) in vita
    assert "support-without" not in tapaj
    assert "Epsilon Candidate" not in content  # candidates are not adopting structures yet
    stats = re.findall(r'<p class="stat-value">([^<]*)</p>', content)
    assert stats == ["6", "2", "4 h 20", "3"]


def test_support_summary_restricted_to_a_period(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_summary") + "?date_from=2025-03-01&date_to=2025-06-30")

    content = response.content.decode()
    vita, tapaj = section(content, "VITA-Air"), section(content, "TAPAJ")
    assert row_of(vita, "Alpha Insertion")[:6] == ["Alpha Insertion", "2", "1", "2 h 15", "2", "02/06/2025"]
    assert row_of(vita, "Bêta Emploi")[:6] == ["Bêta Emploi", "1", "1", "20 min", "0", "01/04/2025"]
    assert row_of(vita, "Total")[1:6] == ["3", "2", "2 h 35", "2", "02/06/2025"]
    assert _others(1) in vita  # Gamma
    # Delta's requests (January, February) and visit (July) are outside the period.
    assert "Delta Chantier" not in content
    assert row_of(tapaj, "Total")[1:6] == ["0", "0", "0 min", "0", "—"]
    assert _none_of(1) in tapaj
    stats = re.findall(r'<p class="stat-value">([^<]*)</p>', content)
    assert stats == ["3", "2", "2 h 35", "2"]
    assert response.context["totals"]["structures"] == 2 and response.context["totals"]["unsupported"] == 2
    assert 'value="2025-03-01"' in content


def test_support_summary_counts_structures_without_support_per_innovation(client, manager, dataset):
    for number in range(12):
        structure(dataset.vita, f"Structure sans appel {number:02d}")
    structure(dataset.vita, "Structure retirée", withdrawn=True)
    structure(dataset.vita, "Structure candidate", candidate=True)
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_summary"))

    content = response.content.decode()
    vita = section(content, "VITA-Air")
    counts = {
        innovation.name: (innovation.structure_count, innovation.supported_count, innovation.unsupported_count)
        for innovation in response.context["innovations"]
    }
    # Gamma, the 12 new ones and the withdrawn one; never the candidates.
    assert counts == {"VITA-Air": (16, 2, 14), "TAPAJ": (1, 1, 0)}
    assert _others(14) in vita
    assert "Structure sans appel" not in content and "Structure retirée" not in content
    assert [row[0] for row in table_rows(vita)[1:-1]] == ["Alpha Insertion", "Bêta Emploi"]
    assert re.findall(r'<p class="stat-value">([^<]*)</p>', content) == ["6", "2", "4 h 20", "3"]


def test_support_summary_pages_rows_keeping_totals(client, manager, dataset, monkeypatch):
    """Rows in the innovations' order (TAPAJ: Delta; VITA-Air: Alpha, Bêta), two per page
    here; an innovation without any supported structure is shown where its rows would be."""
    from essaimage import support_views

    monkeypatch.setattr(support_views, "SUMMARY_PAGE_SIZE", 2)
    abeille = InnovationFactory(name="Abeille", stage=Stage.ESSAIMAGE)
    wagon = InnovationFactory(name="Wagon", stage=Stage.ESSAIMAGE)
    structure(abeille, "Ruche sans appel")
    structure(wagon, "Gare sans appel")
    structure(wagon, "Quai sans appel")
    client.force_login(manager)

    first = client.get(reverse("essaimage:support_summary"))
    second = client.get(reverse("essaimage:support_summary") + "?page=2")
    beyond = client.get(reverse("essaimage:support_summary") + "?page=9")

    one, two = first.content.decode(), second.content.decode()
    assert [i.name for i in first.context["innovations"]] == ["Abeille", "TAPAJ", "VITA-Air"]
    assert [i.name for i in second.context["innovations"]] == ["VITA-Air", "Wagon"]
    assert _none_of(1) in section(one, "Abeille")
    assert row_of(section(one, "TAPAJ"), "Delta Chantier")[1] == "2"
    assert [row[0] for row in table_rows(section(one, "VITA-Air"))[1:-1]] == ["Alpha Insertion"]
    assert [row[0] for row in table_rows(section(two, "VITA-Air"))[1:-1]] == ["Bêta Emploi"]
    assert _none_of(2) in section(two, "Wagon")
    # The innovation cut between pages says so, and keeps its whole totals on both.
    assert "support-rows-cut" in section(one, "VITA-Air") and "support-rows-cut" in section(two, "VITA-Air")
    assert "support-rows-cut" not in section(one, "TAPAJ")
    assert row_of(section(one, "VITA-Air"), "Total")[1:6] == row_of(section(two, "VITA-Air"), "Total")[1:6]
    for content in (one, two):
        assert re.findall(r'<p class="stat-value">([^<]*)</p>', content) == ["6", "2", "4 h 20", "3"]
    assert "?page=2" in one and "?page=1" in two
    assert beyond.context["page"].number == 2


def test_support_summary_refuses_period_ending_before_start(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_summary") + "?date_from=2025-06-01&date_to=2025-01-01")

    assert response.context["period"].errors["date_to"]
    # The period is ignored: every entry is counted.
    assert row_of(section(response.content.decode(), "VITA-Air"), "Total")[1] == "4"


def test_support_list_overview_shows_totals_and_counts_per_innovation_and_topic(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_list"))

    content = response.content.decode()
    stats = re.findall(r'<p class="stat-value">([^<]*)</p>', content)
    assert [stat.strip() for stat in stats] == ["6", "4 h 20", "67 %"]
    assert row_of(content, "VITA-Air") == ["VITA-Air", "4", "3 h 05"]
    assert row_of(content, "TAPAJ") == ["TAPAJ", "2", "1 h 15"]
    assert row_of(content, str(SupportTopic.METHOD.label)) == [str(SupportTopic.METHOD.label), "3"]
    data = json.loads(re.search(r'<script id="support-data" type="application/json">(.*?)</script>', content).group(1))
    assert data["innovations"] == {"labels": ["VITA-Air", "TAPAJ"], "values": [4, 2]}
    assert data["topics"]["values"] == [3, 1, 1, 1]
    assert len(response.context["page"].object_list) == 6


def test_support_list_filters_change_the_overview(client, manager, dataset):
    client.force_login(manager)

    unresolved = client.get(reverse("essaimage:support_list") + "?resolved=no")
    tapaj = client.get(reverse("essaimage:support_list") + f"?innovation={dataset.tapaj.pk}")
    period = client.get(reverse("essaimage:support_list") + "?date_from=2025-02-01&date_to=2025-04-30")

    assert [e.minutes_spent for e in unresolved.context["page"].object_list] == [20, 45]
    assert unresolved.context["overview"]["resolved_share"] == 0
    assert {e.structure for e in tapaj.context["page"].object_list} == {dataset.delta}
    assert tapaj.context["overview"]["minutes"] == 75
    assert [e.date for e in period.context["page"].object_list] == [
        datetime.date(2025, 4, 1),
        datetime.date(2025, 3, 3),
        datetime.date(2025, 2, 1),
    ]


def test_visit_list_filters_by_structure(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:visit_list") + f"?structure={dataset.alpha.pk}")

    assert [visit.date for visit in response.context["page"].object_list] == [day(6, 2), day(3, 10)]
