"""Fixtures of the calls-for-projects and dossiers tests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ais.accounts.models import Role
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.ais.factories import tiny_pdf_bytes as _tiny_pdf
from tests.projects.factories import DossierFactory


@pytest.fixture
def carrier_organisation(db):
    return OrganisationFactory(name="Association Tremplin")


@pytest.fixture
def carrier(carrier_organisation):
    return UserFactory(email="camille.tremplin@exemple.fr", roles=[(Role.CARRIER, carrier_organisation)])


@pytest.fixture
def draft(carrier, carrier_organisation):
    """A complete draft of ``carrier``'s organisation, in an open call."""
    return DossierFactory(complete=True, organisation=carrier_organisation, created_by=carrier)


@pytest.fixture
def carrier_client(client, carrier):
    client.force_login(carrier)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def pdf_upload():
    def make(name="rapport.pdf", data=None):
        return SimpleUploadedFile(name, data if data is not None else _tiny_pdf(), content_type="application/pdf")

    return make
