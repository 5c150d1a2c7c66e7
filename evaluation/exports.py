"""Exports of one phase's questionnaires: one row per structure, one column per question code.

The code columns are the union of the codes of every version the questionnaires were
answered with, in the latest version's order (codes only older versions ask come
after). Figures are exported as numbers, other answers as people read them. Text
typed by structures never becomes a spreadsheet formula (see ``ais.core.documents``).
"""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from ais.core.documents import looks_like_formula, neutralise

from .models import NUMERIC_KINDS, Answer, Phase, Question, QuestionnaireTemplate
from .services import display_value


def _identification_header() -> list[str]:
    return [
        _("Innovation"),
        _("Structure"),
        _("Department"),
        _("Wave"),
        _("Version"),
        _("Status"),
        _("Submitted on"),
    ]


def _cell(question: Question, value):
    if value is None or value == [] or value == "":
        return ""
    if question.kind in NUMERIC_KINDS and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return display_value(question, value)


def export_questions(responses, *, phase: str) -> list[Question]:
    """One question per code (from the latest version asking it), in column order."""
    version_ids = {response.version_id for response in responses}
    if not version_ids:
        template = QuestionnaireTemplate.objects.filter(phase=phase).first()
        current = template.current_version() if template else None
        version_ids = {current.pk} if current else set()
    questions = (
        Question.objects.filter(version_id__in=version_ids)
        .select_related("version")
        .order_by("-version__number", "section__position", "position", "pk")
    )
    by_code: dict[str, Question] = {}
    for question in questions:
        by_code.setdefault(question.code, question)
    return list(by_code.values())


def phase_rows(responses, *, phase: str) -> tuple[list[str], list[list], list[Question]]:
    """Header, rows and the code columns' questions. ``responses`` come with their
    structure's organisation (commune, department), innovation and version."""
    responses = list(responses)
    questions = export_questions(responses, phase=phase)
    answers: dict[int, dict[str, tuple]] = {}
    for answer in Answer.objects.filter(response__in=[r.pk for r in responses]).select_related("question"):
        answers.setdefault(answer.response_id, {})[answer.question.code] = (answer.question, answer.value)
    header = _identification_header() + [question.code for question in questions]
    rows = []
    for response in responses:
        structure = response.structure
        commune = structure.organisation.commune
        values = answers.get(response.pk, {})
        row = [
            structure.innovation.name,
            structure.organisation.name,
            commune.department.name if commune and commune.department_id else "",
            structure.wave,
            response.version.number,
            response.get_status_display(),
            timezone.localtime(response.submitted_at).strftime("%d/%m/%Y %H:%M") if response.submitted_at else "",
        ]
        for question in questions:
            given = values.get(question.code)
            row.append(_cell(given[0], given[1]) if given else "")
        rows.append(row)
    return header, rows, questions


def _csv_value(value):
    if isinstance(value, float):
        return str(value).replace(".", ",")  # French spreadsheets read a decimal comma
    return neutralise(value)


def phase_csv(responses, *, phase: str) -> bytes:
    header, rows, _questions = phase_rows(responses, phase=phase)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([_csv_value(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def _append_text_safe(sheet, row) -> None:
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type = "s"  # stored as text, never evaluated as a formula


def phase_xlsx(responses, *, phase: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, rows, questions = phase_rows(responses, phase=phase)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Answers")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append_text_safe(sheet, row)
    sheet.freeze_panes = "C2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(str(name)) + 4))

    legend = workbook.create_sheet(_("Questions")[:31])
    legend.append([_("Code"), _("Question"), _("Type"), _("Version")])
    for cell in legend[1]:
        cell.font = Font(bold=True)
    for question in questions:
        _append_text_safe(legend, [question.code, question.label, question.get_kind_display(), question.version.number])
    legend.column_dimensions["A"].width = 30
    legend.column_dimensions["B"].width = 80
    legend.column_dimensions["C"].width = 20

    workbook.properties.title = str(Phase(phase).label)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
