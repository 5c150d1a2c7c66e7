"""A hand-built programme for the map and dashboard tests.

Three departments in three regions (Seine-Maritime, Rhône, Haute-Garonne), two
published innovations and an unpublished one, structures in every status:

| structure                      | innovation          | dept | status     | year                  |
| ------------------------------ | ------------------- | ---- | ---------- | --------------------- |
| Régie de quartier Rouen Nord   | Parcours Gardien    | 76   | spreading  | 2024 (start)          |
| ACI Le Havre Océane            | Parcours Gardien    | 76   | training   | 2025 (selected, no start) |
| Association Lyon Solidaire     | Parcours Gardien    | 69   | selected   | 2025 (start)          |
| CAARUD La Case Toulouse        | TAPAJ               | 31   | spreading  | 2024 (start)          |
| Mission locale Lyon Sud        | TAPAJ               | 69   | withdrawn  | 2024 (not counted)    |
| Maison de l'emploi Rouen       | TAPAJ               | 76   | candidate  | – (not counted)       |
| Chantier Toulouse Confidentiel | Projet confidentiel | 31   | spreading  | 2024 (managers only)  |
"""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings

from essaimage.models import StructureStatus
from projects.models import Stage
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory, RegionFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory


def commune(code, name, department_code, department_name, region_code, region_name):
    region = RegionFactory(code=region_code, name=region_name)
    department = DepartmentFactory(code=department_code, name=department_name, region=region)
    return CommuneFactory(code=code, name=name, department=department, postal_codes="")


def rouen():
    return commune("76540", "Rouen", "76", "Seine-Maritime", "28", "Normandie")


def le_havre():
    return commune("76351", "Le Havre", "76", "Seine-Maritime", "28", "Normandie")


def lyon():
    return commune("69123", "Lyon", "69", "Rhône", "84", "Auvergne-Rhône-Alpes")


def toulouse():
    return commune("31555", "Toulouse", "31", "Haute-Garonne", "76", "Occitanie")


def structure(innovation, name, town, status, *, start=None, selected=None, **kwargs):
    organisation = OrganisationFactory(name=name, commune=town)
    extra = {}
    if status == StructureStatus.WITHDRAWN:
        extra = {"withdrawn_on": datetime.date(2025, 6, 30), "withdrawal_reason": "Départ de la référente"}
    return SpreadStructureFactory(
        innovation=innovation,
        organisation=organisation,
        status=status,
        start_date=start,
        selected_on=selected,
        **extra,
        **kwargs,
    )


STRUCTURE_NAMES = [
    "Régie de quartier Rouen Nord",
    "ACI Le Havre Océane",
    "Association Lyon Solidaire",
    "CAARUD La Case Toulouse",
    "Mission locale Lyon Sud",
    "Maison de l'emploi Rouen",
    "Chantier Toulouse Confidentiel",
]


@pytest.fixture
def programme(db):
    gardien = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE, origin_commune=rouen())
    tapaj = InnovationFactory(name="TAPAJ", stage=Stage.ESSAIMAGE, origin_commune=toulouse())
    hidden = InnovationFactory(name="Projet confidentiel", stage=Stage.ESSAIMAGE, unpublished=True)
    S = StructureStatus
    structure(gardien, STRUCTURE_NAMES[0], rouen(), S.SPREADING, start=datetime.date(2024, 3, 1))
    structure(gardien, STRUCTURE_NAMES[1], le_havre(), S.TRAINING, selected=datetime.date(2025, 2, 1))
    structure(gardien, STRUCTURE_NAMES[2], lyon(), S.SELECTED, start=datetime.date(2025, 9, 1))
    structure(tapaj, STRUCTURE_NAMES[3], toulouse(), S.SPREADING, start=datetime.date(2024, 6, 1))
    structure(tapaj, STRUCTURE_NAMES[4], lyon(), S.WITHDRAWN, start=datetime.date(2024, 1, 15))
    structure(tapaj, STRUCTURE_NAMES[5], rouen(), S.CANDIDATE)
    structure(hidden, STRUCTURE_NAMES[6], toulouse(), S.SPREADING, start=datetime.date(2024, 9, 1))
    return SimpleNamespace(gardien=gardien, tapaj=tapaj, hidden=hidden)


@pytest.fixture
def english(client):
    """The client's pages in English (the language switch's cookie): the labels
    added with the maps are asserted as their msgids, whatever the French catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
