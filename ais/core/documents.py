"""The documents the app produces, written once: PDF (WeasyPrint, from a template),
spreadsheets (XLSX with openpyxl, CSV for French Excel) and their downloads.

Text typed by users never becomes a spreadsheet formula (CSV / formula injection): a CSV
cell that would start a formula gets a leading apostrophe (``neutralise``), an XLSX cell
is stored as text. The apps bring their rows; this module knows no domain app.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from .uploads import PDF, XLSX

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = XLSX.mime
PDF_CONTENT_TYPE = PDF.mime

# The house style of the PDF documents (dossier, minutes, attendance sheets).
PDF_CSS = str(settings.BASE_DIR / "static" / "css" / "pdf.css")

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value):
    """The value as plain text for a CSV cell: a leading apostrophe stops a formula."""
    return f"'{value}" if looks_like_formula(value) else value


# --------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------


def attachment(body: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """``body`` as a file to download under ``filename`` (never shown in the page)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None, stylesheets: Sequence = ()) -> bytes:
    """The template rendered to HTML, then to PDF by WeasyPrint with ``stylesheets``
    (paths of CSS files); relative addresses resolve against ``base_url`` (the site's)."""
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url or settings.SITE_URL).write_pdf(
        stylesheets=[CSS(filename=str(path)) for path in stylesheets]
    )


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    return attachment(pdf, filename, PDF_CONTENT_TYPE)


# --------------------------------------------------------------------------
# Spreadsheets
# --------------------------------------------------------------------------


class Sheet(NamedTuple):
    """One sheet of a workbook: a bold header row, then the rows. ``freeze``: the cell
    above and left of which rows and columns stay in view; ``widths``: the columns'
    widths (None: from the header's lengths)."""

    title: str
    headers: Sequence
    rows: Iterable[Sequence]
    freeze: str | None = "A2"
    widths: Sequence[float] | str | None = None


def _header_width(name) -> int:
    return max(12, min(40, len(str(name)) + 4))


def _format_cell(cell, value) -> None:
    if looks_like_formula(value):
        cell.data_type = "s"  # stored as text, never evaluated as a formula
    elif isinstance(value, datetime.datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"


def xlsx_workbook(sheets: Iterable[Sheet | tuple], *, title: str | None = None) -> bytes:
    """An XLSX file of ``sheets`` (``Sheet`` or ``(title, headers, rows)``); a cell that
    would start a formula is stored as text, never evaluated."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_spec in sheets:
        spec = sheet_spec if isinstance(sheet_spec, Sheet) else Sheet(*sheet_spec)
        sheet = workbook.create_sheet(str(spec.title)[:31])
        headers = [str(name) for name in spec.headers]
        sheet.append(headers)
        for column, value in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=column)
            cell.font = Font(bold=True)
            _format_cell(cell, value)
        longest = [len(name) for name in headers]
        for number, row in enumerate(spec.rows, start=2):
            row = list(row)
            sheet.append(row)
            # The row's cells by position: ``sheet[number]`` would scan the whole sheet each time.
            for column, value in enumerate(row, start=1):
                _format_cell(sheet.cell(row=number, column=column), value)
                if column <= len(longest):
                    longest[column - 1] = max(longest[column - 1], len(str(value or "")))
        if spec.freeze:
            sheet.freeze_panes = spec.freeze
        if spec.widths == "fit":
            widths = [max(10, min(50, length + 2)) for length in longest]
        elif spec.widths is not None:
            widths = spec.widths
        else:
            widths = [_header_width(name) for name in spec.headers]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    if title:
        workbook.properties.title = str(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Iterable[Sheet | tuple], *, title: str | None = None) -> HttpResponse:
    return attachment(xlsx_workbook(sheets, title=title), filename, XLSX_CONTENT_TYPE)


def csv_bytes(headers: Sequence, rows: Iterable[Sequence], *, cell: Callable = neutralise) -> bytes:
    """Semicolon-separated UTF-8 with a BOM, as French Excel opens it; every value goes
    through ``cell`` (``neutralise`` unless the caller formats more)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows([cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(filename: str, headers: Sequence, rows: Iterable[Sequence], *, cell: Callable = neutralise):
    return attachment(csv_bytes(headers, rows, cell=cell), filename, CSV_CONTENT_TYPE)
