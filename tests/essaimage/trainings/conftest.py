"""Fixtures of the trainings tests: an innovation with its structures, a training
with two days and trainees of two structures, and clients of each role."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from ais.accounts.models import Role
from essaimage.models import StructureStatus
from projects.models import Stage
from tests.ais.factories import OrganisationFactory, UserFactory, tiny_pdf_bytes
from tests.essaimage.factories import (
    SpreadStructureFactory,
    TrainingDayFactory,
    TrainingFactory,
    TrainingParticipantFactory,
)
from tests.projects.factories import InnovationFactory


@pytest.fixture
def carrier_organisation(db):
    return OrganisationFactory(name="Association Parcours Gardien")


@pytest.fixture
def innovation(carrier_organisation):
    return InnovationFactory(name="Parcours Gardien", carrier=carrier_organisation, stage=Stage.ESSAIMAGE)


@pytest.fixture
def rouen(innovation):
    """A selected structure of the innovation."""
    return SpreadStructureFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Régie de quartier Rouen Nord"),
        status=StructureStatus.SELECTED,
    )


@pytest.fixture
def havre(innovation):
    return SpreadStructureFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="ACI Le Havre Solidaire"),
        status=StructureStatus.SELECTED,
    )


@pytest.fixture
def training(innovation, rouen, havre):
    """A formation-action with two past days and two trainees of each structure."""
    training = TrainingFactory(
        innovation=innovation,
        title="Formation-action Parcours Gardien – Normandie",
        trainers="Claire Martin (porteur)",
        place="Maison des associations, Rouen",
    )
    training.structures.set([rouen, havre])
    TrainingDayFactory(training=training, date=datetime.date(2025, 3, 10), topic="Les fondamentaux")
    TrainingDayFactory(training=training, date=datetime.date(2025, 4, 14), topic="Premiers retours")
    for structure, names in ((rouen, ["Morgane Leroy", "Karim Benali"]), (havre, ["Sophie Durand", "Lucie Martin"])):
        for name in names:
            TrainingParticipantFactory(training=training, structure=structure, full_name=name)
    return training


@pytest.fixture
def carrier(carrier_organisation):
    return UserFactory(email="porteur@parcours-gardien.fr", roles=[(Role.CARRIER, carrier_organisation)])


@pytest.fixture
def rouen_contact(rouen):
    return UserFactory(email="contact@regie-rouen.fr", roles=[(Role.STRUCTURE, rouen.organisation)])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def pdf_upload():
    def make(name="programme.pdf", data=None):
        return SimpleUploadedFile(name, data if data is not None else tiny_pdf_bytes(), content_type="application/pdf")

    return make


def pdf_pages_text(content: bytes) -> list[str]:
    """Each page's text, with runs of white space (line breaks in cells) as one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]
