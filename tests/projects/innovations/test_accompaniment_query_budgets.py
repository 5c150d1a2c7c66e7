"""Query budgets of the accompaniment pages: the same number of queries with 1 row
as with 20 (targets, deliverables, governance, actions, moves, structures,
trainings, hotline, visits…). See tests/test_query_budgets.py for the rule."""

import datetime
import itertools

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from projects.models import Stage, StageTransition
from tests.ais.factories import OrganisationFactory
from tests.conftest import MANY, make_user
from tests.essaimage.factories import (
    SiteVisitFactory,
    SpreadStructureFactory,
    StructureCallFactory,
    SupportRequestFactory,
    TrainingDayFactory,
    TrainingFactory,
)
from tests.projects.factories import (
    AwarenessActionFactory,
    DeliverableFactory,
    GovernanceMemberFactory,
    InnovationFactory,
    InnovationTargetFactory,
    StagePlanFactory,
)
from tests.projects.innovations.conftest import detail_url

PAST = datetime.date(2020, 1, 1)


def test_innovation_list_queries_constant(client, db, assert_constant_queries):
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    number = itertools.count(1)

    def make_rows(n):
        for _ in range(n):
            index = next(number)
            innovation = InnovationFactory(
                name=f"Innovation suivie {index:02d}", stage=Stage.MOBILISATION, lead_manager=manager
            )
            SpreadStructureFactory(innovation=innovation)
            SpreadStructureFactory(innovation=innovation, candidate=True)
            StagePlanFactory(innovation=innovation, stage=Stage.MOBILISATION, planned_end=PAST)

    one, many = assert_constant_queries(client, reverse("projects:innovation_list"), make_rows, 4)

    assert "Innovation suivie 01" in one
    assert "Innovation suivie 20" in many
    assert many.count('class="badge text-bg-danger late-badge"') == MANY + 1  # each row, and the summary


def _rich_rows(innovation, manager):
    """``make_rows(n)``: n more of everything the detail page lists."""
    number = itertools.count(1)

    def make_rows(n):
        for _ in range(n):
            index = next(number)
            InnovationTargetFactory(innovation=innovation, label=f"Cible {index:02d}")
            DeliverableFactory(innovation=innovation, kind="guide", title=f"Livrable {index:02d}")
            GovernanceMemberFactory(innovation=innovation, full_name=f"Membre {index:02d}")
            AwarenessActionFactory(innovation=innovation, title=f"Action {index:02d}")
            StageTransition.objects.create(
                innovation=innovation,
                from_stage=Stage.FEASIBILITY,
                to_stage=Stage.MOBILISATION,
                moved_by=manager,
                is_exception=True,
                reason=f"Raison {index:02d}",
                missing=["charter"],
            )
            structure = SpreadStructureFactory(
                innovation=innovation, organisation=OrganisationFactory(name=f"Structure {index:02d}"), signed=True
            )
            StructureCallFactory(innovation=innovation)
            training = TrainingFactory(innovation=innovation)
            TrainingDayFactory(training=training, date=PAST)
            SupportRequestFactory(structure=structure)
            SiteVisitFactory(structure=structure)
            innovation.team.add(make_user(Role.MANAGER))

    return make_rows


@pytest.mark.parametrize("stage", [Stage.FEASIBILITY, Stage.MOBILISATION, Stage.ESSAIMAGE, Stage.EVALUATION])
def test_innovation_detail_queries_constant_for_managers(client, db, assert_constant_queries, stage):
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    innovation = InnovationFactory(name="Parcours Gardien", stage=stage, lead_manager=manager)
    for value in Stage.values:
        StagePlanFactory(innovation=innovation, stage=value, planned_start=PAST, planned_end=PAST)

    # + the current stage's checklist; + the calls for structures (managers)
    budget = {Stage.MOBILISATION: 14, Stage.ESSAIMAGE: 14}.get(stage, 12)
    one, many = assert_constant_queries(client, detail_url(innovation), _rich_rows(innovation, manager), budget)

    assert "Livrable 01" in one and "Membre 01" in one and "Raison 01" in one
    assert "Livrable 20" in many and "Action 20" in many and "Cible 20" in many


@pytest.mark.parametrize("role", [Role.CARRIER, Role.STRUCTURE])
def test_innovation_detail_queries_constant_for_readers(client, db, assert_constant_queries, role):
    manager = make_user(Role.MANAGER)
    user = make_user(role)
    organisation = user.memberships.get().organisation
    innovation = InnovationFactory(
        name="Parcours Gardien",
        stage=Stage.ESSAIMAGE,
        carrier=organisation if role == Role.CARRIER else OrganisationFactory(),
    )
    if role == Role.STRUCTURE:
        SpreadStructureFactory(innovation=innovation, organisation=organisation)
    client.force_login(user)

    budget = {Role.CARRIER: 14, Role.STRUCTURE: 8}[role]
    one, many = assert_constant_queries(client, detail_url(innovation), _rich_rows(innovation, manager), budget)

    assert "Livrable 20" in many and "Action 20" in many
