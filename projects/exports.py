"""Exports of dossiers: the rows of the list (CSV / XLSX), one dossier as PDF. Internal
notes are never part of an export."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ais.core.documents import PDF_CSS, render_pdf

from .models import Dossier


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


def dossier_pdf(dossier: Dossier) -> bytes:
    """The dossier as submitted, for the carrier's receipt and the managers' file."""
    from .display import dossier_sections
    from .services import completeness

    state = completeness(dossier)
    return render_pdf(
        "projects/pdf/dossier.html",
        {
            "dossier": dossier,
            "call": dossier.call,
            "sections": dossier_sections(dossier, missing=state["missing"]),
            "attachments": list(dossier.attachments.all()),
            "completeness": state,
            "generated_at": timezone.now(),
        },
        stylesheets=[PDF_CSS],
    )
