"""Exports of dossiers: list as CSV / XLSX, one dossier as PDF. Internal notes are
never part of an export."""

import csv
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Dossier

PDF_CSS = str(settings.BASE_DIR / "static" / "css" / "pdf.css")


def dossier_rows(dossiers):
    """Header and rows of the dossier list, in French, same for CSV and XLSX."""
    header = [
        _("No."),
        _("Organisation"),
        _("Innovation"),
        _("Status"),
        _("Submitted on"),
        _("Commune"),
        _("Department"),
        _("Target publics"),
        _("Keywords"),
        _("Year started"),
        _("People accompanied"),
        _("Exits to employment"),
        _("Exit rate (%)"),
        _("Job retention (%)"),
        _("Period"),
        _("Formalisation"),
        _("Attachments"),
    ]
    rows = []
    for d in dossiers:
        commune = d.origin_commune
        rows.append(
            [
                d.pk,
                d.organisation.name,
                d.innovation_name,
                d.get_status_display(),
                timezone.localtime(d.submitted_at).strftime("%d/%m/%Y %H:%M") if d.submitted_at else "",
                commune.name if commune else "",
                commune.department.name if commune else "",
                ", ".join(d.publics_display),
                ", ".join(d.keywords_display),
                d.year_started or "",
                d.people_accompanied if d.people_accompanied is not None else "",
                d.exits_to_employment if d.exits_to_employment is not None else "",
                d.exit_rate if d.exit_rate is not None else "",
                d.job_retention_rate if d.job_retention_rate is not None else "",
                d.results_period,
                d.get_formalisation_level_display(),
                getattr(d, "attachment_count", ""),
            ]
        )
    return header, rows


# A cell starting with one of these is run as a formula by spreadsheet programs:
# text typed by carriers must never become one (CSV / formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _neutralised(value):
    """The value as plain text for a CSV cell: a leading apostrophe stops a formula."""
    return f"'{value}" if _looks_like_formula(value) else value


# Public names for the other apps' exports.
neutralise = _neutralised
looks_like_formula = _looks_like_formula


def dossiers_csv(dossiers) -> bytes:
    header, rows = dossier_rows(dossiers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([_neutralised(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def dossiers_xlsx(dossiers, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, rows = dossier_rows(dossiers)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Dossiers")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if _looks_like_formula(cell.value):
                cell.data_type = "s"  # stored as text, never evaluated as a formula
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(str(name)) + 4))
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dossier_pdf(dossier: Dossier, *, base_url: str) -> bytes:
    """The dossier as submitted, for the carrier's receipt and the managers' file."""
    from weasyprint import CSS, HTML

    from .services import completeness

    html = render_to_string(
        "projects/pdf/dossier.html",
        {
            "dossier": dossier,
            "call": dossier.call,
            "attachments": list(dossier.attachments.all()),
            "completeness": completeness(dossier),
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(filename=PDF_CSS)])
