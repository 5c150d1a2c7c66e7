"""The demo states only true facts about the programme's real innovations.

The expected values are pinned here, each as the programme's public documents give it (the
sources are cited beside each value in ``devtools/programme_facts.py`` and quoted in
``docs/programme-sources.md``); ``None`` where the documents are silent, so the demo says
nothing. They are checked in the database that ``manage.py demo_data`` builds.
"""

import datetime
import html
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ais.accounts.models import Organisation
from devtools import programme_facts
from devtools.demo import DEMO_USERS
from essaimage.models import SpreadStructure, StructureCall, Training
from events.models import Registration, Resource, Session
from projects.models import GovernanceMember, Innovation, StagePlan, StageTransition

pytestmark = pytest.mark.usefixtures("territories")

UNNAMED = "Porteur non renseigné – {}"

# name: (carrier, carrier's town, carrier's network, home town, department, year started, year selected, stage,
#        spreading model)
FACTS = {
    "Territoire Zéro Chômeur": (
        UNNAMED.format("Territoire Zéro Chômeur"),
        None,
        None,
        None,
        None,
        None,
        None,
        1,
        "",
    ),
    "VITA-Air": ("AirServices", None, None, None, "Cher", None, None, 4, "formation_action"),
    "Parcours Gardien": (
        "Unis vers l'Emploi",
        "Villeurbanne",
        None,
        "Villeurbanne",
        "Rhône",
        None,
        None,
        3,
        "intensive",
    ),
    "TAPAJ": ("CEID", None, None, None, None, None, None, 3, "pilot_tooling"),
    "Soleni": ("Ulisse", "Grenoble", None, "Grenoble", "Isère", None, None, 3, ""),
    "Lieu Ressources Emploi-Formation": (
        UNNAMED.format("Lieu Ressources Emploi-Formation"),
        None,
        None,
        None,
        None,
        None,
        None,
        1,
        "",
    ),
    "Rallye pour l'emploi": ("CREPI Touraine", None, "CREPI", None, None, 2005, 2017, 3, "other"),
    "Jeun_ESS_Créative": (UNNAMED.format("Jeun_ESS_Créative"), None, None, None, None, None, None, 1, ""),
    "A.CO.R": (UNNAMED.format("A.CO.R"), None, None, None, None, None, None, 1, ""),
    "Chantier multiservices en gare": (
        UNNAMED.format("Chantier multiservices en gare"),
        None,
        None,
        None,
        None,
        None,
        None,
        1,
        "",
    ),
}
# Networks the documents tie to an innovation's spreading without saying the carrier belongs to them.
SPREADING_NETWORKS = {
    "VITA-Air": ["COORACE"],
    "Parcours Gardien": ["FNARS", "COORACE", "CNLRQ", "USH"],
    "Rallye pour l'emploi": ["CREPI"],
}
# Who funded the programme; the programme's operator and its address.
FUNDERS = {
    "DGEFP – ministère du Travail",
    "CGET",
    "ANCT",
    "FPSPP – Fonds paritaire de sécurisation des parcours professionnels",
    "AG2R La Mondiale",
    "Pro BTP",
}


@pytest.fixture
def demo(db):
    call_command("demo_data", stdout=StringIO())


def _fictional(name: str) -> bool:
    return "démonstration" in name


def test_facts_table_holds_the_pinned_values():
    table = {fact.name: fact for fact in programme_facts.INNOVATIONS}
    carriers = {organisation.name: organisation for organisation in programme_facts.CARRIERS}

    assert set(table) == set(FACTS)
    for name, (carrier, _town, network, _home, _dept, started, selected, stage, model) in FACTS.items():
        fact = table[name]
        assert (fact.carrier, carriers[fact.carrier].network) == (carrier, network), name
        assert (fact.year_started, fact.year_selected, fact.stage, fact.spreading_model) == (
            started,
            selected,
            stage,
            model,
        ), name
    assert {funder.name for funder in programme_facts.FUNDERS} == FUNDERS


@pytest.mark.parametrize("name", list(FACTS))
def test_demo_states_the_documented_facts_of_each_real_innovation(demo, name):
    carrier, carrier_town, network, home, department, started, selected, stage, model = FACTS[name]

    innovation = Innovation.objects.select_related(
        "carrier__commune", "carrier__network", "origin_commune__department"
    ).get(name=name)

    assert innovation.carrier.name == carrier
    assert (innovation.carrier.commune.name if innovation.carrier.commune else None) == carrier_town
    assert (innovation.carrier.network.name if innovation.carrier.network else None) == network
    assert (innovation.origin_commune.name if innovation.origin_commune else None) == home
    if innovation.origin_commune:
        assert innovation.origin_commune.department.name == department
    elif department:
        assert f"département du {department}" in innovation.description
    assert innovation.year_started == started
    assert innovation.year_selected == selected
    assert innovation.selected_on is None  # no document gives a day
    assert innovation.stage == stage
    assert innovation.spreading_model == model
    for network_name in SPREADING_NETWORKS.get(name, []):
        assert network_name in innovation.description
    assert innovation.is_published


def test_demo_gives_the_real_innovations_no_invented_activity(demo):
    real = Innovation.objects.filter(name__in=FACTS)

    assert real.count() == len(FACTS)
    assert not SpreadStructure.objects.filter(innovation__in=real).exists()
    assert not StagePlan.objects.filter(innovation__in=real).exists()
    assert not StageTransition.objects.filter(innovation__in=real).exists()
    assert not StructureCall.objects.filter(innovation__in=real).exists()
    assert not Training.objects.filter(innovation__in=real).exists()
    assert not GovernanceMember.objects.filter(innovation__in=real).exists()
    assert not Session.objects.filter(innovations__in=real).exists()
    assert not real.exclude(lead_manager=None).exists()


def test_every_other_innovation_and_organisation_of_the_demo_is_clearly_fictional(demo):
    real_names = programme_facts.REAL_ORGANISATION_NAMES

    others = Innovation.objects.exclude(name__in=FACTS).values_list("name", flat=True)
    assert len(others) == 8
    assert all(_fictional(name) for name in others), list(others)
    organisations = Organisation.objects.values_list("name", flat=True)
    assert [name for name in organisations if name not in real_names and not _fictional(name)] == []
    assert set(organisations) >= FUNDERS
    ansa = Organisation.objects.select_related("commune").get(name="Ansa")
    assert (ansa.commune.name, ansa.address) == ("Paris", "28, rue du Sentier, 75002 Paris")


def test_demo_people_work_for_fictional_organisations_or_ansa(demo):
    """The demo's people are invented: none is put on the staff of a real partner."""
    assert {org for *_person, org in DEMO_USERS} - {"Ansa"} == {org for *_person, org in DEMO_USERS if _fictional(org)}
    registrations = set(Registration.objects.values_list("organisation", flat=True))
    assert registrations and all(_fictional(name) for name in registrations), registrations
    governance = set(GovernanceMember.objects.values_list("organisation_name", flat=True))
    carriers = set(Innovation.objects.exclude(name__in=FACTS).values_list("carrier__name", flat=True))
    assert all(_fictional(name) for name in governance - carriers), governance
    for speakers in Session.objects.exclude(speakers="").values_list("speakers", flat=True):
        for line in speakers.splitlines():
            assert line.startswith("Directrice générale, Ansa") or _fictional(line), line


def test_real_innovation_page_shows_its_facts_and_no_invented_ones(client, demo):
    page = html.unescape(client.get(reverse("portal:innovation_public", args=["parcours-gardien"])).content.decode())

    assert "Unis vers l'Emploi" in page
    assert "Villeurbanne (Rhône)" in page
    assert "Étape III – Essaimage" in page
    # It spread (15 SIAE trained), but its structures are not recorded here: the page does not say otherwise.
    assert "Aucune structure qui a adopté cette innovation n'est enregistrée sur la plateforme." in page
    assert "n'a pas encore commencé" not in page


def test_programme_publications_in_the_library_are_described_as_the_documents_say(demo):
    review = Resource.objects.get(slug="revue-systematique-chomage-longue-duree")
    guide = Resource.objects.get(slug="guide-essaimage")

    assert review.published_at.date() == datetime.date(2016, 12, 7)  # presented at the 2016 restitution day
    assert "131 articles identifiés, 25 retenus" in review.body
    assert "École d'économie de Paris" in review.summary
    assert guide.title == "L'essaimage à l'épreuve du terrain"
    assert guide.published_at is None  # its date is not given: a draft, no invented month
    assert not review.innovations.exists() and not guide.innovations.exists()
    others = Resource.objects.exclude(pk__in=[review.pk, guide.pk]).values_list("title", flat=True)
    assert all(_fictional(title) for title in others), list(others)
