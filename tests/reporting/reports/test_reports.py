"""Reports rendered for real: the PDF's text is read back, the XLSX reopened."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from essaimage.models import StructureStatus
from evaluation.models import Answer, Phase, Response, ResponseStatus
from evaluation.schedule import schedule_for_structure
from reporting import reports
from reporting.models import Report, ReportKind, ReportStatus
from tests.ais.factories import CommuneFactory, DepartmentFactory, OrganisationFactory, RegionFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory, InnovationTargetFactory

pytestmark = pytest.mark.django_db


def _answer(structure, phase, values, status=ResponseStatus.VALIDATED, when=datetime.datetime(2026, 3, 10, 12)):
    response = Response.objects.get(structure=structure, phase=phase)
    questions = {q.code: q for q in response.version.questions.all()}
    for code, value in values.items():
        Answer.objects.create(response=response, question=questions[code], value=value, revision=1)
    Response.objects.filter(pk=response.pk).update(status=status, submitted_at=timezone.make_aware(when))
    return response


@pytest.fixture
def innovation():
    # Selected in 2024: the programme report lists the innovations selected by its date.
    innovation = InnovationFactory(
        name="Parcours Gardien", summary="Devenir gardien d'immeuble.", selected_on=datetime.date(2024, 6, 12)
    )
    InnovationTargetFactory(
        innovation=innovation, label="Taux de sortie vers l'emploi", value=50, indicator_code="exit_rate"
    )
    gard = DepartmentFactory(code="30", name="Gard", region=RegionFactory(code="76", name="Occitanie"))
    communes = [CommuneFactory(), CommuneFactory(code="30189", name="Nîmes", department=gard)]
    for index, (name, commune) in enumerate(
        [("Régie de quartier Saint-Nicaise", communes[0]), ("Chantier Nîmes Solidarité", communes[1])]
    ):
        structure = SpreadStructureFactory(
            innovation=innovation,
            organisation=OrganisationFactory(name=name, commune=commune),
            start_date=datetime.date(2024, 9, 2),
            wave=index + 1,
        )
        schedule_for_structure(structure.pk)
        _answer(
            structure,
            Phase.APPROPRIATION,
            {
                "political_support": 4,
                "professionals_trained": 3,
                "fidelity": "Conforme au modèle",
                "obstacles": ["Financement"],
            },
        )
        _answer(
            structure,
            Phase.IMPACT,
            {
                "people_accompanied": 40 + 10 * index,
                "exits_durable_employment": 20,
                "exits_transitional_employment": 5,
                "retention_6_months": 90,
                "testimony": f"Témoignage de la structure {index}",
            },
        )
    SpreadStructureFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Structure partie", commune=communes[0]),
        status=StructureStatus.WITHDRAWN,
        withdrawn_on=datetime.date(2025, 2, 1),
        withdrawal_reason="Fermeture",
    )
    return innovation


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _pdf_text(data: bytes) -> str:
    """The PDF's text with its whitespace collapsed (table cells wrap long names)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_final_report_pdf_has_the_figures_headings_and_texts(innovation, manager, django_capture_on_commit_callbacks):
    narrative = reports.narrative_for(innovation, ReportKind.FINAL)
    quote = reports.quote_candidates(innovation).filter(question__code="testimony").first()
    reports.save_narrative(
        innovation,
        ReportKind.FINAL,
        summary="Un essaimage réussi.",
        conclusions="Les structures ont adopté le modèle.",
        recommendations="Poursuivre dans trois nouveaux départements.",
        quotes=[quote.pk],
        revision=narrative.revision,
        by=manager,
    )
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.request_report(innovation, ReportKind.FINAL, by=manager)

    reports.generate(report.pk)

    report.refresh_from_db()
    assert (report.status, report.progress, report.version) == (ReportStatus.DONE, 100, 1)
    text = _pdf_text(_read(report.pdf))
    for expected in [
        "Parcours Gardien",
        "Rapport final",
        "Chiffres clés",
        "90",
        "Régie de quartier Saint-Nicaise",
        "Chantier Nîmes Solidarité",
        "Appropriation de l'innovation",
        "Les structures ont adopté le modèle.",
        "Poursuivre dans trois nouveaux départements.",
        "Témoignage de la structure",
        "Taux de sortie vers l'emploi",
    ]:
        assert expected in text, expected
    # 90 people accompanied, 50 exits to employment: 55.6 %, above the 50 % target.
    assert "55,6 %" in text
    assert "Atteint" in text


def test_report_versions_keep_their_texts(innovation, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = reports.request_report(innovation, ReportKind.FINAL, by=manager)
        narrative = reports.narrative_for(innovation, ReportKind.FINAL)
        reports.save_narrative(
            innovation,
            ReportKind.FINAL,
            summary="",
            conclusions="Nouvelle conclusion",
            recommendations="",
            quotes=[],
            revision=narrative.revision,
            by=manager,
        )
        second = reports.request_report(innovation, ReportKind.FINAL, by=manager)

    assert (first.version, second.version) == (1, 2)
    assert first.narrative["conclusions"] == ""
    assert second.narrative["conclusions"] == "Nouvelle conclusion"


def test_narrative_saved_by_someone_else_is_not_overwritten(innovation, manager):
    narrative = reports.narrative_for(innovation, ReportKind.FINAL)
    reports.save_narrative(
        innovation,
        ReportKind.FINAL,
        summary="",
        conclusions="Première",
        recommendations="",
        quotes=[],
        revision=narrative.revision,
        by=manager,
    )

    with pytest.raises(reports.ReportError):
        reports.save_narrative(
            innovation,
            ReportKind.FINAL,
            summary="",
            conclusions="Seconde",
            recommendations="",
            quotes=[],
            revision=narrative.revision,
            by=manager,
        )
    assert reports.narrative_for(innovation, ReportKind.FINAL).conclusions == "Première"


def test_intermediate_report_needs_answers_to_the_nine_month_phase(innovation, manager):
    with pytest.raises(reports.ReportError, match="Mise en œuvre"):
        reports.request_report(innovation, ReportKind.INTERMEDIATE, by=manager)
    assert not Report.objects.exists()


def test_yearly_report_pdf_and_xlsx(innovation, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.request_yearly_report(2026, by=admin_user)

    reports.generate(report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    text = _pdf_text(_read(report.pdf))
    for expected in ["Rapport du programme", "2026", "Parcours Gardien", "Gard", "Seine-Maritime"]:
        assert expected in text, expected
    workbook = load_workbook(io.BytesIO(_read(report.xlsx)))
    assert len(workbook.sheetnames) == 5
    figures = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert figures["Structures essaimées"] == 2  # the withdrawn one is not counted
    assert figures["Départements atteints"] == 2
    assert figures["Personnes accompagnées"] == 90


def test_report_pages_turn_into_images(innovation, manager, tmp_path, django_capture_on_commit_callbacks):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.request_report(innovation, ReportKind.FINAL, by=manager)
    reports.generate(report.pk)
    report.refresh_from_db()
    pdf = tmp_path / "final.pdf"
    pdf.write_bytes(_read(report.pdf))

    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)

    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(str(pdf)).pages) >= 4
    from pathlib import Path

    artefacts = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"
    artefacts.mkdir(parents=True, exist_ok=True)
    for page in pages:
        shutil.copy(page, artefacts / f"final-report-{page.name}")


def test_generating_twice_does_nothing_more(innovation, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.request_report(innovation, ReportKind.FINAL, by=manager)
    reports.generate(report.pk)
    finished_at = Report.objects.get(pk=report.pk).finished_at

    assert reports.generate(report.pk) is None
    assert Report.objects.get(pk=report.pk).finished_at == finished_at
