"""The workbook administrators download and fill in.

A read-me sheet (each column of each sheet, whether it is required, what it holds),
the four data sheets with their French headers and one example row each (the import
skips a row left exactly as in the example), and the list of the question codes of
the published questionnaires (the columns of the sheet « Questionnaires »).
"""

from django.utils.translation import gettext as _

from ais.core.documents import Sheet, xlsx_workbook
from evaluation.models import CHOICE_KINDS, PHASE_ORDER, QuestionKind
from evaluation.schedule import current_version

from .sheets import CODES_SHEET, PHASE_NAMES, QUESTIONNAIRES, README_SHEET, SHEETS, example_row


def _questions() -> list[tuple]:
    """``(code, phases, label, kind, expected)`` of each question code, in the phases' order."""
    rows: dict[str, list] = {}
    for phase in PHASE_ORDER:
        for question in current_version(phase).questions.select_related("section"):
            if question.code in rows:
                rows[question.code][1].append(PHASE_NAMES[phase])
                continue
            rows[question.code] = [question.code, [PHASE_NAMES[phase]], question.label, question, None]
    result = []
    for code, phases, label, question, _unused in rows.values():
        result.append((code, ", ".join(phases), label, question.get_kind_display(), _expected(question)))
    return result


def _expected(question) -> str:
    if question.kind in CHOICE_KINDS:
        values = " ; ".join(question.choices)
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            return _("One or more of, separated by “;”: %(values)s") % {"values": values}
        return _("One of: %(values)s") % {"values": values}
    if question.kind == QuestionKind.YES_NO:
        return _("oui or non")
    if question.kind == QuestionKind.DATE:
        return _("A date, for example 15/03/2018")
    low, high = question.bounds
    if low is not None or high is not None:
        return _("A number from %(low)s to %(high)s") % {"low": low if low is not None else "…", "high": high or "…"}
    return _("Text")


def template_bytes() -> bytes:
    questions = _questions()
    codes = [row[0] for row in questions]
    readme_rows = []
    for spec in SHEETS.values():
        readme_rows.append((spec.name, "", "", str(spec.help)))
        for column in spec.columns:
            readme_rows.append((spec.name, column.header, _("yes") if column.required else "", str(column.help)))
        if spec.open_columns:
            readme_rows.append(
                (
                    spec.name,
                    _("question codes"),
                    "",
                    _("One column per code of the sheet “%(sheet)s”.") % {"sheet": CODES_SHEET},
                )
            )
    sheets = [
        Sheet(
            README_SHEET,
            [_("sheet"), _("column"), _("required"), _("what it holds")],
            readme_rows,
            widths=[18, 36, 12, 110],
        )
    ]
    for spec in SHEETS.values():
        headers = [column.header for column in spec.columns]
        if spec.name == QUESTIONNAIRES:
            headers += codes
        sheets.append(Sheet(spec.name, headers, [example_row(spec, codes)], widths="fit"))
    sheets.append(
        Sheet(
            CODES_SHEET,
            [_("code"), _("phases"), _("question"), _("type"), _("expected values")],
            questions,
            widths=[30, 40, 80, 20, 80],
        )
    )
    return xlsx_workbook(sheets, title=_("AIS#Emploi – history of the programme"))
