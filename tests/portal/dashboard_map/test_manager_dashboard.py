"""The manager's dashboard: key figures, what is late, the stage board's links and
badges, the small map and the chart; and the query budgets of the dashboard and of
the map data, constant with 1 and with 20 structures."""

import datetime
import html
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Stage, StageTransition
from tests.ais.factories import OrganisationFactory
from tests.conftest import MANY, make_user
from tests.essaimage.factories import (
    AttendanceFactory,
    SpreadStructureFactory,
    SupportRequestFactory,
    TrainingDayFactory,
    TrainingFactory,
    TrainingParticipantFactory,
)
from tests.portal.dashboard_map.conftest import commune, lyon, rouen, toulouse
from tests.projects.factories import InnovationFactory, StagePlanFactory


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _manager_section(client) -> str:
    client.force_login(make_user(Role.MANAGER))
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return re.search(r'<section[^>]*aria-labelledby="section-manager">(.*?)</section>', page, re.S).group(1)


def _figures(section: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">(\d+)', section))


def _late(section: str, kind: str) -> list[str]:
    block = section.split(f'data-late="{kind}">', 1)[1].split("</ul>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


@pytest.fixture
def followed(db):
    """Three innovations, structures on time and late, trainings, attendance and hotline."""
    late_end = InnovationFactory(name="Soleni", stage=Stage.MOBILISATION, selected_on=_days(-400))
    StagePlanFactory(innovation=late_end, stage=Stage.MOBILISATION, planned_end=_days(-10))
    late_start = InnovationFactory(name="Rallye pour l'emploi", stage=Stage.FEASIBILITY, selected_on=_days(-100))
    StagePlanFactory(innovation=late_start, stage=Stage.MOBILISATION, planned_start=_days(-5))
    on_time = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE, selected_on=_days(-800))
    StagePlanFactory(innovation=on_time, stage=Stage.ESSAIMAGE, planned_end=_days(200))
    StageTransition.objects.create(
        innovation=on_time, from_stage=Stage.MOBILISATION, to_stage=Stage.ESSAIMAGE, effective_on=_days(-300)
    )

    def structure(name, town, **kwargs):
        return SpreadStructureFactory(
            innovation=on_time, organisation=OrganisationFactory(name=name, commune=town), **kwargs
        )

    structure("ACI Rouen en retard", rouen(), status=StructureStatus.SELECTED, selected_on=_days(-100))
    structure("Régie Lyon récente", lyon(), status=StructureStatus.SELECTED, selected_on=_days(-30))
    unsigned = structure("CAARUD Toulouse sans convention", toulouse(), start_date=_days(-60))
    signed = structure("Régie Rouen conventionnée", rouen(), signed=True, start_date=_days(-60))
    structure("Association Lyon retirée", lyon(), withdrawn=True, selected_on=_days(-200))
    structure("Mission locale candidate", rouen(), candidate=True, selected_on=_days(-200))

    held = TrainingFactory(innovation=on_time, title="Formation-action vague 1")
    past_day = TrainingDayFactory(training=held, date=_days(-20))
    other_past_day = TrainingDayFactory(training=held, date=_days(-10))
    TrainingDayFactory(training=held, date=_days(20))
    planned = TrainingFactory(innovation=on_time, title="Formation-action vague 2")
    TrainingDayFactory(training=planned, date=_days(30))
    twice = TrainingParticipantFactory(training=held, structure=signed, full_name="Morgane Leroy")
    AttendanceFactory(participant=twice, day=past_day, present=True)
    AttendanceFactory(participant=twice, day=other_past_day, present=True)
    once = TrainingParticipantFactory(training=held, structure=unsigned, full_name="Karim Benali")
    AttendanceFactory(participant=once, day=past_day, present=False)
    AttendanceFactory(participant=once, day=other_past_day, present=True)
    absent = TrainingParticipantFactory(training=held, structure=signed, full_name="Lucie Martin")
    AttendanceFactory(participant=absent, day=past_day, present=False)
    TrainingParticipantFactory(training=planned, structure=signed, full_name="Paul Durand")

    this_year = timezone.localdate().year
    SupportRequestFactory(structure=signed, date=datetime.date(this_year, 1, 1))
    SupportRequestFactory(structure=unsigned, date=datetime.date(this_year, 1, 2))
    SupportRequestFactory(structure=unsigned, date=datetime.date(this_year - 1, 12, 31))
    return on_time


def test_manager_dashboard_key_figures(followed, client):
    figures = _figures(_manager_section(client))

    # The first four follow reporting.definitions on today (tests/history checks them
    # against the definitions on a dated history).
    assert figures == {
        "innovations": "3",  # « Innovations en cours d'accompagnement »
        "spreading": "1",  # « Innovations accompagnées jusqu'à l'essaimage »: Gardien's move into stage III
        "structures": "2",  # « Structures en activité »: the two started; the selected ones have not started
        "territories": "2",  # their departments, Toulouse and Rouen (then regions: 2)
        "trainings": "1",  # the one with days in the past
        "trained": "2",  # present at least once; not the absent one nor the one of a future training
        "hotline": "2",  # this year's
        "late": "4",  # two stage plans, one structure not started, one without agreement
    }


def test_manager_dashboard_lists_what_is_late(followed, english):
    section = _manager_section(english)

    assert _late(section, "plans") == [
        f"Soleni Stage II – Stakeholder mobilisation · should have ended on {_days(-10):%m/%d/%Y}",
        f"Rallye pour l'emploi Stage II – Stakeholder mobilisation · should have started on {_days(-5):%m/%d/%Y}",
    ]
    assert _late(section, "start") == [
        f"ACI Rouen en retard · Parcours Gardien selected on {_days(-100):%m/%d/%Y}",
    ]
    assert _late(section, "unsigned") == [
        f"CAARUD Toulouse sans convention · Parcours Gardien spreading since {_days(-60):%m/%d/%Y}",
    ]
    late = SpreadStructure.objects.get(organisation__name="ACI Rouen en retard")
    assert f'href="{reverse("essaimage:structure_detail", args=[late.pk])}">ACI Rouen en retard</a>' in section


def test_manager_dashboard_with_nothing_late_says_so(db, english):
    InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)

    section = _manager_section(english)

    assert "Nothing is late" in section
    assert 'data-late="' not in section


def test_manager_dashboard_late_list_counts_what_it_does_not_show(db, english):
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    for _ in range(7):
        SpreadStructureFactory(innovation=innovation, status=StructureStatus.SPREADING)

    section = _manager_section(english)

    assert len(_late(section, "unsigned")) == 6  # five structures and "and 2 more structures"
    assert "and 2 more structures" in section


def test_manager_board_cards_link_to_the_innovation_and_show_late_badges(followed, english):
    section = _manager_section(english)

    board = section.split('<div class="stage-board', 1)[1]
    cards = dict(re.findall(r'href="(/suivi/innovations/\d+/)">(.*?)</a>', board))
    assert set(cards.values()) == {"Soleni", "Rallye pour l'emploi", "Parcours Gardien"}
    assert cards[f"/suivi/innovations/{followed.pk}/"] == "Parcours Gardien"
    gardien = board.split(">Parcours Gardien</a>", 1)[1].split("</div></div>", 1)[0]
    assert "2 structures late" in gardien and "Stage behind schedule" not in gardien
    soleni = board.split(">Soleni</a>", 1)[1].split("</div></div>", 1)[0]
    assert "Stage behind schedule" in soleni


def test_manager_dashboard_has_the_small_map_and_the_chart(followed, client):
    section = _manager_section(client)

    assert f'data-map-data="{reverse("essaimage:map_data")}"' in section
    assert f'data-map-link="{reverse("essaimage:programme_map")}"' in section
    assert 'data-map-size="small"' in section
    chart = re.search(r'<script id="structures-per-year" type="application/json">(.*?)</script>', section).group(1)
    assert sum(json.loads(chart)["values"]) == 2  # « Nouvelles structures essaimées », by year of start
    assert "chart.umd.min.js" in section


# Query budgets -----------------------------------------------------------------------


def _rows_maker(prefix: str):
    """Innovations with structures in many departments, trainings, attendance and
    hotline entries: everything the dashboard and the maps count."""
    counter = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            counter["n"] += 1
            i = counter["n"]
            code = f"{i + 10:02d}"
            town = commune(f"{code}001", f"Commune {i}", code, f"Département {i}", f"{i}", f"Région {i}")
            innovation = InnovationFactory(name=f"{prefix} {i:02d}", stage=Stage.values[i % 4])
            StagePlanFactory(innovation=innovation, stage=innovation.stage, planned_end=_days(-i))
            structure = SpreadStructureFactory(
                innovation=innovation,
                organisation=OrganisationFactory(commune=town),
                status=StructureStatus.SPREADING if i % 2 else StructureStatus.SELECTED,
                selected_on=_days(-100 - i),
                start_date=_days(-i) if i % 2 else None,
            )
            training = TrainingFactory(innovation=innovation)
            day = TrainingDayFactory(training=training, date=_days(-i))
            AttendanceFactory(participant=TrainingParticipantFactory(training=training, structure=structure), day=day)
            SupportRequestFactory(structure=structure, date=timezone.localdate())

    return make_rows


DASHBOARD_QUERIES = 8  # session, user, roles; then the manager section (figures in one query)


def test_manager_dashboard_queries_constant_with_many_structures(client, db, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))

    one, many = assert_constant_queries(
        client, reverse("portal:dashboard"), _rows_maker("Innovation suivie"), DASHBOARD_QUERIES
    )

    assert "Innovation suivie 01" in one
    assert "Innovation suivie 20" in many
    assert f'data-figure="structures">{MANY // 2}<' in many  # every other row has started


def test_map_data_queries_constant_with_many_structures(client, db, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))

    one, many = assert_constant_queries(client, reverse("essaimage:map_data"), _rows_maker("Innovation"), 4)

    assert '"departments": 1' in one
    assert f'"departments": {MANY // 2}' in many  # the structures active today: every other row has started


def test_map_data_filtered_queries_constant_with_many_structures(client, db, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    url = reverse("essaimage:map_data") + f"?innovation={innovation.pk}&year={timezone.localdate().year}"

    def make_rows(n):
        for _ in range(n):
            SpreadStructureFactory(innovation=innovation, start_date=timezone.localdate())

    one, many = assert_constant_queries(client, url, make_rows, 5)

    assert '"structures": 1' in one
    assert f'"structures": {MANY}' in many


def test_public_map_data_queries_constant_with_many_structures(client, db, assert_constant_queries):
    one, many = assert_constant_queries(client, reverse("essaimage:public_map_data"), _rows_maker("Innovation"), 1)

    # The public map counts the structures active today (started, not withdrawn: the rules of
    # reporting.definitions): every other row is selected without a start date yet.
    assert f'"structures": {MANY // 2}' in many


def test_programme_map_page_queries_constant_with_many_structures(client, db, assert_constant_queries):
    client.force_login(make_user(Role.MANAGER))

    one, many = assert_constant_queries(client, reverse("essaimage:programme_map"), _rows_maker("Innovation"), 6)

    assert "Département 1 <span" in one
    assert "Département 19 <span" in many  # the 20th has not started: not on the map of today
