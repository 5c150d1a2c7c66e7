"""The demo data set: idempotent, and one working account per role."""

import html
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ais.accounts.models import Membership, Network, Organisation, User
from devtools.demo import DEMO_PASSWORD, DEMO_USERS
from essaimage.models import SpreadStructure
from projects.models import Innovation
from tests.conftest import rows_for_the_module

pytestmark = pytest.mark.usefixtures("territories")

SECTION_TITLES = {
    "manager": "Suivi du programme",
    "committee": "Comité de pilotage",
    "carrier": "Porteur de projet",
    "structure": "Structure essaimée",
    "admin": "Administration",
}
MODELS = [Network, Organisation, Innovation, SpreadStructure, User, Membership]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def _demo_rows(territories, django_db_blocker, tmp_path_factory):
    """The demo data set, made once for the module (tests/conftest.py: rows_for_the_module)."""

    def load():
        call_command("demo_data", stdout=StringIO())

    with rows_for_the_module(django_db_blocker, tmp_path_factory, load) as made:
        yield made


@pytest.fixture
def demo_data(db, _demo_rows, settings):
    _nothing, media_root = _demo_rows
    shutil.copytree(media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)


def test_demo_data_twice_creates_nothing_more(demo_data):
    before = _counts()

    call_command("demo_data", stdout=StringIO())

    assert _counts() == before
    assert before["Innovation"] == 18  # the programme's 10 real innovations and the demo's 8 fictional ones
    assert before["User"] == len(DEMO_USERS)
    assert before["Membership"] == len(DEMO_USERS)


def test_demo_data_keeps_what_users_changed(demo_data):
    Innovation.objects.filter(slug="tapaj").update(summary="Résumé revu par l'équipe")
    Innovation.objects.filter(slug="premier-pas-remunere-demonstration").update(summary="Résumé revu")

    call_command("demo_data", stdout=StringIO())

    assert Innovation.objects.get(slug="tapaj").summary == "Résumé revu par l'équipe"
    assert Innovation.objects.get(slug="premier-pas-remunere-demonstration").summary == "Résumé revu"


@pytest.mark.parametrize(("email", "role"), [(email, role) for email, _f, _l, role, _o in DEMO_USERS])
def test_demo_user_logs_in_and_sees_role_section(client, demo_data, email, role):
    response = client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD}, follow=True)

    page = html.unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    assert f'id="section-{role}">{SECTION_TITLES[role]}</h2>' in page


def test_demo_carrier_sees_own_innovation_only(client, demo_data):
    client.post(reverse("accounts:login"), {"username": "porteur@demo.ais-emploi.fr", "password": DEMO_PASSWORD})

    page = html.unescape(client.get(reverse("portal:dashboard")).content.decode())

    assert "Atelier RH partagé (démonstration)" in page
    assert "Parcours métiers de l'habitat (démonstration)" not in page
    assert "VITA-Air" not in page  # a real innovation: no demo account carries it


def test_demo_catalogue_shows_published_innovations(client, demo_data):
    page = html.unescape(client.get(reverse("portal:catalogue")).content.decode())

    assert page.count("innovation-card") == 18
    assert "Territoire Zéro Chômeur" in page
    assert "Emploi d'utilité locale (démonstration)" in page
