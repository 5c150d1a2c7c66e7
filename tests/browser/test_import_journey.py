"""The import of the programme's history in a real browser (issue 15, "done when" 5): an
administrator downloads the template, fills two sheets (innovations and structures; the
example rows of the two others are left as they are, and skipped), uploads it, sees the
preview with one row in error (a wrong municipality code, named by sheet, row and
column), corrects it, uploads again, confirms the import, then downloads the 2017
yearly report, whose figures are those of 31 December 2017: the two structures started
in 2017 in their two departments, not the one started in 2018.

The checking and the import run in a real Celery worker on the test Redis, as in
production; the page polls their progress.
"""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from ais.accounts.models import Membership, Role, User
from archive.models import HistoryImport, ImportStatus
from essaimage.models import SpreadStructure
from evaluation.models import Reminder
from reporting.models import Report, ReportKind
from tests.archive.helpers import d, make_communes
from tests.browser.axe_helpers import check_axe
from tests.browser.journey_helpers import PASSWORD, celery_worker, download, expect_success, log_in, pdf_text, visit

__all__ = ["celery_worker"]  # a fixture, used by name

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "bruno.lambert@ansa.fr"
INNOVATIONS = [
    ["atelier-emploi", "Atelier Emploi", "Des ateliers collectifs qui mènent à l'emploi.", None,
     "Association Atelier Emploi", "35238", "35238", 2016, d("24/06/2016"), "formation_action", d("01/09/2016"),
     d("16/01/2017"), d("01/06/2017")],
]  # fmt: skip
# innovation, SIRET, structure, municipality, type, wave, selected, agreement, start
STRUCTURES = [
    ["atelier-emploi", None, "Régie de quartier Nantes Nord", "44109", "Régie de quartier", 1, d("10/03/2017"),
     d("03/04/2017"), d("01/06/2017")],
    ["atelier-emploi", None, "ACI Les Jardins du Rhône", "69123", "aci", 1, d("15/09/2017"), None, d("01/10/2017")],
    ["atelier-emploi", None, "Association Lille Emploi", "59999", "association", 2, d("05/01/2018"), None,
     d("01/02/2018")],
]  # fmt: skip


@pytest.fixture
def administrator(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    make_communes()
    admin = User.objects.create_user(ADMIN_EMAIL, PASSWORD, first_name="Bruno", last_name="Lambert")
    Membership.objects.create(user=admin, role=Role.ADMIN)
    return admin


def _fill(template: bytes, structures) -> bytes:
    """The template with its sheets Innovations and Structures filled (example rows replaced)."""
    workbook = load_workbook(io.BytesIO(template))
    for title, rows in (("Innovations", INNOVATIONS), ("Structures", structures)):
        sheet = workbook[title]
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(page, path) -> None:
    visit(page, "/suivi/import/")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/suivi/import/*/")


def test_administrator_imports_the_history_then_downloads_the_2017_report(page, administrator, celery_worker, tmp_path):
    log_in(page, ADMIN_EMAIL)
    visit(page, "/suivi/import/")
    expect(page.locator("h1")).to_have_text("Import de l'historique du programme")
    page.shot("01-import-page")
    check_axe(page, "01-import-page")

    # 1. The template, filled in two sheets, with a wrong municipality code on row 4.
    name, template = download(page, page.get_by_role("link", name="Télécharger le modèle (XLSX)").click, tmp_path)
    assert name == "ais-emploi-historique-modele.xlsx"
    wrong = tmp_path / "historique-avec-erreur.xlsx"
    wrong.write_bytes(_fill(template, STRUCTURES))

    # 2. Upload: the checking waits for a worker, then the preview names the cell in error.
    _upload(page, wrong)
    expect_success(page, "Le classeur est en cours de vérification")
    status = page.locator("#import-status")
    expect(status).to_contain_text("En cours de vérification")
    page.shot("02-checking")
    celery_worker()
    expect(status.locator(".import-errors li")).to_have_count(1, timeout=30_000)
    expect(status).to_contain_text(
        "Feuille « Structures », ligne 4, colonne « code commune » : 59999 n'est pas un code commune INSEE du "
        "référentiel"
    )
    expect(status).to_contain_text("1 erreur à corriger")
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    page.shot("03-preview-with-one-error")
    check_axe(page, "03-preview-with-one-error")
    assert SpreadStructure.objects.count() == 0

    # 3. The corrected workbook: the preview says what would be created, then the import.
    STRUCTURES[2][3] = "59350"
    corrected = tmp_path / "historique.xlsx"
    corrected.write_bytes(_fill(template, STRUCTURES))
    _upload(page, corrected)
    status = page.locator("#import-status")
    expect(status).to_contain_text("Aperçu : ce que ferait l'import", timeout=30_000)
    expect(status.get_by_role("row", name="Structures 3 0 0")).to_be_visible()
    expect(status).to_contain_text("2 lignes d'exemple du modèle ignorées.")
    page.shot("04-preview-ready")
    check_axe(page, "04-preview-ready")
    page.get_by_role("button", name="Importer").click()
    expect_success(page, "L'import a commencé")
    expect(page.locator("#import-status")).to_contain_text("Ce qui a été importé", timeout=30_000)
    page.shot("05-imported")
    check_axe(page, "05-imported")
    record = HistoryImport.objects.latest("pk")
    assert record.status == ImportStatus.DONE and record.confirmed_by == administrator
    assert SpreadStructure.objects.count() == 3
    assert Reminder.objects.count() == 0

    # 4. The 2017 yearly report: the figures of 31 December 2017.
    page.locator("#import-status").get_by_role("link", name="Rapport annuel du programme").click()
    page.wait_for_url("**/suivi/rapports/programme/")
    page.locator("#id_year").select_option("2017")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/suivi/rapports/programme/")
    report = Report.objects.get(kind=ReportKind.YEARLY)
    pdf_link = page.locator(f"#report-status-{report.pk} a[href='/suivi/rapports/{report.pk}/pdf/']")
    xlsx_link = page.locator(f"#report-status-{report.pk} a[href='/suivi/rapports/{report.pk}/xlsx/']")
    expect(pdf_link).to_be_visible(timeout=45_000)
    page.shot("06-report-2017-ready")
    name, data = download(page, pdf_link.click, tmp_path)
    text = pdf_text(data)
    assert "2017" in text and "Atelier Emploi" in text, text[:1500]
    assert "Loire-Atlantique" in text and "Rhône" in text, text[:3000]
    name, data = download(page, xlsx_link.click, tmp_path)
    cells = [
        str(value)
        for sheet in load_workbook(io.BytesIO(data), read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert "Loire-Atlantique" in cells and "Rhône" in cells
    assert "Nord" not in cells  # Lille's structure started in 2018
