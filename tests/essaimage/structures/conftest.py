"""Fixtures of the spreading tests: signal receivers, a manager client, applications."""

import pytest

from ais.accounts.models import Role
from essaimage import signals
from tests.ais.factories import CommuneFactory, DepartmentFactory, RegionFactory
from tests.conftest import make_user


class Received(list):
    """The keyword arguments of each signal sent, in order."""


@pytest.fixture
def start_date_calls():
    calls = Received()

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    signals.start_date_changed.connect(receiver, weak=False, dispatch_uid="test-spreading-start-date")
    yield calls
    signals.start_date_changed.disconnect(dispatch_uid="test-spreading-start-date")


@pytest.fixture
def withdrawn_calls():
    calls = Received()

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    signals.structure_withdrawn.connect(receiver, weak=False, dispatch_uid="test-spreading-withdrawn")
    yield calls
    signals.structure_withdrawn.disconnect(dispatch_uid="test-spreading-withdrawn")


@pytest.fixture
def english(client, settings):
    """The client chose English with the language switch: messages are asserted on
    their msgids, which do not change when the French catalogue is merged."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def manager_client(client, db):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def lyon(db):
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    department = DepartmentFactory(code="69", name="Rhône", region=region)
    return CommuneFactory(code="69123", name="Lyon", department=department, postal_codes="69001 69002")


@pytest.fixture
def rouen(db):
    return CommuneFactory()


def application_data(commune, **overrides) -> dict:
    """What a person types in the public application form."""
    data = {
        "organisation_name": "Régie de quartier Lyon Est",
        "organisation_kind": "regie",
        "network": "",
        "siret": "",
        "commune": commune.pk,
        "is_qpv": "on",
        "capacity": "30",
        "motivation": "Nous accompagnons 40 DELD par an et voulons mobiliser les entreprises du quartier.",
        "contact_first_name": "Nadia",
        "contact_last_name": "Haddad",
        "contact_email": "Nadia.Haddad@regie-lyon-est.fr",
        "contact_phone": "04 78 00 00 00",
        "contact_function": "Directrice",
        "consent": "on",
    }
    data.update(overrides)
    return data
