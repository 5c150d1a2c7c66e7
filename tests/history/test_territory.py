"""A structure's dated territory: a move records from when the structure is elsewhere;
before it (or without any), the territory is its organisation's commune."""

import datetime
import html

import pytest
from django.urls import reverse

from essaimage import geo
from essaimage.models import SpreadStructure, StructureLocation
from essaimage.services import SpreadingError, move_structure
from tests.ais.factories import OrganisationFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.history.builder import TODAY, communes

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def places(today):
    return communes()


@pytest.fixture
def structure(places):
    organisation = OrganisationFactory(name="Mission Toulouse", commune=places.toulouse)
    return SpreadStructureFactory(organisation=organisation, start_date=D(2017, 6, 15))


def _departments(on) -> dict:
    annotated = geo.with_territory(SpreadStructure.objects.all(), on)
    return dict(annotated.values_list("pk", "territory_department"))


def test_territory_is_the_organisations_commune_without_a_move(structure):
    assert geo.territory_at(structure, TODAY).name == "Toulouse"
    assert _departments(TODAY) == {structure.pk: "31"}


def test_territory_follows_the_moves_by_their_dates(structure, places, manager):
    move_structure(structure, commune=places.lyon, on=D(2019, 4, 1), by=manager)
    move_structure(structure, commune=places.nimes, on=D(2022, 1, 10), by=manager)

    assert [geo.territory_at(structure, on).name for on in (D(2019, 3, 31), D(2019, 4, 1), D(2022, 1, 10))] == [
        "Toulouse",
        "Lyon",
        "Nîmes",
    ]
    assert _departments(D(2018, 12, 31)) == {structure.pk: "31"}
    assert _departments(D(2020, 12, 31)) == {structure.pk: "69"}
    assert _departments(TODAY) == {structure.pk: "30"}
    structure.organisation.refresh_from_db()
    assert structure.organisation.commune == places.toulouse  # the organisation's own address is left as it is


def test_move_is_recorded_with_who_and_the_audit(structure, places, manager):
    location = move_structure(structure, commune=places.lyon, on=D(2019, 4, 1), by=manager)

    assert (location.recorded_by, location.valid_from, location.recorded_at.date()) == (manager, D(2019, 4, 1), TODAY)
    assert location.history.first().history_user == manager


def test_a_second_move_on_the_same_date_corrects_the_first(structure, places, manager):
    move_structure(structure, commune=places.lyon, on=D(2019, 4, 1), by=manager)
    move_structure(structure, commune=places.nimes, on=D(2019, 4, 1), by=manager)

    assert list(StructureLocation.objects.values_list("commune__name", flat=True)) == ["Nîmes"]


@pytest.mark.parametrize(
    ("commune", "on", "message"),
    [
        ("lyon", TODAY + datetime.timedelta(days=1), "La date du déménagement ne peut pas être dans le futur."),
        ("lyon", None, "Indiquez la date du déménagement."),
        (None, D(2019, 4, 1), "Choisissez la commune"),
        ("toulouse", D(2019, 4, 1), "La structure est déjà à Toulouse à cette date."),
    ],
)
def test_move_rules(structure, places, manager, commune, on, message):
    with pytest.raises(SpreadingError, match=message):
        move_structure(structure, commune=getattr(places, commune) if commune else None, on=on, by=manager)
    assert not StructureLocation.objects.exists()


def test_manager_records_a_move_from_the_structure_page(client, structure, places, manager):
    client.force_login(manager)
    url = reverse("essaimage:structure_move", kwargs={"pk": structure.pk})

    refused = client.post(url, {"commune": places.lyon.pk, "moved_on": "2027-01-05"})
    recorded = client.post(url, {"commune": places.lyon.pk, "moved_on": "2019-04-01"})

    assert refused.status_code == 400
    assert "La date du déménagement ne peut pas être dans le futur." in html.unescape(refused.content.decode())
    assert recorded.status_code == 302
    page = html.unescape(
        client.get(reverse("essaimage:structure_detail", kwargs={"pk": structure.pk})).content.decode()
    )
    assert "À partir du 1er avril 2019 : Lyon (Rhône)" in page
    assert "Auparavant : Toulouse, commune de l'organisation" in page
