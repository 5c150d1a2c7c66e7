"""``manage.py programme_report`` writes the same PDF and XLSX as the yearly report page,
on the small history of ``tests/history/builder.py``."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import reports
from tests.history.builder import EXPECTED_SINCE_START

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
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


def test_since_the_start_report_and_command(history, tmp_path):
    call_command("programme_report", since_start=True, out=str(tmp_path))

    sheets = _sheets((tmp_path / "ais-emploi-programme-depuis-2015.xlsx").read_bytes())
    key = _key_figures(sheets)
    assert key["Chiffres au"] == datetime.datetime(2026, 12, 6)
    assert key["Structures essaimées"] == EXPECTED_SINCE_START["structures_spread"]
    assert key["Personnes accompagnées"] == EXPECTED_SINCE_START["people_reached"]
    assert key["Sorties vers l'emploi"] == EXPECTED_SINCE_START["exits_to_employment"]
    assert key["Départements atteints"] == 3
    assert sheets["Départements"][1:] == [("30", "Gard", 1), ("69", "Rhône", 2), ("76", "Seine-Maritime", 2)]
    text = _pdf_text((tmp_path / "ais-emploi-programme-depuis-2015.pdf").read_bytes())
    assert "Rapport du programme depuis le début du programme" in text
    assert "Chiffres au 6 décembre 2026" in text


def test_command_writes_the_same_files_as_the_page(history, admin_user, tmp_path, django_capture_on_commit_callbacks):
    _pdf, xlsx = _generate(2017, admin_user, django_capture_on_commit_callbacks)

    printed = io.StringIO()
    call_command("programme_report", year=2017, out=str(tmp_path / "rapports"), stdout=printed)

    assert printed.getvalue().splitlines() == [
        str(tmp_path / "rapports" / "ais-emploi-programme-2017.pdf"),
        str(tmp_path / "rapports" / "ais-emploi-programme-2017.xlsx"),
    ]
    assert sorted(p.name for p in (tmp_path / "rapports").iterdir()) == [
        "ais-emploi-programme-2017.pdf",
        "ais-emploi-programme-2017.xlsx",
    ]
    assert _sheets((tmp_path / "rapports" / "ais-emploi-programme-2017.xlsx").read_bytes()) == _sheets(xlsx)
    text = _pdf_text((tmp_path / "rapports" / "ais-emploi-programme-2017.pdf").read_bytes())
    assert "Chiffres au 31 décembre 2017" in text and "Gard (30) 1" in text


def test_command_refuses_a_year_outside_the_programme(db, tmp_path):
    with pytest.raises(CommandError, match="--year"):
        call_command("programme_report", year=2010, out=str(tmp_path))
    with pytest.raises(CommandError):
        call_command("programme_report", out=str(tmp_path))
