"""The change history: who changed what, when, with the value before and after."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from projects.models import Stage
from tests.ais.factories import OrganisationFactory
from tests.conftest import make_user
from tests.projects.factories import DossierFactory, InnovationFactory

PARIS = ZoneInfo("Europe/Paris")
STAGE_ROW = "<tr><td>Étape</td><td>Étape I – Étude de faisabilité</td><td>Étape III – Essaimage</td></tr>"


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _entries(page: str) -> list[str]:
    return re.findall(r'<li class="card mb-2">(.*?)</li>', page, re.S)


def test_history_stage_change_shows_who_when_before_and_after(client, db):
    with time_machine.travel(datetime(2026, 3, 5, 9, 0, tzinfo=PARIS), tick=False):
        manager = make_user(Role.MANAGER, first_name="Camille", last_name="Martin")
        innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.FEASIBILITY)
    with time_machine.travel(datetime(2026, 3, 5, 14, 30, tzinfo=PARIS), tick=False):
        innovation._history_user = manager
        innovation.stage = Stage.ESSAIMAGE
        innovation.save()
    client.force_login(manager)

    response = client.get(reverse("portal:history"))

    # The newest change of the innovation (logging in also saves the user's last_login,
    # which adds a user row without any visible change).
    newest = next(entry for entry in _entries(_page(response)) if "Parcours Gardien" in entry)
    assert "Parcours Gardien" in newest
    assert "Modification" in newest
    assert "5 mars 2026 à 14\u00a0h\u00a030" in newest
    assert "Camille Martin" in newest
    assert STAGE_ROW in newest


def test_history_change_through_request_records_logged_in_user(client, db, settings):
    """HistoryRequestMiddleware puts the request's user on the rows saved during it."""
    manager = make_user(Role.MANAGER, first_name="Camille", last_name="Martin")
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.FEASIBILITY)
    client.force_login(manager)

    # The profile page saves the user during the request: its history row names them.
    client.post(
        reverse("accounts:profile"),
        {"first_name": "Camille", "last_name": "Martin-Durand", "job_title": "", "phone": ""},
    )
    innovation.stage = Stage.ESSAIMAGE
    innovation.save()  # outside a request: the system
    page = _page(client.get(reverse("portal:history")))

    entries = _entries(page)
    profile_entry = next(e for e in entries if "Martin-Durand" in e and "<td>Nom</td>" in e)
    stage_entry = next(e for e in entries if STAGE_ROW in e)
    assert "Camille Martin-Durand" in profile_entry.split("</p>", 1)[0]
    assert "<td>Nom</td><td>Martin</td><td>Martin-Durand</td>" in profile_entry
    assert "système" in stage_entry.split("</p>", 1)[0]


def test_history_filter_by_type_shows_only_that_type(client, db):
    OrganisationFactory(name="Régie de quartier Saint-Nicaise")
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.FEASIBILITY)
    innovation.stage = Stage.ESSAIMAGE
    innovation.save()
    client.force_login(make_user(Role.MANAGER))

    innovations = _page(client.get(reverse("portal:history"), {"type": "projects.Innovation"}))
    organisations = _page(client.get(reverse("portal:history"), {"type": "accounts.Organisation"}))

    assert STAGE_ROW in innovations
    assert "Régie de quartier Saint-Nicaise" not in innovations
    assert '<option value="projects.Innovation" selected>' in innovations
    assert "Régie de quartier Saint-Nicaise" in organisations
    assert "Parcours Gardien" not in organisations
    assert {re.search(r'badge text-bg-light">(.*?)<', e).group(1) for e in _entries(organisations)} == {"Organisation"}


def test_history_filter_without_changes_says_so(client, db):
    client.force_login(make_user(Role.MANAGER))

    response = client.get(reverse("portal:history"), {"type": "essaimage.SpreadStructure"})

    assert "Aucune modification enregistrée pour ce type d'objet." in _page(response)


def test_history_names_linked_people_and_shows_local_times_without_microseconds(client, db):
    """« Créé par Camille Martin », not « Créé par 13 »; dates in French local time, to the
    minute (issue 16)."""
    carrier = make_user(Role.CARRIER, first_name="Claire", last_name="Dubois")
    with time_machine.travel(datetime(2026, 12, 6, 10, 15, 42, 123456, tzinfo=PARIS), tick=False):
        dossier = DossierFactory(created_by=carrier, innovation_name="Passerelle Seine Emploi")
        dossier.status = "submitted"
        dossier.submitted_at = timezone.now()
        dossier.save()
    client.force_login(make_user(Role.MANAGER))

    page = _page(client.get(reverse("portal:history"), {"type": "projects.Dossier"}))

    created = [e for e in _entries(page) if "Création" in e][0]
    assert "<td>Créé par</td><td>—</td><td>Claire Dubois</td>" in created
    assert f"<td>{carrier.pk}</td>" not in created
    assert f"<td>{dossier.organisation.name}</td>" in created
    submitted = [e for e in _entries(page) if "Modification" in e][0]
    assert "6 décembre 2026 à 10\u00a0h\u00a015" in submitted
    assert "<td>Déposé le</td><td>—</td><td>6 décembre 2026 à 10\u00a0h\u00a015</td>" in submitted
    assert "123456" not in page
    assert "+00:00" not in page
