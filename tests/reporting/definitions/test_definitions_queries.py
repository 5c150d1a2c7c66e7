"""Each figure of ``reporting.definitions`` in a constant number of queries, on programmes of
1 and 10 innovations made for each test (apart from the history of test_definitions.py,
made once for that module)."""

import datetime

import pytest

from reporting import definitions
from tests.ais.factories import OrganisationFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.history.builder import END_2017
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


# Query budgets ------------------------------------------------------------------------


def _programme(n):
    """``n`` innovations, each with a structure started in 2017."""
    for index in range(n):
        innovation = InnovationFactory(name=f"Innovation {index}", selected_on=D(2016, 1, 1), spreading_model="other")
        SpreadStructureFactory(
            innovation=innovation,
            organisation=OrganisationFactory(name=f"Structure {index}"),
            start_date=D(2017, 1, 1),
            selected_on=D(2016, 6, 1),
        )


CASES = [
    (definitions.innovations_selected, 1),
    (definitions.innovations_accompanied_to_spreading, 1),
    (definitions.innovations_in_progress, 1),
    (definitions.stages, 2),
    (definitions.structures_spread, 1),
    (definitions.structures_active, 1),
    (definitions.structures_selected_not_started, 1),
    (definitions.territories, 2),
    (definitions.structure_figures, 1),
    (definitions.people_reached, 1),
    (definitions.long_term_unemployed_reached, 1),
    (definitions.exits_to_employment, 1),
    (definitions.spreading_methods, 1),
    (definitions.structure_applications, 1),
    (definitions.structure_counts_by_innovation, 1),
    (definitions.innovation_counts, 1),
    (definitions.structure_counts, 1),
    (definitions.innovation_stages, 2),
    (definitions.structure_places, 1),
]


@pytest.mark.parametrize("n", [1, 10])
@pytest.mark.parametrize(("function", "queries"), CASES, ids=[f.__name__ for f, _q in CASES])
def test_each_definition_takes_a_constant_number_of_queries(db, django_assert_num_queries, function, queries, n):
    _programme(n)

    with django_assert_num_queries(queries):
        function(END_2017)


@pytest.mark.parametrize("n", [1, 10])
def test_key_figures_take_a_constant_number_of_queries(db, django_assert_num_queries, n):
    _programme(n)

    with django_assert_num_queries(7):
        figures = definitions.key_figures(END_2017)

    assert figures["structures_spread"] == n
