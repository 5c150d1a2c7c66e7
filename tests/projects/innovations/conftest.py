"""Fixtures of the accompaniment tests: innovations ready (or not) to leave each
stage, the people around them, and helpers to build what each stage needs."""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ais.accounts.models import Role
from projects.models import Stage
from tests.ais.factories import OrganisationFactory, UserFactory, tiny_pdf_bytes
from tests.essaimage.factories import SpreadStructureFactory, StructureCallFactory, TrainingDayFactory, TrainingFactory
from tests.projects.factories import (
    AwarenessActionFactory,
    DeliverableFactory,
    GovernanceMemberFactory,
    InnovationFactory,
)


def text(response) -> str:
    """The page's text, unescaped, for assertions on what the user reads."""
    return html.unescape(response.content.decode())


def complete_stage_one(innovation):
    DeliverableFactory(innovation=innovation, kind="feasibility_study", conclusion="go")
    DeliverableFactory(innovation=innovation, kind="charter")


def complete_stage_two(innovation):
    GovernanceMemberFactory(innovation=innovation)
    AwarenessActionFactory(innovation=innovation)
    StructureCallFactory(innovation=innovation)
    SpreadStructureFactory(innovation=innovation, signed=True)


def complete_stage_three(innovation):
    innovation.spreading_model = "formation_action"
    innovation.save(update_fields=["spreading_model"])
    training = TrainingFactory(innovation=innovation)
    TrainingDayFactory(training=training, date=datetime.date.today() - datetime.timedelta(days=7))
    DeliverableFactory(innovation=innovation, kind="tooling", title="Boîte à outils")
    DeliverableFactory(innovation=innovation, kind="guide", title="Guide de l'essaimage")


COMPLETE = {
    Stage.FEASIBILITY: complete_stage_one,
    Stage.MOBILISATION: complete_stage_two,
    Stage.ESSAIMAGE: complete_stage_three,
}


@pytest.fixture
def carrier_organisation(db):
    return OrganisationFactory(name="Association Gardiens Solidaires")


@pytest.fixture
def innovation(carrier_organisation):
    return InnovationFactory(name="Parcours Gardien", carrier=carrier_organisation, stage=Stage.FEASIBILITY)


@pytest.fixture
def carrier(carrier_organisation):
    return UserFactory(email="porteur@gardiens.fr", roles=[(Role.CARRIER, carrier_organisation)])


@pytest.fixture
def structure_contact(innovation):
    """The contact of a structure spreading ``innovation``."""
    organisation = OrganisationFactory(name="Régie de quartier Nord")
    SpreadStructureFactory(innovation=innovation, organisation=organisation)
    return UserFactory(email="contact@regie-nord.fr", roles=[(Role.STRUCTURE, organisation)])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def pdf_upload():
    def make(name="etude-faisabilite.pdf", data=None):
        return SimpleUploadedFile(name, data if data is not None else tiny_pdf_bytes(), content_type="application/pdf")

    return make


def detail_url(innovation) -> str:
    return reverse("projects:innovation_detail", kwargs={"pk": innovation.pk})


def advance_url(innovation) -> str:
    return reverse("projects:stage_advance", kwargs={"pk": innovation.pk})
