"""The audit trail, read from django-simple-history's tables.

``recent_changes`` merges the newest history rows of every tracked model and,
for each, what changed compared to the previous version of the same object:
who, when, what before and after. Two queries per tracked model, plus one per
model that a changed link points to (people, organisations, calls…: shown by name,
never by id), whatever the length of the history.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from ais.core.dates import long_date, long_datetime

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


def _display(record, field, related=None) -> str:
    value = getattr(record, field.attname, None)
    if value in (None, "", [], {}):
        return "—"
    if field.many_to_one and related is not None:
        target = related.get(field.related_model, {}).get(value)
        return _name_of(target) if target is not None else f"#{value}"
    if isinstance(value, datetime.datetime):
        return long_datetime(value)
    if isinstance(value, datetime.date):
        return long_date(value)
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
    if isinstance(value, dict):  # a JSON field (the figures a questionnaire sent): code : value pairs
        return ", ".join(f"{key} : {item}" for key, item in value.items())
    return str(value)


def _diff(model, record, previous, related=None) -> list[Change]:
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or field.attname not in record.__dict__:
            continue
        after = _display(record, field, related)
        before = _display(previous, field, related) if previous is not None else "—"
        if previous is None and after == "—":
            continue
        if before != after:
            changes.append(Change(str(field.verbose_name), before, after))
    return changes


def recent_changes(*, kind: str = "", limit: int = 100) -> tuple[list[Entry], list[tuple[str, str]]]:
    kinds = []
    loaded = []
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
        loaded.append((label, model, rows, previous))
    related = _related_objects(loaded)
    entries: list[Entry] = []
    for label, model, rows, previous in loaded:
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
                    changes=_diff(model, row, previous.get(row.previous_id), related),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit], kinds


def _related_objects(loaded) -> dict:
    """The objects the rows' links point to, one query per linked model: a change of
    « created by » shows the person's name, not their id."""
    ids = defaultdict(set)
    for _label, model, rows, previous in loaded:
        links = [f for f in model._meta.concrete_fields if f.many_to_one and f.name not in HIDDEN_FIELDS]
        for record in [*rows, *previous.values()]:
            for field in links:
                value = getattr(record, field.attname, None)
                if value is not None:
                    ids[field.related_model].add(value)
    return {target: target._default_manager.in_bulk(values) for target, values in ids.items()}


def _name_of(target) -> str:
    """A linked object's name without further queries (no ``__str__`` that follows links)."""
    if hasattr(target, "get_full_name"):
        return target.get_full_name() or target.email
    for attname in ("name", "title", "innovation_name", "email"):
        if getattr(target, attname, None):
            return str(getattr(target, attname))
    return f"#{target.pk}"


def _object_repr(model, row) -> str:
    for attname in ("name", "title", "innovation_name", "email"):
        if getattr(row, attname, None):
            return str(getattr(row, attname))
    if label := getattr(row, "role", None):
        return f"{dict(model._meta.get_field('role').flatchoices).get(label, label)} (#{row.id})"
    return f"#{row.id}"
