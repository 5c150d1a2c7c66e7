"""The audit trail, read from django-simple-history's tables.

``recent_changes`` merges the newest history rows of every tracked model and,
for each, what changed compared to the previous version of the same object:
who, when, what before and after. Two queries per tracked model, whatever the
length of the history.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

# Models whose changes managers can read, in the order of the filter list.
TRACKED = [
    "projects.Dossier",
    "projects.Call",
    "projects.SelectionCriterion",
    "projects.Review",
    "projects.Score",
    "projects.SessionDecision",
    "projects.Innovation",
    "projects.StagePlan",
    "essaimage.SpreadStructure",
    "evaluation.Response",
    "evaluation.Answer",
    "accounts.Organisation",
    "accounts.Membership",
    "accounts.User",
]

ACTIONS = {"+": _("Creation"), "~": _("Update"), "-": _("Deletion")}
HIDDEN_FIELDS = {"password", "last_login", "id"}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    model_label: str
    model_name: str
    object_repr: str
    action: str
    when: object
    who: object
    reason: str
    changes: list


def _display(record, field) -> str:
    value = getattr(record, field.attname, None)
    if value in (None, "", []):
        return "—"
    if isinstance(value, list) and getattr(field, "base_field", None) is not None and field.base_field.choices:
        labels = dict(field.base_field.flatchoices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if field.choices:
        labels = dict(field.flatchoices)
        if isinstance(value, list):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return str(_("yes")) if value else str(_("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _diff(model, record, previous) -> list[Change]:
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or field.attname not in record.__dict__:
            continue
        after = _display(record, field)
        before = _display(previous, field) if previous is not None else "—"
        if previous is None and after == "—":
            continue
        if before != after:
            changes.append(Change(str(field.verbose_name), before, after))
    return changes


def recent_changes(*, kind: str = "", limit: int = 100) -> tuple[list[Entry], list[tuple[str, str]]]:
    kinds = []
    entries: list[Entry] = []
    for label in TRACKED:
        model = apps.get_model(label)
        kinds.append((label, str(model._meta.verbose_name_plural).capitalize()))
        if kind and kind != label:
            continue
        history_model = model.history.model
        previous_id = (
            history_model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        rows = list(
            history_model.objects.select_related("history_user")
            .annotate(previous_id=Subquery(previous_id))
            .order_by("-history_date", "-history_id")[:limit]
        )
        previous = history_model.objects.in_bulk([r.previous_id for r in rows if r.previous_id])
        for row in rows:
            entries.append(
                Entry(
                    model_label=label,
                    model_name=str(model._meta.verbose_name).capitalize(),
                    object_repr=_object_repr(model, row),
                    action=str(ACTIONS.get(row.history_type, row.history_type)),
                    when=row.history_date,
                    who=row.history_user,
                    reason=row.history_change_reason or "",
                    changes=_diff(model, row, previous.get(row.previous_id)),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit], kinds


def _object_repr(model, row) -> str:
    for attname in ("name", "title", "innovation_name", "email"):
        if getattr(row, attname, None):
            return str(getattr(row, attname))
    if label := getattr(row, "role", None):
        return f"{dict(model._meta.get_field('role').flatchoices).get(label, label)} (#{row.id})"
    return f"#{row.id}"
