"""Hooks through which the apps above ``projects`` add their facts to its pages.

``projects`` sits below ``essaimage`` and must not import it (see docs/architecture.md),
yet an innovation's page counts its structures, trainings, hotline requests and visits.
Each of those apps registers its counter here from its ``ready()``; the innovation pages
annotate whatever is registered. (The stage gates use ``accompaniment.register_stage_check``.)
"""

from collections.abc import Callable

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

_COUNTERS: dict[str, Callable[[], object]] = {}


def count_per_innovation(model, **filters):
    """The number of ``model`` rows of the innovation (a model with an ``innovation``
    foreign key), as a subquery: no join fan-out, one query whatever the number of rows."""
    rows = (
        model.objects.filter(innovation=OuterRef("pk"), **filters)
        .order_by()
        .values("innovation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def register_innovation_counter(name: str, build: Callable[[], object]) -> None:
    """Make ``name`` an annotation of the innovation pages; ``build()`` returns the
    expression (usually ``count_per_innovation(...)``)."""
    _COUNTERS[name] = build


def counter_annotations(*names: str) -> dict:
    """The registered counters (all of them, or those named) as ``annotate()`` keywords."""
    wanted = names or tuple(_COUNTERS)
    return {name: _COUNTERS[name]() for name in wanted if name in _COUNTERS}
