"""The administrators' pages of the import of the history.

Upload (the file is checked, kept and its checking queued), the import's page with its
preview or its errors (polled while the checking or the import runs), the confirmation
(POST), and the template to fill in. Permission ``archive.import_history``
(``archive/rules.py``): administrators only.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.core.documents import XLSX_CONTENT_TYPE, attachment
from ais.core.forms import form_action, perform, posted, posted_files

from . import services
from .forms import UploadForm
from .models import HistoryImport
from .sheets import DATA_SHEETS
from .template import template_bytes
from .workbook import describe

can_import = permission_required("archive.import_history", raise_exception=True)
SHOWN_ERRORS = 50


@can_import
def imports(request):
    form = UploadForm(posted(request), posted_files(request))
    return form_action(
        request,
        form,
        lambda form: services.start_import(form.cleaned_data["file"], by=request.user),
        success_url=lambda record: record.get_absolute_url(),
        success_message=_("The workbook is being checked: the preview shows below in a few moments."),
        template="archive/imports.html",
        context=lambda: {"imports": HistoryImport.objects.select_related("uploaded_by", "confirmed_by")[:30]},
    )


def _context(record: HistoryImport) -> dict:
    progress, step = services.progress_of(record)
    source = record.report if record.status == "done" else record.preview
    return {
        "record": record,
        "progress": progress,
        "step": step,
        "sheets": _sheet_rows(source.get("sheets", {})),
        "summary": source,
        "errors": [describe(issue) for issue in record.errors[:SHOWN_ERRORS]],
        "hidden_errors": max(0, record.error_count - SHOWN_ERRORS),
        "duration": number_format(record.duration_ms / 1000, 1) if record.duration_ms is not None else None,
    }


def _sheet_rows(counts: dict) -> list[dict]:
    """The counts per sheet in the workbook's order (the JSON column does not keep it)."""
    labels = {"organisations": _("Organisations (carriers and structures)")}
    return [
        {"name": labels.get(name, name), **counts[name]}
        for name in (*DATA_SHEETS, "organisations")
        if isinstance(counts.get(name), dict)
    ]


@can_import
def import_detail(request, pk):
    record = get_object_or_404(HistoryImport, pk=pk)
    return render(request, "archive/detail.html", _context(record))


@can_import
def import_status(request, pk):
    """The import's state: an htmx partial polled while it is checked or imported."""
    record = get_object_or_404(HistoryImport, pk=pk)
    template = "archive/_status.html" if request.htmx else "archive/detail.html"
    return render(request, template, _context(record))


@require_POST
@can_import
def import_confirm(request, pk):
    record = get_object_or_404(HistoryImport, pk=pk)
    perform(
        request,
        lambda: services.confirm_import(record, by=request.user),
        success_message=_("The import has started: its progress shows below."),
    )
    return redirect(record.get_absolute_url())


@can_import
def template_download(request):
    return attachment(template_bytes(), "ais-emploi-historique-modele.xlsx", XLSX_CONTENT_TYPE)
