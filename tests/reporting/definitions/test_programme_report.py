"""The yearly report of 2017, generated in 2026 on the small history of
``tests/history/builder.py``: its XLSX cells and PDF text, the 2017 dashboard, the
"since the start" report and the public figures give what the definitions say."""

import datetime
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import definitions, reports
from tests.history.builder import END_2017, EXPECTED_2017, EXPECTED_SINCE_START, TODAY

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    """The PDF's text with its whitespace collapsed (table cells wrap long names)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def _key_figures(sheets) -> dict:
    return dict(sheets["Chiffres clés"][1:])


def _generate(year, admin_user, capture):
    with capture(execute=False):
        report = reports.request_yearly_report(year, by=admin_user)
    reports.generate(report.pk)
    report.refresh_from_db()
    with report.pdf.open("rb") as pdf, report.xlsx.open("rb") as xlsx:
        return pdf.read(), xlsx.read()


def test_report_of_2017_generated_in_2026_gives_the_figures_of_31_december_2017(
    history, admin_user, django_capture_on_commit_callbacks
):
    pdf, xlsx = _generate(2017, admin_user, django_capture_on_commit_callbacks)

    sheets = _sheets(xlsx)
    key = _key_figures(sheets)
    assert key["Chiffres au"] == datetime.datetime(2017, 12, 31)
    assert {
        label: key[label]
        for label in [
            "Innovations sélectionnées",
            "Innovations accompagnées jusqu'à l'essaimage",
            "Innovations en cours d'accompagnement",
            "Structures essaimées",
            "Structures essaimées actives",
            "Structures retenues, pas encore démarrées",
            "Départements atteints",
            "Régions atteintes",
            "Personnes accompagnées",
            "dont demandeurs d'emploi de longue durée (DELD)",
            "Sorties vers l'emploi",
            "Candidatures reçues aux appels à structures",
            "Nouvelles structures essaimées",
            "Innovations sélectionnées sur la période",
        ]
    } == {
        "Innovations sélectionnées": 3,
        "Innovations accompagnées jusqu'à l'essaimage": 2,
        "Innovations en cours d'accompagnement": 2,
        "Structures essaimées": 4,
        "Structures essaimées actives": 4,
        "Structures retenues, pas encore démarrées": 1,
        "Départements atteints": 3,
        "Régions atteintes": 2,
        "Personnes accompagnées": 56,
        "dont demandeurs d'emploi de longue durée (DELD)": 35,
        "Sorties vers l'emploi": 14,
        "Candidatures reçues aux appels à structures": 2,
        "Nouvelles structures essaimées": 3,  # A2, B1 and B2 started in 2017
        "Innovations sélectionnées sur la période": 1,  # Atelier Gamma
    }
    assert key["Formation-action (6 à 9 mois)"] == 1
    assert key["Essaimage intensif territorialisé"] == 1
    assert sheets["Départements"][1:] == [("30", "Gard", 1), ("31", "Haute-Garonne", 1), ("76", "Seine-Maritime", 2)]
    innovations = {row[0]: row[2:] for row in sheets["Innovations"][1:]}
    assert innovations == {
        "Atelier Gamma": ("Accompagnement clos", 0, 0, None, None),
        "Parcours Alpha": ("Étape III – Essaimage", 2, 2, 50, 28.0),  # exits (5+3) + (4+2) = 14 of 50
        "Rallye Bêta": ("Étape III – Essaimage", 2, 2, 6, None),
    }
    assert sheets["Étapes"][1:] == [
        ("Étape I – Étude de faisabilité", 0),
        ("Étape II – Mobilisation des parties prenantes", 0),
        ("Étape III – Essaimage", 2),
        ("Étape IV – Évaluation", 0),
        ("Accompagnement clos", 1),
    ]
    assert sheets["Années"][1:] == [(2015, None), (2016, 10), (2017, 56)]

    text = _pdf_text(pdf)
    for expected in [
        "Rapport du programme 2017",
        "Chiffres au 31 décembre 2017",
        "3 innovations sélectionnées",
        "4 structures essaimées",
        "3 départements",
        "dont 4 en activité et 3 nouvelles",
        "Gard (30) 1",
        "Haute-Garonne (31) 1",
        "Seine-Maritime (76) 2",
        "Parcours Alpha",
        "Atelier Gamma",
    ]:
        assert expected in text, expected
    assert "56 personnes accompagnées (dont DELD : 35)" in text
    assert "Réseau Delta" not in text  # selected in 2018
    assert "Rhône" not in text  # A3 started in 2018, B1 moved to Lyon in 2019


def test_dashboard_filtered_on_2017_gives_the_same_figures(history, client, manager):
    client.force_login(manager)

    response = client.get(reverse("reporting:programme_dashboard"), {"year": "2017"})

    page = html.unescape(response.content.decode())
    assert "Chiffres vrais au 31 décembre 2017" in page
    key, figures = response.context["key"], response.context["figures"]
    assert {code: key[code] for code in EXPECTED_2017} == EXPECTED_2017
    assert (figures["people_accompanied"], figures["people_deld"], figures["exits_employment"]) == (56, 35, 14)
    assert response.context["departments"] == 3
    rows = response.context["innovation_rows"]
    assert [(row["innovation"].name, row["values"]["people_accompanied"]) for row in rows] == [
        ("Parcours Alpha", 50),
        ("Rallye Bêta", 6),
    ]
    # Per region of the structures' territory at the end of 2017: Occitanie (A2, B1), Normandie (A1).
    assert sorted((row["name"], row["values"]["people_accompanied"]) for row in response.context["region_rows"]) == [
        ("Normandie", 30),
        ("Occitanie", 26),
    ]


def test_since_the_start_report_gives_the_figures_of_today(history):
    pdf, xlsx = reports.programme_documents(None, today=TODAY)

    sheets = _sheets(xlsx)
    key = _key_figures(sheets)
    assert key["Chiffres au"] == datetime.datetime(2026, 12, 6)
    assert key["Structures essaimées"] == EXPECTED_SINCE_START["structures_spread"]
    assert key["Structures essaimées actives"] == EXPECTED_SINCE_START["structures_active"]
    assert key["Personnes accompagnées"] == EXPECTED_SINCE_START["people_reached"]
    deld = "dont demandeurs d'emploi de longue durée (DELD)"
    assert key[deld] == EXPECTED_SINCE_START["long_term_unemployed_reached"]
    assert key["Sorties vers l'emploi"] == EXPECTED_SINCE_START["exits_to_employment"]
    assert key["Innovations sélectionnées"] == EXPECTED_SINCE_START["innovations_selected"]
    assert key["Départements atteints"] == 3
    # B1 is in Lyon since 2019; A2 withdrew in 2018 and stays in Gard.
    assert sheets["Départements"][1:] == [("30", "Gard", 1), ("69", "Rhône", 2), ("76", "Seine-Maritime", 2)]
    text = _pdf_text(pdf)
    assert "Rapport du programme depuis le début du programme" in text
    assert "Chiffres au 6 décembre 2026" in text


def test_public_figures_are_the_definitions_of_today(history, client):
    home = client.get(reverse("portal:home"))
    catalogue = client.get(reverse("portal:catalogue"))

    figures = home.context["figures"]
    assert figures == {
        "innovations": EXPECTED_SINCE_START["innovations_selected"],
        "spreading": EXPECTED_SINCE_START["innovations_accompanied_to_spreading"],
        "structures": EXPECTED_SINCE_START["structures_spread"],
        "active": EXPECTED_SINCE_START["structures_active"],
        "departments": EXPECTED_SINCE_START["departments"],
    }
    assert "structures essaimées, dont 4 en activité" in html.unescape(home.content.decode())
    # The map: the structures active today where they are today (B1 in Lyon, A2 withdrawn).
    public = catalogue.context["figures"]
    assert {d.code: d.count for d in public.departments} == {"69": 2, "76": 2}
    assert public.structures == definitions.structures_active(TODAY)


def test_report_date_of_the_current_year_is_today(history):
    context = reports.programme_context(2026, today=TODAY)

    assert context["as_of"] == TODAY
    assert context["key"]["structures_spread"] == 5
    assert reports.programme_context(2017, today=TODAY)["as_of"] == END_2017
