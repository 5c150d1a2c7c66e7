"""An innovation's final report and the yearly programme report in a real browser
(issue 7, "done when" 3): the programme manager writes the conclusions and the
recommendations, looks at the HTML preview, asks for the final report and watches
its progress while a real Celery worker builds it (the page polls the report's
status), then downloads the PDF, whose text holds the conclusions. An
administrator then generates the yearly programme report and downloads its PDF
and its XLSX (one sheet per table).

The reports are built by the ``evaluation.generate_report`` task through the test
Redis, as in production: the worker is started once the page has shown the report
waiting.
"""

import datetime
import io
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Membership, Organisation, OrganisationType, Role, User
from essaimage.models import SpreadStructure, StructureStatus
from evaluation.models import Answer, Phase, Response, ResponseStatus
from evaluation.schedule import current_version, schedule_for_structure
from projects.models import Innovation, InnovationTarget, Stage
from reporting.models import Report, ReportKind, ReportStatus
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import load_demo_territories
from tests.browser.journey_helpers import (
    PASSWORD,
    celery_worker,
    download,
    expect_success,
    log_in,
    new_page,
    pdf_text,
    visit,
)

__all__ = ["celery_worker", "new_page"]  # fixtures, used by name

pytestmark = pytest.mark.browser

MANAGER_EMAIL = "camille.fontaine@ansa.fr"
ADMIN_EMAIL = "bruno.lambert@ansa.fr"
INNOVATION_NAME = "Cap Jardins Solidaires"
SUMMARY = "Trois structures ont adopté la méthode en 2025 ; 120 personnes accompagnées en dix-huit mois."
CONCLUSIONS = "Les trois structures obtiennent plus de soixante pour cent de sorties vers l'emploi."
RECOMMENDATIONS = "Ouvrir une deuxième vague dans les territoires ruraux, avec un appui renforcé au recrutement."
# (structure, commune, people accompanied, exits to durable employment, to transitional employment)
STRUCTURES = [
    ("Jardins de Cocagne du Havre", "76351", 40, 18, 6),
    ("Régie de quartier Nîmes Pissevin", "30189", 50, 22, 8),
    ("ACI Les Potagers de Lille", "59350", 30, 12, 4),
]


@pytest.fixture
def answered_innovation(transactional_db, settings):
    """An innovation whose three structures answered and got validated their 18-month
    (impact) questionnaires, a programme manager and an administrator."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    load_demo_territories()
    for phase in Phase.values:
        current_version(phase)  # the default questionnaires
    manager = User.objects.create_user(MANAGER_EMAIL, PASSWORD, first_name="Camille", last_name="Fontaine")
    Membership.objects.create(user=manager, role=Role.MANAGER)
    admin = User.objects.create_user(ADMIN_EMAIL, PASSWORD, first_name="Bruno", last_name="Lambert")
    Membership.objects.create(user=admin, role=Role.ADMIN)
    carrier = Organisation.objects.create(
        name="Réseau Cocagne Normandie", kind=OrganisationType.ASSOCIATION, commune_id="76540"
    )
    innovation = Innovation.objects.create(
        name=INNOVATION_NAME,
        slug="cap-jardins-solidaires",
        summary="Des chantiers maraîchers qui mènent à l'emploi durable.",
        carrier=carrier,
        origin_commune_id="76540",
        stage=Stage.EVALUATION,
        lead_manager=manager,
        year_selected=timezone.localdate().year - 2,
        is_published=True,
    )
    InnovationTarget.objects.create(
        innovation=innovation,
        kind="quantitative",
        label="Taux de sortie vers l'emploi",
        value=50,
        unit="%",
        indicator_code="exit_rate",
    )
    start = timezone.localdate() - relativedelta(months=19)
    submitted = timezone.now() - datetime.timedelta(hours=2)
    for name, commune, people, durable, transitional in STRUCTURES:
        organisation = Organisation.objects.create(name=name, kind=OrganisationType.ACI, commune_id=commune)
        structure = SpreadStructure.objects.create(
            innovation=innovation,
            organisation=organisation,
            status=StructureStatus.SPREADING,
            wave=1,
            start_date=start,
            selected_on=start - datetime.timedelta(days=30),
        )
        schedule_for_structure(structure.pk)
        _answer(structure, Phase.APPROPRIATION, {"political_support": 4, "professionals_trained": 3}, submitted)
        _answer(
            structure,
            Phase.IMPACT,
            {
                "people_accompanied": people,
                "exits_durable_employment": durable,
                "exits_transitional_employment": transitional,
                "retention_6_months": 85,
                "testimony": f"Témoignage de {name} : la méthode a changé notre façon de travailler.",
            },
            submitted,
        )
    return innovation


def _answer(structure, phase, values, when) -> Response:
    """The structure's questionnaire of ``phase``, answered with ``values`` ({code: value}) and validated."""
    response = Response.objects.get(structure=structure, phase=phase)
    questions = {q.code: q for q in response.version.questions.all()}
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[code], value=value, revision=1) for code, value in values.items()
    )
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.VALIDATED, submitted_at=when)
    return response


def is_status_poll(report):
    return lambda r: r.url.endswith(f"/suivi/rapports/{report.pk}/etat/") and r.request.headers.get("hx-request")


def test_manager_writes_and_generates_the_final_report_and_an_administrator_exports_the_yearly_report(
    page, new_page, answered_innovation, celery_worker, tmp_path
):
    innovation = answered_innovation

    # 1. The manager writes the final report's texts --------------------------------------
    log_in(page, MANAGER_EMAIL)
    visit(page, f"/suivi/innovations/{innovation.pk}/")
    page.locator(f"main a[href='/suivi/innovations/{innovation.pk}/rapports/']").first.click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/rapports/")
    final = page.locator("section#final")
    generate = final.locator(f"form[action='/suivi/innovations/{innovation.pk}/rapports/final/generer/'] button")
    expect(generate).to_be_enabled()
    expect(page.locator("section#intermediate button[type=submit][disabled]")).to_have_count(1)  # no 9-month answers
    final.locator("#id_final-summary").fill(SUMMARY)
    final.locator("#id_final-conclusions").fill(CONCLUSIONS)
    final.locator("#id_final-recommendations").fill(RECOMMENDATIONS)
    quote = final.locator(".quote-choice input[type=checkbox]").first  # a structure's own words
    quote.check()
    page.shot("01-final-report-texts")
    check_axe(page, "01-final-report-texts")
    final.locator("form.narrative-form button[type=submit]").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/rapports/")
    expect_success(page)
    expect(page.locator("#id_final-conclusions")).to_have_value(CONCLUSIONS)

    # 2. The HTML preview, from the same template as the PDF ------------------------------
    page.locator(f"section#final a[href='/suivi/innovations/{innovation.pk}/rapports/final/apercu/']").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/rapports/final/apercu/")
    body = page.locator("body")
    expect(body).to_contain_text(INNOVATION_NAME)
    expect(body).to_contain_text(CONCLUSIONS)
    expect(body).to_contain_text(RECOMMENDATIONS)
    for name, *_rest in STRUCTURES:
        expect(body).to_contain_text(name)
    page.shot("02-final-report-preview")
    check_axe(page, "02-final-report-preview")
    page.go_back()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/rapports/")

    # 3. Generation: the page shows the report waiting, then follows its progress ----------
    generate.click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/rapports/")
    report = Report.objects.get(innovation=innovation, kind=ReportKind.FINAL)
    assert (report.version, report.status) == (1, ReportStatus.QUEUED)
    status = page.locator(f"#report-status-{report.pk}")
    expect(status.locator("[role=progressbar]")).to_be_visible()
    expect(status.locator("a[href$='/pdf/']")).to_have_count(0)
    with page.expect_response(is_status_poll(report), timeout=5_000):  # the page asks again every 2 s
        pass
    page.shot("03-final-report-waiting")
    check_axe(page, "03-final-report-waiting")

    celery_worker()  # a worker comes up and takes the queued task
    download_link = page.locator(f"#report-status-{report.pk} a[href='/suivi/rapports/{report.pk}/pdf/']")
    expect(download_link).to_be_visible(timeout=45_000)
    expect(page.locator(f"#report-status-{report.pk} [role=progressbar]")).to_have_count(0)
    page.shot("04-final-report-ready")
    check_axe(page, "04-final-report-ready")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.progress == 100 and report.duration_ms is not None

    name, data = download(page, download_link.click, tmp_path)
    assert name.endswith(".pdf")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (INNOVATION_NAME, CONCLUSIONS, RECOMMENDATIONS):
        assert expected in text, text[:1500]
    for structure_name, *_rest in STRUCTURES:
        assert structure_name in text, structure_name

    # 4. An administrator generates the yearly programme report: PDF and XLSX -------------
    admin_page = new_page("administrator")
    log_in(admin_page, ADMIN_EMAIL)
    visit(admin_page, "/suivi/rapports/programme/")
    year = timezone.localdate().year
    admin_page.locator("#id_year").select_option(str(year))
    page.shot("05-yearly-report-form", target=admin_page)
    check_axe(admin_page, "05-yearly-report-form")
    admin_page.locator("main form button[type=submit]").click()
    admin_page.wait_for_url("**/suivi/rapports/programme/")
    expect_success(admin_page)
    yearly = Report.objects.get(kind=ReportKind.YEARLY)
    assert (yearly.year, yearly.requested_by.email) == (year, ADMIN_EMAIL)
    pdf_link = admin_page.locator(f"#report-status-{yearly.pk} a[href='/suivi/rapports/{yearly.pk}/pdf/']")
    xlsx_link = admin_page.locator(f"#report-status-{yearly.pk} a[href='/suivi/rapports/{yearly.pk}/xlsx/']")
    expect(pdf_link).to_be_visible(timeout=45_000)
    expect(xlsx_link).to_be_visible()
    page.shot("06-yearly-report-ready", target=admin_page)
    check_axe(admin_page, "06-yearly-report-ready")

    name, data = download(admin_page, pdf_link.click, tmp_path)
    assert name.endswith(".pdf") and data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert str(year) in text and INNOVATION_NAME in text, text[:1500]
    assert re.search(r"\b120\b", text), "the 120 people accompanied by the three structures"

    name, data = download(admin_page, xlsx_link.click, tmp_path)
    assert name.endswith(".xlsx")
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert len(workbook.sheetnames) >= 3, workbook.sheetnames
    cells = [str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row]
    assert INNOVATION_NAME in cells

    # The manager's page showed both its own report and nothing of the yearly one.
    visit(page, f"/suivi/innovations/{innovation.pk}/rapports/")
    expect(page.locator(".report-table tbody tr")).to_have_count(1)
