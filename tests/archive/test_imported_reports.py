"""Done-when 1 of the history issue, on a history built through the import (not the ORM):
the workbook of ``tests/archive/helpers.py`` imported whole, then the report of 2017
generated today (XLSX cells and PDF text), the programme dashboard filtered on 2017 and the
since-the-start report give the figures the definitions say at their date, by value.

On 31 December 2017: Atelier Emploi (selected June 2016, stage III since June 2017) and Cap
Métiers (selected 2017, stopped after its feasibility study in September 2017); the Nantes
structure (started June 2017, 12 people in its validated 3-month answers of September 2017)
and the Lyon ACI (started October 2017, withdrew in 2018 — still counted in 2017); the Lille
structure starts only in 2018."""

import datetime
import html

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from archive import services
from reporting import reports
from tests.archive.helpers import make_workbook
from tests.conftest import make_user
from tests.reporting.definitions.test_programme_report import _key_figures, _pdf_text, _sheets

pytestmark = pytest.mark.usefixtures("communes")

EXPECTED_END_2017 = {
    "Innovations sélectionnées": 2,
    "Innovations accompagnées jusqu'à l'essaimage": 1,
    "Innovations en cours d'accompagnement": 1,  # Cap Métiers stopped in September 2017
    "Structures essaimées": 2,
    "Structures essaimées actives": 2,  # the ACI withdrew in 2018, not in 2017
    "Départements atteints": 2,
    "Régions atteintes": 2,
    "Personnes accompagnées": 12,
}


@pytest.fixture
def imported(admin_user):
    outcome = services.run(make_workbook(), write=True, by=admin_user, name="historique.xlsx")
    assert outcome.ok, outcome.issues


def test_report_of_2017_on_the_imported_history(imported, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.request_yearly_report(2017, by=admin_user)
    reports.generate(report.pk)
    report.refresh_from_db()
    with report.pdf.open("rb") as pdf, report.xlsx.open("rb") as xlsx:
        pdf_data, xlsx_data = pdf.read(), xlsx.read()

    sheets = _sheets(xlsx_data)
    key = _key_figures(sheets)
    assert key["Chiffres au"] == datetime.datetime(2017, 12, 31)
    assert {label: key[label] for label in EXPECTED_END_2017} == EXPECTED_END_2017
    assert sheets["Départements"][1:] == [("44", "Loire-Atlantique", 1), ("69", "Rhône", 1)]
    text = _pdf_text(pdf_data)
    for expected in [
        "Rapport du programme 2017",
        "Chiffres au 31 décembre 2017",
        "Loire-Atlantique (44) 1",
        "Rhône (69) 1",
    ]:
        assert expected in text, expected
    assert "Nord (59)" not in text  # Lille starts in 2018


def test_dashboard_filtered_on_2017_on_the_imported_history(imported, client):
    client.force_login(make_user(Role.MANAGER))

    response = client.get(reverse("reporting:programme_dashboard"), {"year": "2017"})

    assert "Chiffres vrais au 31 décembre 2017" in html.unescape(response.content.decode())
    key = response.context["key"]
    assert (key["innovations_selected"], key["structures_spread"], key["people_reached"]) == (2, 2, 12)
    assert response.context["departments"] == 2


def test_since_the_start_report_on_the_imported_history(imported):
    pdf, xlsx = reports.programme_documents(None, today=datetime.date(2026, 12, 6))

    key = _key_figures(_sheets(xlsx))
    assert key["Structures essaimées"] == 3
    assert key["Structures essaimées actives"] == 2  # the ACI withdrew in September 2018
    assert key["Personnes accompagnées"] == 30 + 18  # Nantes' 9-month answers; the ACI keeps its 18
    assert key["Départements atteints"] == 3
