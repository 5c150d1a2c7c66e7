"""A dossier's answers grouped by section, ready to show (pages, PDF)."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .forms import SECTION_FIELDS
from .models import Dossier, DossierSection


def _value(dossier: Dossier, name: str) -> str:
    if name == "publics":
        return ", ".join(dossier.publics_display)
    if name == "keywords":
        return ", ".join(dossier.keywords_display)
    if name == "origin_commune":
        commune = dossier.origin_commune
        return f"{commune.name} ({commune.department.name})" if commune else ""
    if name == "formalisation_level":
        return dossier.get_formalisation_level_display()
    value = getattr(dossier, name)
    if value is None:
        return ""
    if name == "job_retention_rate":
        return f"{value} %"
    if isinstance(value, int) and name != "year_started":
        return number_format(value, force_grouping=True)
    return str(value)


def dossier_sections(dossier: Dossier, *, missing=None) -> list[dict]:
    """Each section with its questions and answers, and the missing required ones."""
    missing = missing or {}
    labels = dict(DossierSection.choices)
    sections = []
    for section, fields in SECTION_FIELDS.items():
        rows = []
        for name in fields:
            field = Dossier._meta.get_field(name)
            rows.append(
                {
                    "name": name,
                    "label": str(field.verbose_name).capitalize(),
                    "value": _value(dossier, name),
                    "missing": name in missing.get(section, []),
                }
            )
        sections.append(
            {"code": section, "label": labels[section], "rows": rows, "missing": bool(missing.get(section))}
        )
    return sections


def section_nav(dossier: Dossier, *, current: str, missing: dict, editable: set) -> list[dict]:
    """The steps of the dossier for its side navigation."""
    return [
        {
            "code": code,
            "label": label,
            "current": code == current,
            "missing": bool(missing.get(code)),
            "editable": code in editable,
        }
        for code, label in DossierSection.choices
    ]


def exit_rate_text(dossier: Dossier) -> str:
    rate = dossier.exit_rate
    return _("%(rate)s %% exits to employment") % {"rate": rate} if rate is not None else ""
