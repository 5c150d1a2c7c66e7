"""Where the innovations have spread: active structures counted per department.

The managers' map (``managers_figures``) and the public map (``public_figures``)
count what the programme publishes: the structures active on a date (started, not
withdrawn) in their territory on that date, the rules of ``reporting.definitions``
(« Structures en activité », « Départements atteints »). The managers' map describes
today, or 31 December of the year chosen (today for the current year), as the
yearly report and the programme dashboard of that year.

The *year* of a structure (``spreading_year``, the years offered by the map's filter)
is the year it started spreading (``start_date``) or, while it has no start date
yet, the year it was selected (``selected_on``).

Each counting function issues one query, whatever the number of structures.

A structure's *territory at a date* D is the commune of its latest
``StructureLocation`` from on or before D, else its organisation's commune
(``territory_at``, and ``with_territory`` for a queryset): the programme's figures
at a date use it (``reporting.definitions``).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from ais.core.figures_cache import cached
from ais.territories.models import Commune, Department, Region

from .models import ACTIVE_STATUSES, SpreadStructure, StructureLocation

DEPARTMENT = "organisation__commune__department"


def active_structures() -> QuerySet:
    """Structures counted in the programme's figures and on the map."""
    return SpreadStructure.objects.filter(status__in=ACTIVE_STATUSES)


def with_territory(structures: QuerySet, on, *, prefix: str = "", names: bool = False) -> QuerySet:
    """``structures`` annotated with their territory at ``on``: ``territory_commune``,
    ``territory_department`` and ``territory_region`` (INSEE codes, None when the
    organisation has no commune), and with ``names``, ``territory_commune_name``,
    ``territory_department_name`` and ``territory_region_name``. ``prefix`` is the path from the queryset's model to
    the structure (``"structure__"`` for a queryset of answers, say). No extra query:
    subqueries of the same query."""
    locations = StructureLocation.objects.filter(structure=OuterRef(f"{prefix}pk"), valid_from__lte=on).order_by(
        "-valid_from"
    )

    def territory(path: str, fallback: str):
        return Case(
            When(Exists(locations), then=Subquery(locations.values(path)[:1])),
            default=F(f"{prefix}organisation__commune{fallback}"),
            output_field=CharField(),
        )

    structures = structures.annotate(
        territory_commune=territory("commune_id", "_id"),
        territory_department=territory("commune__department_id", "__department_id"),
        territory_region=territory("commune__department__region_id", "__department__region_id"),
    )
    if names:
        structures = structures.annotate(
            territory_commune_name=Subquery(
                Commune.objects.filter(code=OuterRef("territory_commune")).values("name")[:1]
            ),
            territory_department_name=Subquery(
                Department.objects.filter(code=OuterRef("territory_department")).values("name")[:1]
            ),
            territory_region_name=Subquery(Region.objects.filter(code=OuterRef("territory_region")).values("name")[:1]),
        )
    return structures


def territory_at(structure: SpreadStructure, on) -> Commune | None:
    """The structure's commune at ``on``: its latest location from on or before that
    date, else its organisation's commune (one query)."""
    location = (
        StructureLocation.objects.filter(structure=structure, valid_from__lte=on)
        .select_related("commune__department__region")
        .order_by("-valid_from")
        .first()
    )
    if location is not None:
        return location.commune
    communes = Commune.objects.select_related("department__region")
    return communes.filter(organisations__pk=structure.organisation_id).first()


def spreading_year():
    """The year of a structure: of its start date, else of its selection."""
    return ExtractYear(Coalesce("start_date", "selected_on"))


def filter_structures(structures: QuerySet, *, innovation=None, year: int | None = None) -> QuerySet:
    """``structures`` of one innovation and/or one year (see the module's docstring)."""
    if innovation is not None:
        structures = structures.filter(innovation=innovation)
    if year is not None:
        structures = structures.annotate(spreading_year=spreading_year()).filter(spreading_year=year)
    return structures


@dataclass
class DepartmentFigures:
    code: str
    name: str
    region: str
    count: int = 0
    innovations: list[str] = field(default_factory=list)

    def as_json(self, *, innovations: bool = True) -> dict:
        data = {"name": self.name, "region": self.region, "count": self.count}
        if innovations:
            data["innovations"] = self.innovations
        return data


@dataclass
class MapFigures:
    """Active structures per department, and the totals shown beside the map."""

    departments: list[DepartmentFigures]
    structures: int  # every structure counted, located or not
    unlocated: int  # structures whose organisation has no commune
    regions: int
    innovations: int

    @property
    def department_count(self) -> int:
        return len(self.departments)

    @property
    def max_count(self) -> int:
        return max((d.count for d in self.departments), default=0)

    def as_json(self, *, innovations: bool = True) -> dict:
        """``{"departments": {code: {name, region, count[, innovations]}}, "totals": {...}}``."""
        return {
            "departments": {d.code: d.as_json(innovations=innovations) for d in self.departments},
            "totals": {
                "structures": self.structures,
                "departments": self.department_count,
                "regions": self.regions,
                "innovations": self.innovations,
                "unlocated": self.unlocated,
            },
        }


def structures_by_department(structures: QuerySet, *, on=None) -> MapFigures:
    """Count ``structures`` per department (one query): of their organisation's commune,
    or, with ``on``, of their territory on that date (``with_territory``).

    ``structures`` is a queryset of ``SpreadStructure``, usually ``active_structures()``
    narrowed by ``filter_structures``."""
    if on is None:
        keys = (
            f"{DEPARTMENT}__code",
            f"{DEPARTMENT}__name",
            f"{DEPARTMENT}__region__code",
            f"{DEPARTMENT}__region__name",
        )
    else:
        structures = with_territory(structures, on, names=True)
        keys = ("territory_department", "territory_department_name", "territory_region", "territory_region_name")
    code_key, name_key, region_key, region_name_key = keys
    rows = structures.order_by().values(*keys, "innovation__name").annotate(n=Count("pk"))
    departments: dict[str, DepartmentFigures] = {}
    regions, innovations = set(), set()
    total = unlocated = 0
    for row in rows:
        total += row["n"]
        innovations.add(row["innovation__name"])
        code = row[code_key]
        if code is None:
            unlocated += row["n"]
            continue
        if row[region_key]:
            regions.add(row[region_key])
        department = departments.setdefault(code, DepartmentFigures(code, row[name_key], row[region_name_key] or ""))
        department.count += row["n"]
        department.innovations.append(row["innovation__name"])
    for department in departments.values():
        department.innovations.sort()
    return MapFigures(
        departments=sorted(departments.values(), key=lambda d: d.code),
        structures=total,
        unlocated=unlocated,
        regions=len(regions),
        innovations=len(innovations),
    )


def figures_on(year: int | None = None, *, today=None):
    """The date the managers' map describes: 31 December of ``year`` (today for the
    current year), or today without a year (as ``reporting.definitions.report_date``)."""
    today = today or timezone.localdate()
    return today if year is None else min(date(year, 12, 31), today)


def managers_figures(innovation=None, *, year: int | None = None) -> MapFigures:
    """The managers' map: the structures active on the date it describes
    (``figures_on(year)``) per department of their territory on that date, of every
    innovation or of one — the rules of ``reporting.definitions.structures_active`` and
    ``territories`` (one query)."""
    on = figures_on(year)
    structures = SpreadStructure.objects.active_on(on)
    return structures_by_department(filter_structures(structures, innovation=innovation), on=on)


def public_figures(innovation=None, *, on=None) -> MapFigures:
    """The structures active on ``on`` (today by default) per department of their
    territory on that date, of the published innovations or of one published
    innovation: the rules of ``reporting.definitions.structures_active`` and
    ``territories`` (one query, or none when cached: ``ais.core.figures_cache``).
    Carries no structure's name."""
    on = on or timezone.localdate()

    def compute():
        structures = SpreadStructure.objects.active_on(on).filter(innovation__is_published=True)
        return structures_by_department(filter_structures(structures, innovation=innovation), on=on)

    return cached(f"public-map:{innovation.pk if innovation else 'all'}:{on.isoformat()}", compute)


def structure_years(structures: QuerySet) -> list[int]:
    """The years that have structures, newest first (one query)."""
    years = (
        structures.annotate(spreading_year=spreading_year())
        .filter(spreading_year__isnull=False)
        .order_by("-spreading_year")
        .values_list("spreading_year", flat=True)
        .distinct()
    )
    return list(years)


def structures_per_year(structures: QuerySet) -> list[tuple[int | None, int]]:
    """``[(year, count)]`` in chronological order, ``None`` last for structures with no year (one query)."""
    rows = (
        structures.annotate(spreading_year=spreading_year()).order_by().values("spreading_year").annotate(n=Count("pk"))
    )
    counts = {row["spreading_year"]: row["n"] for row in rows}
    return sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0))
