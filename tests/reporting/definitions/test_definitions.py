"""The figures of ``reporting.definitions`` on the small history of
``tests/history/builder.py``: at the end of 2017, since the start, and other dates,
each asserted by value (each figure's number of queries: test_definitions_queries.py)."""

import datetime

import pytest

from reporting import definitions
from tests.history.builder import (
    DEPARTMENTS_2017,
    DEPARTMENTS_SINCE_START,
    END_2017,
    EXPECTED_2017,
    EXPECTED_SINCE_START,
    TODAY,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def _figures(on) -> dict:
    figures = definitions.key_figures(on)
    return {key: figures[key] for key in EXPECTED_2017}


def _departments(on):
    return [(d.code, d.name, d.structures) for d in definitions.territories(on).departments]


def test_figures_at_the_end_of_2017(history):
    assert _figures(END_2017) == EXPECTED_2017
    assert _departments(END_2017) == DEPARTMENTS_2017
    assert definitions.territories(END_2017).regions == [("28", "Normandie"), ("76", "Occitanie")]
    assert definitions.spreading_methods(END_2017) == [
        ("Formation-action (6 à 9 mois)", 1),
        ("Essaimage intensif territorialisé", 1),
    ]


def test_figures_since_the_start(history):
    assert _figures(TODAY) == EXPECTED_SINCE_START
    for code, value in {**definitions.innovation_counts(TODAY), **definitions.structure_counts(TODAY)}.items():
        assert getattr(definitions, code)(TODAY) == value == EXPECTED_SINCE_START[code], code
    assert _departments(TODAY) == DEPARTMENTS_SINCE_START


def test_report_date_is_the_end_of_the_year_or_today():
    assert definitions.report_date(2017, today=TODAY) == END_2017
    assert definitions.report_date(2026, today=TODAY) == TODAY
    assert definitions.report_date(None, today=TODAY) == TODAY


def test_a_withdrawn_structure_keeps_its_place_and_its_people(history):
    """A2 withdrew on 31 May 2018: still spread to (not active) and its 20 people count."""
    june_2018 = D(2018, 6, 30)

    assert definitions.structures_spread(june_2018) == 5
    assert definitions.structures_active(june_2018) == 4
    assert definitions.structure_figures(june_2018)[history.a2.pk]["people_accompanied"] == 20
    assert "30" in {d.code for d in definitions.territories(june_2018).departments}
    assert "30" not in {d.code for d in definitions.territories(june_2018, active=True).departments}


def test_a_move_changes_the_territory_from_its_date_only(history):
    """B1 moved from Toulouse to Lyon on 1 April 2019."""
    assert _departments(D(2019, 3, 31)) == [
        ("30", "Gard", 1),
        ("31", "Haute-Garonne", 1),
        ("69", "Rhône", 1),
        ("76", "Seine-Maritime", 2),
    ]
    assert _departments(D(2019, 4, 1)) == [("30", "Gard", 1), ("69", "Rhône", 2), ("76", "Seine-Maritime", 2)]


def test_stages_on_a_date(history):
    end_2017 = definitions.stages(END_2017)
    today = definitions.stages(TODAY)

    # Alpha in stage III, Bêta in stage III since September 2017, Gamma closed.
    assert end_2017 == {"stages": {1: 0, 2: 0, 3: 2, 4: 0}, "closed": 1}
    assert today == {"stages": {1: 1, 2: 0, 3: 1, 4: 1}, "closed": 1}


def test_figures_before_the_programme_are_zero(history):
    on = D(2014, 12, 31)

    assert _figures(on) == {key: (None if "reached" in key or key.startswith("exits") else 0) for key in EXPECTED_2017}


def test_an_organisation_spreading_two_innovations_counts_twice(history):
    """The Régie de quartier de Rouen spreads Alpha (A1) and Bêta (B2)."""
    assert history.a1.organisation_id == history.b2.organisation_id
    seine_maritime = next(d for d in definitions.territories(END_2017).departments if d.code == "76")

    assert seine_maritime.structures == 2


def test_every_definition_is_documented():
    """docs/indicators.md names the function applying each figure, and each function's
    docstring starts with the figure's French label."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "indicators.md").read_text()
    for definition in definitions.DEFINITIONS:
        name = definition.function.__name__
        assert f"`{name}(" in docs, name
        assert definition.function.__doc__.startswith("« "), name
