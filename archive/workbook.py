"""Opening an uploaded workbook safely and reading its sheets as rows of cells.

Why openpyxl behind our own checks rather than django-import-export (or tablib): the
history is four sheets that refer to each other by natural keys (a structure names
its innovation by the innovation's identifier, a questionnaire its structure by SIRET
or name and municipality, a training its structures in a list); it must be checked
whole before anything is written and then written all or nothing over a dozen models
(organisations, innovations, stage plans and moves, structures, questionnaires and
their answers, trainings, days, trainees and attendance); and every refusal must say,
in French, which sheet, row and column is wrong and what was expected.
django-import-export works one resource (one model, one sheet) at a time with
per-row errors of its own wording, and would need every cross-sheet rule re-done
around it; openpyxl (already a dependency, kept by the Python Excel community) reads
the file in streaming mode and leaves the rules to us.

Before openpyxl opens anything, the file goes through ``ais.core.uploads``'
``DocumentValidator`` (type read from the bytes, ``.xlsx`` only, macros refused, the
zip's declared uncompressed sizes and compression ratio bounded: zip bombs) and the
checks below (the size of each inner file, no DTD in the XML parts, a bounded number
of sheets). openpyxl then reads in read-only mode; a sheet stops being read past
``MAX_ROWS`` data rows, and formulas are refused cell by cell (only values are
imported: a formula's result is not in the file for sure, and we do not evaluate it).
"""

import io
import logging
import zipfile
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ais.core.errors import DomainError
from ais.core.uploads import XLSX, DocumentValidator

from .sheets import DATA_SHEETS, MAX_COLUMNS, MAX_ROWS, REFERENCE_SHEETS, SHEETS, is_blank, normalise

logger = logging.getLogger(__name__)

MAX_IMPORT_SIZE = 10 * 1024 * 1024  # bytes uploaded
MAX_PART_SIZE = 80 * 1024 * 1024  # one XML part of the workbook, once inflated
MAX_SHEETS = 12
# Rows read in all, blank ones included (a sheet of a million formatted blank rows).
MAX_PHYSICAL_ROWS = 5 * MAX_ROWS


@dataclass
class Issue:
    """One thing wrong with the workbook: where (sheet, row, column; any may be empty
    for the file as a whole) and what was expected."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return describe(self.as_dict())


def describe(issue: dict) -> str:
    """The issue as one French sentence: « Feuille « X », ligne 7, colonne « Y » : … »."""
    sheet, row, column, message = issue.get("sheet"), issue.get("row"), issue.get("column"), issue["message"]
    if sheet and row and column:
        return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % {
            "sheet": sheet,
            "row": row,
            "column": column,
            "message": message,
        }
    if sheet and row:
        return _("Sheet “%(sheet)s”, row %(row)s: %(message)s") % {"sheet": sheet, "row": row, "message": message}
    if sheet and column:
        return _("Sheet “%(sheet)s”, column “%(column)s”: %(message)s") % {
            "sheet": sheet,
            "column": column,
            "message": message,
        }
    if sheet:
        return _("Sheet “%(sheet)s”: %(message)s") % {"sheet": sheet, "message": message}
    return str(message)


class WorkbookRefused(DomainError):
    """The file cannot be read as a history workbook; ``issues`` says why (nothing was written)."""

    def __init__(self, issues: list[Issue]):
        super().__init__(str(issues[0]) if issues else "", code="refused")
        self.issues = issues


def refuse(message, **where) -> WorkbookRefused:
    return WorkbookRefused([Issue(str(message), **where)])


# --------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------


def check_file(upload) -> None:
    """Refuse what is not a plain XLSX workbook of a sane size (``WorkbookRefused``).
    ``upload`` is a file object with a ``name`` (an upload, or a file opened by the
    command); it is read from the start and left at the start."""
    try:
        DocumentValidator((XLSX,), max_size=MAX_IMPORT_SIZE)(upload)
    except ValidationError as error:
        raise refuse(" ".join(str(message) for message in error.messages)) from error
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            for info in infos:
                if info.file_size > MAX_PART_SIZE:
                    raise refuse(
                        _("The workbook holds a part of %(size)s MB once inflated: the limit is %(max)s MB.")
                        % {"size": number_format(info.file_size / 1024 / 1024, 0), "max": MAX_PART_SIZE // 1024 // 1024}
                    )
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with archive.open(info) as member:
                        head = member.read(4096).lower()
                    if b"<!doctype" in head or b"<!entity" in head:
                        raise refuse(_("The workbook declares XML entities (DTD): it was refused for safety."))
            sheets = [
                info for info in infos if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            ]
            if len(sheets) > MAX_SHEETS:
                raise refuse(
                    _("The workbook has %(count)s sheets: %(max)s at most.") % {"count": len(sheets), "max": MAX_SHEETS}
                )
    except zipfile.BadZipFile as error:
        raise refuse(_("This file is damaged: it cannot be opened as a workbook.")) from error
    finally:
        upload.seek(0)


# --------------------------------------------------------------------------
# The sheets
# --------------------------------------------------------------------------


@dataclass
class SheetData:
    """A data sheet as read: its columns (a ``Column`` of the sheet's format, or a
    question code) and its non-blank rows as ``(row number, values)``."""

    name: str
    headers: list  # the header texts, as typed
    columns: list  # Column or str (question code), by position
    rows: list


def read_workbook(data: bytes, question_codes: set[str]) -> dict[str, SheetData]:
    """The four data sheets of a checked workbook (``check_file`` first). Refuses
    unknown or missing sheets, unknown, missing or repeated headers, formulas and
    sheets of more than ``MAX_ROWS`` rows, with every issue found (``WorkbookRefused``)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        logger.info("Workbook refused by openpyxl: %r", error)
        raise refuse(_("This file is damaged: it cannot be opened as a workbook.")) from error
    try:
        return _read_sheets(workbook, question_codes)
    except WorkbookRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError) as error:
        logger.info("Workbook refused while reading: %r", error)
        raise refuse(_("This file is damaged: it cannot be opened as a workbook.")) from error
    finally:
        workbook.close()


def _read_sheets(workbook, question_codes: set[str]) -> dict[str, SheetData]:
    issues: list[Issue] = []
    by_name = {}
    for title in workbook.sheetnames:
        wanted = next((name for name in (*DATA_SHEETS, *REFERENCE_SHEETS) if normalise(name) == normalise(title)), None)
        if wanted is None:
            issues.append(
                Issue(
                    _("this sheet is not part of the format: the sheets are %(sheets)s.")
                    % {"sheets": ", ".join(f"« {name} »" for name in DATA_SHEETS)},
                    sheet=title,
                )
            )
        elif wanted in by_name:
            issues.append(Issue(_("this sheet appears twice."), sheet=title))
        else:
            by_name[wanted] = title
    for name in DATA_SHEETS:
        if name not in by_name:
            issues.append(
                Issue(
                    _("the sheet is missing (it may stay empty below its header row: download the template)."),
                    sheet=name,
                )
            )
    if issues:
        raise WorkbookRefused(issues)
    sheets = {}
    for name in DATA_SHEETS:
        sheets[name] = _read_sheet(workbook[by_name[name]], name, question_codes, issues)
    if issues:
        raise WorkbookRefused(issues)
    return sheets


def _read_sheet(worksheet, name: str, question_codes: set[str], issues: list[Issue]) -> SheetData:
    spec = SHEETS[name]
    header_cells = next(worksheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS), ())
    headers = [None if is_blank(cell.value) else str(cell.value).strip() for cell in header_cells]
    while headers and headers[-1] is None:
        headers.pop()
    columns, seen, sheet_issues = [], {}, []
    for position, header in enumerate(headers, start=1):
        if header is None:
            sheet_issues.append(Issue(_("a column has no header (column %(n)s).") % {"n": position}, sheet=name))
            columns.append(None)
            continue
        column = spec.column(header)
        if column is None and spec.open_columns and header in question_codes:
            column = header
        if column is None:
            expected = ", ".join(f"« {c.header} »" for c in spec.columns)
            if spec.open_columns:
                expected += _(", then question codes")
            sheet_issues.append(
                Issue(
                    _("unknown column; the columns are %(columns)s.") % {"columns": expected}, sheet=name, column=header
                )
            )
        key = column if isinstance(column, str) else getattr(column, "key", None)
        if key is not None and key in seen:
            sheet_issues.append(Issue(_("this column appears twice."), sheet=name, column=header))
        seen[key] = header
        columns.append(column)
    for column in spec.columns:
        if column.required and column.key not in seen:
            sheet_issues.append(Issue(_("this column is missing."), sheet=name, column=column.header))
    if sheet_issues:
        issues.extend(sheet_issues)
        return SheetData(name, headers, columns, [])
    width = len(headers)
    data_rows, physical = [], 1
    for cells in worksheet.iter_rows(min_row=2, max_col=width):
        physical += 1
        if physical > MAX_PHYSICAL_ROWS:
            issues.append(_too_many(name))
            break
        values = []
        blank = True
        for position, cell in enumerate(cells[:width]):
            if getattr(cell, "data_type", None) == "f":
                issues.append(
                    Issue(
                        _("a formula (%(formula)s) is not accepted: paste its value instead.")
                        % {"formula": str(cell.value)[:40]},
                        sheet=name,
                        row=physical,
                        column=headers[position],
                    )
                )
                if len(issues) > 200:
                    return SheetData(name, headers, columns, [])
            value = cell.value
            if isinstance(value, str):
                value = value.strip() or None
            values.append(value)
            blank = blank and value is None
        if blank:
            continue
        values += [None] * (width - len(values))
        data_rows.append((physical, values))
        if len(data_rows) > MAX_ROWS:
            issues.append(_too_many(name))
            break
    return SheetData(name, headers, columns, data_rows)


def _too_many(name: str) -> Issue:
    return Issue(
        _("more than %(max)s rows: split the history into several files.")
        % {"max": number_format(MAX_ROWS, force_grouping=True)},
        sheet=name,
    )
