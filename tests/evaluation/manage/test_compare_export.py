"""One structure's three phases side by side by question code; exports per phase."""

import csv
import datetime
import html
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluation.followup import comparison
from evaluation.models import Phase, Question, QuestionKind, QuestionnaireTemplate, ResponseStatus
from evaluation.services import new_draft_version, publish_version, submit_response
from projects.models import Stage
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory
from tests.evaluation.manage.helpers import D, answer, fill_required, questionnaire, structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=False)
# Interface words: the export tests ask for English pages (see the ``english`` fixture).
IDENTIFICATION = ["Innovation", "Structure", "Department", "Wave", "Version", "Status", "Submitted on"]


# Comparison -----------------------------------------------------------------------------


@pytest.fixture
def three_phases(staff):
    """A structure started on 1 June 2024: its three questionnaires are open."""
    with FROZEN:
        innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
        structure = structure_with_questionnaires(innovation=innovation, start=D(2024, 6, 1), name="Régie Nord")
        appropriation = questionnaire(structure, Phase.APPROPRIATION)
        answer(appropriation, "people_accompanied", "5", by=staff)
        answer(appropriation, "political_support", "4", by=staff)
        answer(appropriation, "fidelity", "Adapté sur quelques points", by=staff)
        implementation = questionnaire(structure, Phase.IMPLEMENTATION)
        answer(implementation, "people_accompanied", "12", by=staff)
        answer(implementation, "fidelity", "Conforme au modèle", by=staff)
        impact = questionnaire(structure, Phase.IMPACT)
        answer(impact, "people_accompanied", "30", by=staff)
        answer(impact, "retention_6_months", "62.5", by=staff)
    return structure


def test_comparison_puts_the_same_code_side_by_side(three_phases):
    columns, rows = comparison(three_phases)

    assert [column["phase"] for column in columns] == [Phase.APPROPRIATION, Phase.IMPLEMENTATION, Phase.IMPACT]
    by_code = {row.code: row for row in rows}
    assert by_code["people_accompanied"].values == ["5", "12", "30"]
    assert by_code["fidelity"].values == ["Adapté sur quelques points", "Conforme au modèle", None]  # not asked
    assert by_code["political_support"].values == ["4", None, None]  # asked in appropriation only
    assert by_code["retention_6_months"].values == [None, None, "62.5 %"]
    assert by_code["exits_durable_employment"].values == [None, "", ""]  # asked, not answered
    # The label of the latest phase asking the question (appropriation words it differently).
    assert by_code["people_accompanied"].label == "Nombre de personnes accompagnées depuis le démarrage"
    # Each code once, in phase order then question order.
    codes = [row.code for row in rows]
    assert len(codes) == len(set(codes))
    assert codes[0] == "political_support"
    assert set(codes) == set(
        Question.objects.filter(version__responses__structure=three_phases).values_list("code", flat=True)
    )


def test_comparison_page_shows_a_table_by_code(client, staff, three_phases):
    client.force_login(staff)

    response = client.get(reverse("evaluation:structure_compare", kwargs={"pk": three_phases.pk}))

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    row = re.search(r"<code[^>]*>people_accompanied</code></th>(.*?)</tr>", content, re.S)
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["5", "12", "30"]
    political = re.search(r"<code[^>]*>political_support</code></th>(.*?)</tr>", content, re.S).group(1)
    assert political.count('class="eval-not-asked"') == 2  # implementation and impact do not ask it
    exits = re.search(r"<code[^>]*>exits_durable_employment</code></th>(.*?)</tr>", content, re.S).group(1)
    assert exits.count('class="eval-not-asked"') == 1
    assert exits.count('class="eval-empty"') == 2  # asked, not answered yet
    for phase in Phase.values:
        url = reverse("evaluation:response_manage", kwargs={"pk": questionnaire(three_phases, phase).pk})
        assert f'href="{url}"' in content


def test_comparison_of_a_structure_without_questionnaire_is_empty(client, staff):
    client.force_login(staff)
    structure = structure_with_questionnaires(innovation=InnovationFactory(), start=None, name="Sans date")

    response = client.get(reverse("evaluation:structure_compare", kwargs={"pk": structure.pk}))

    assert response.status_code == 200
    assert "eval-compare" not in response.content.decode()


# Exports --------------------------------------------------------------------------------

NEW_CODE = "volunteers_mobilised"
FIDELITY = "Conforme au modèle"
FORMULA = '=HYPERLINK("http://exemple.invalid","Cliquez")'


@pytest.fixture
def two_versions(staff):
    """Implementation questionnaires: one answered on v1, one on v2 (which adds a question),
    one in progress, and another innovation's."""
    with FROZEN:
        department = DepartmentFactory(code="35", name="Ille-et-Vilaine")
        commune = CommuneFactory(code="35238", name="Rennes", department=department)
        gardien = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
        vita = InnovationFactory(name="VITA-Air", stage=Stage.ESSAIMAGE)
        on_v1 = structure_with_questionnaires(innovation=gardien, start=D(2025, 6, 1), wave=1, name="Régie Nord")
        on_v2 = structure_with_questionnaires(innovation=gardien, start=D(2025, 7, 1), wave=2, name="ACI Sud")
        started = structure_with_questionnaires(innovation=gardien, start=D(2025, 7, 1), wave=2, name="EI Est")
        other = structure_with_questionnaires(innovation=vita, start=D(2025, 6, 1), wave=1, name="AI Ouest")
        for structure in (on_v1, on_v2):
            structure.organisation.commune = commune
            structure.organisation.save()
        first = questionnaire(on_v1, Phase.IMPLEMENTATION)
        fill_required(
            first,
            by=staff,
            values={"people_accompanied": "40", "people_deld": "25", "activities": FORMULA, "fidelity": FIDELITY},
        )
        submit_response(first, by=staff)
        answer(questionnaire(started, Phase.IMPLEMENTATION), "people_accompanied", "7", by=staff)
        fill_required(questionnaire(other, Phase.IMPLEMENTATION), by=staff)
        submit_response(questionnaire(other, Phase.IMPLEMENTATION), by=staff)

        template = QuestionnaireTemplate.objects.get(phase=Phase.IMPLEMENTATION)
        draft = new_draft_version(template, by=staff)
        section = draft.sections.get(title="Partenaires et entreprises")
        Question.objects.create(
            version=draft,
            section=section,
            code=NEW_CODE,
            position=0,
            label="Bénévoles mobilisés",
            kind=QuestionKind.INTEGER,
            min_value=0,
        )
        publish_version(draft, by=staff)
        second = questionnaire(on_v2, Phase.IMPLEMENTATION)
        assert second.version == draft  # it had not started: it moved to v2
        fill_required(second, by=staff, values={"people_accompanied": "18", NEW_CODE: "6", "fidelity": FIDELITY})
        submit_response(second, by=staff)
    return {"v1": first, "v2": second, "draft": draft, "gardien": gardien}


def _csv(response):
    body = response.content
    assert body.startswith("\ufeff".encode())  # BOM for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response):
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    return workbook, sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def _codes_of_v2(two_versions):
    return list(
        Question.objects.filter(version=two_versions["draft"])
        .order_by("section__position", "position", "pk")
        .values_list("code", flat=True)
    )


@FROZEN
def test_export_csv_one_row_per_structure_one_column_per_code(client, english, staff, two_versions):
    client.force_login(staff)

    response = client.get(reverse("evaluation:export", kwargs={"phase": Phase.IMPLEMENTATION, "fmt": "csv"}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="evaluation-implementation-2026-06-15.csv"' in response["Content-Disposition"]
    header, *rows = _csv(response)
    codes = _codes_of_v2(two_versions)
    assert NEW_CODE in codes
    assert header == IDENTIFICATION + codes  # in the latest version's order
    assert [row[:2] for row in rows] == [
        ["Parcours Gardien", "ACI Sud"],
        ["Parcours Gardien", "Régie Nord"],
        ["VITA-Air", "AI Ouest"],
    ]  # submitted only: EI Est (in progress) is left out
    values = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    first, second = values["Régie Nord"], values["ACI Sud"]
    assert first["Department"] == "Ille-et-Vilaine"
    assert (first["Wave"], first["Version"], second["Wave"], second["Version"]) == ("1", "1", "2", "2")
    assert first["Submitted on"] == "15/06/2026 10:00"  # Paris time
    assert (first["people_accompanied"], first["people_deld"], first[NEW_CODE]) == ("40", "25", "")
    assert (second["people_accompanied"], second[NEW_CODE]) == ("18", "6")
    assert first["fidelity"] == "Conforme au modèle"
    assert first["activities"] == "'" + FORMULA  # neutralised: never run as a formula


@FROZEN
def test_export_xlsx_reads_back_the_same_table(client, english, staff, two_versions):
    client.force_login(staff)

    response = client.get(reverse("evaluation:export", kwargs={"phase": Phase.IMPLEMENTATION, "fmt": "xlsx"}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook, sheet, (header, *rows) = _xlsx(response)
    assert header == IDENTIFICATION + _codes_of_v2(two_versions)
    values = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(values) == {"Régie Nord", "ACI Sud", "AI Ouest"}
    assert values["Régie Nord"]["people_accompanied"] == 40  # figures are numbers
    assert values["Régie Nord"][NEW_CODE] in (None, "")
    assert values["ACI Sud"][NEW_CODE] == 6
    assert values["ACI Sud"]["Version"] == 2
    # The formula is kept as text: stored as a string cell, not a formula cell.
    cell = sheet.cell(row=[r[1] for r in rows].index("Régie Nord") + 2, column=header.index("activities") + 1)
    assert cell.value == FORMULA
    assert cell.data_type == "s"
    legend = workbook.worksheets[1]
    legend_codes = [row[0] for row in legend.iter_rows(min_row=2, values_only=True)]
    assert legend_codes == _codes_of_v2(two_versions)


@FROZEN
def test_export_all_includes_questionnaires_in_progress_and_filters_innovation(client, english, staff, two_versions):
    client.force_login(staff)
    url = reverse("evaluation:export", kwargs={"phase": Phase.IMPLEMENTATION, "fmt": "csv"})

    response = client.get(url, {"all": "1", "innovation": two_versions["gardien"].pk})

    header, *rows = _csv(response)
    names = [row[1] for row in rows]
    assert names == ["ACI Sud", "EI Est", "Régie Nord"]
    started = dict(zip(header, rows[1], strict=True))
    assert started["people_accompanied"] == "7"
    assert started["Submitted on"] == ""


@FROZEN
def test_export_of_a_phase_without_answers_has_the_current_codes(client, english, staff, two_versions):
    client.force_login(staff)

    response = client.get(reverse("evaluation:export", kwargs={"phase": Phase.IMPACT, "fmt": "csv"}))

    header, *rows = _csv(response)
    assert rows == []
    assert "retention_6_months" in header


@pytest.mark.parametrize(("phase", "fmt"), [("bilan", "csv"), (Phase.IMPACT, "pdf")])
def test_export_unknown_phase_or_format_is_404(client, staff, phase, fmt):
    client.force_login(staff)

    response = client.get(reverse("evaluation:export", kwargs={"phase": phase, "fmt": fmt}))

    assert response.status_code == 404


def test_export_keeps_only_submitted_and_validated_by_default(client, english, staff, two_versions):
    client.force_login(staff)

    response = client.get(reverse("evaluation:export", kwargs={"phase": Phase.IMPLEMENTATION, "fmt": "csv"}))

    header, *rows = _csv(response)
    with translation.override("en"):
        submitted = str(ResponseStatus.SUBMITTED.label)
    assert [row[header.index("Status")] for row in rows] == [submitted] * 3


def test_structure_from_unknown_organisation_department_is_blank(client, english, staff):
    with FROZEN:
        organisation = OrganisationFactory(name="Sans commune", commune=None)
        innovation = InnovationFactory(name="TAPAJ")
        structure = structure_with_questionnaires(innovation=innovation, start=D(2025, 6, 1))
        structure.organisation = organisation
        structure.save()
        response = questionnaire(structure, Phase.IMPLEMENTATION)
        fill_required(response, by=staff)
        submit_response(response, by=staff)
        client.force_login(staff)

        exported = client.get(reverse("evaluation:export", kwargs={"phase": Phase.IMPLEMENTATION, "fmt": "csv"}))

    header, row = _csv(exported)
    assert row[:3] == ["TAPAJ", "Sans commune", ""]
