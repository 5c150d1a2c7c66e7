"""The four stages of an innovation's accompaniment and the rules for moving on.

An innovation leaves a stage only when the stage's deliverables exist
(``requirements``); a programme manager may still move it on by recording an
exception with a reason. Every move is a ``StageTransition`` (who, when, what was
missing, and the date it took effect) and a change in the innovation's audit history.

The accompaniment ends with ``close_accompaniment`` (completed after the evaluation,
stopped after the feasibility study, or abandoned; with its date and reason) and
can be reopened with ``reopen_accompaniment``. A closed innovation leaves the "in
progress" lists but stays in the figures of the years it was accompanied
(``reporting.definitions``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history

from ais.core.errors import DomainError

from .models import (
    AwarenessAction,
    ClosureKind,
    DeliverableKind,
    FeasibilityConclusion,
    GovernanceMember,
    Innovation,
    InnovationTarget,
    Stage,
    StagePlan,
    StageTransition,
)


class StageError(DomainError):
    """The move is not allowed; the message says why, in the user's language.
    ``code`` tells callers which part of the request is at fault (``"missing"``:
    deliverables are missing and no exception reason was given)."""

    def __init__(self, message, code: str = ""):
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    met: bool
    detail: str = ""


# The label of each requirement, by code (StageTransition.missing keeps the codes).
REQUIREMENT_LABELS = {
    "feasibility_study": gettext_lazy("Feasibility study concluded"),
    "charter": gettext_lazy("Commitment charter signed with the carrier"),
    "governance": gettext_lazy("Governance constituted"),
    "awareness": gettext_lazy("Awareness actions held"),
    "structure_call": gettext_lazy("Call for spread structures published"),
    "structures_selected": gettext_lazy("Spread structures selected"),
    "agreements": gettext_lazy("Partnership agreements signed"),
    "spreading_model": gettext_lazy("Spreading model chosen"),
    "trainings": gettext_lazy("Trainings held"),
    "tooling": gettext_lazy("Tooling delivered"),
    "guide": gettext_lazy("Guide de l'essaimage written"),
}


def requirement_labels(codes) -> list[str]:
    """The labels of requirement codes (as kept in ``StageTransition.missing``)."""
    return [str(REQUIREMENT_LABELS.get(code, code)) for code in codes]


def _requirement(code: str, met: bool, detail: str = "") -> Requirement:
    return Requirement(code, REQUIREMENT_LABELS[code], met, detail)


def _short_date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _deliverables(innovation: Innovation) -> dict[str, list]:
    """The innovation's deliverables by kind, the latest first (works on a prefetch)."""
    found: dict[str, list] = {}
    for deliverable in sorted(innovation.deliverables.all(), key=lambda d: (d.dated, d.pk), reverse=True):
        found.setdefault(deliverable.kind, []).append(deliverable)
    return found


def _stage_one(innovation: Innovation) -> list[Requirement]:
    documents = _deliverables(innovation)
    studies = documents.get(DeliverableKind.FEASIBILITY_STUDY, [])
    # The latest study decides: a later "stop" overrides an earlier "go".
    latest = studies[0] if studies else None
    concluded = latest is not None and latest.conclusion in (
        FeasibilityConclusion.GO,
        FeasibilityConclusion.GO_WITH_CONDITIONS,
    )
    if concluded:
        study_detail = _("Concluded “%(conclusion)s” on %(date)s.") % {
            "conclusion": latest.get_conclusion_display(),
            "date": _short_date(latest.dated),
        }
    elif latest is not None and latest.conclusion == FeasibilityConclusion.STOP:
        study_detail = _("The study concluded to stop: the innovation cannot go on without an exception.")
    elif studies:
        study_detail = _("The study is uploaded but has no conclusion yet.")
    else:
        study_detail = _("Upload the study and its conclusion (go, go with conditions, stop).")
    charters = documents.get(DeliverableKind.CHARTER, [])
    return [
        _requirement("feasibility_study", concluded, study_detail),
        _requirement(
            "charter",
            bool(charters),
            _("Signed on %(date)s.") % {"date": _short_date(charters[0].dated)}
            if charters
            else _("Upload the signed charter with its signature date."),
        ),
    ]


def _stage_two(innovation: Innovation) -> list[Requirement]:
    """Stage II's own deliverables; the call for structures, the structures selected and
    their agreements are checked by ``essaimage`` (registered at start-up)."""
    governance = len(innovation.governance.all())
    actions = len(innovation.awareness_actions.all())
    return [
        _requirement(
            "governance",
            governance > 0,
            ngettext(
                "%(n)s member on the innovation's committee.",
                "%(n)s members on the innovation's committee.",
                governance,
            )
            % {"n": governance},
        ),
        _requirement(
            "awareness",
            actions > 0,
            ngettext("%(n)s action recorded.", "%(n)s actions recorded.", actions) % {"n": actions},
        ),
    ]


def _stage_three(innovation: Innovation) -> list[Requirement]:
    """Stage III's own deliverables; the trainings held are checked by ``essaimage``."""
    documents = _deliverables(innovation)
    tooling = documents.get(DeliverableKind.TOOLING, [])
    guides = documents.get(DeliverableKind.GUIDE, [])
    return [
        _requirement(
            "spreading_model",
            bool(innovation.spreading_model),
            innovation.get_spreading_model_display()
            if innovation.spreading_model
            else _("Choose it in the innovation's settings."),
        ),
        _requirement(
            "tooling",
            bool(tooling),
            ngettext("%(n)s document uploaded.", "%(n)s documents uploaded.", len(tooling)) % {"n": len(tooling)}
            if tooling
            else _("Upload what was delivered to the structures."),
        ),
        _requirement(
            "guide",
            bool(guides),
            _("Uploaded on %(date)s.") % {"date": _short_date(guides[0].dated)} if guides else _("Upload the guide."),
        ),
    ]


REQUIREMENTS = {
    Stage.FEASIBILITY: _stage_one,
    Stage.MOBILISATION: _stage_two,
    Stage.ESSAIMAGE: _stage_three,
}

# Checks registered by the apps above this one, per stage: the stage's rule is written
# here (its codes and labels, REQUIREMENT_LABELS), the facts belong to the app that owns
# them (e.g. the structures' signed agreements, in ``essaimage``). Dependencies keep
# flowing one way: that app calls ``register_stage_check`` from its ``ready()``.
_REGISTERED_CHECKS: dict[int, list[Callable[[Innovation], list[Requirement]]]] = {}
_REGISTERED_PREFETCH: dict[int, list[str]] = {}
_ORDER = {code: index for index, code in enumerate(REQUIREMENT_LABELS)}


def register_stage_check(stage: int, check: Callable[[Innovation], list[Requirement]], *, prefetch=()) -> None:
    """Add ``check`` to what an innovation needs to leave ``stage``. ``check`` returns
    requirements built with ``requirement()``; ``prefetch`` names the relations it reads,
    so that list pages keep a constant number of queries. Registering twice is harmless."""
    checks = _REGISTERED_CHECKS.setdefault(stage, [])
    if check not in checks:
        checks.append(check)
    lookups = _REGISTERED_PREFETCH.setdefault(stage, [])
    lookups.extend(name for name in prefetch if name not in lookups)


def stage_prefetch(stage: int) -> list[str]:
    """The relations the registered checks of ``stage`` read (to prefetch them)."""
    return list(_REGISTERED_PREFETCH.get(stage, []))


def requirement(code: str, met: bool, detail: str = "") -> Requirement:
    """A requirement of ``REQUIREMENT_LABELS`` (for the checks other apps register)."""
    return _requirement(code, met, detail)


def requirements(innovation: Innovation) -> list[Requirement]:
    """What the innovation needs to leave its current stage (empty at the last stage),
    in the order of ``REQUIREMENT_LABELS``."""
    builder = REQUIREMENTS.get(innovation.stage)
    if builder is None:
        return []
    found = builder(innovation)
    for check in _REGISTERED_CHECKS.get(innovation.stage, []):
        found.extend(check(innovation))
    return sorted(found, key=lambda r: _ORDER.get(r.code, len(_ORDER)))


def missing(innovation: Innovation) -> list[Requirement]:
    return [requirement for requirement in requirements(innovation) if not requirement.met]


def advance_stage(
    innovation: Innovation, *, by, exception_reason: str = "", on=None, expected_stage: int | None = None
) -> StageTransition:
    """Move the innovation to the next stage.

    Refused at the last stage, and when a deliverable is missing unless
    ``exception_reason`` explains why the manager moves on anyway (the move is then
    recorded as an exception, with what was missing). Closes the current stage's
    plan (actual end) and opens the next one (actual start) on ``on`` (today by
    default), which is also the date the move takes effect (``effective_on``): a
    manager recording the programme's history gives it in the past; never in the
    future, nor before the previous move took effect. ``expected_stage`` is the stage
    the person saw when they asked for the move: if the innovation has moved since (a
    second click, a colleague), the move is refused instead of skipping a stage. A
    closed accompaniment is reopened before any move. Returns the recorded move.
    """
    exception_reason = (exception_reason or "").strip()
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise StageError(_("The date of the move cannot be in the future."), code="date")
    with transaction.atomic():
        innovation = Innovation.objects.select_for_update().get(pk=innovation.pk)
        if expected_stage is not None and innovation.stage != expected_stage:
            raise StageError(
                _("The innovation has moved to “%(stage)s” in the meantime: check the page before moving it again.")
                % {"stage": innovation.get_stage_display()},
                code="moved",
            )
        if innovation.is_closed:
            raise StageError(
                _("The accompaniment is closed: reopen it before moving the innovation on."), code="closed"
            )
        if innovation.stage >= Stage.EVALUATION:
            raise StageError(_("The innovation is already at the last stage."), code="last_stage")
        previous = last_move_date(innovation)
        if previous is not None and on < previous:
            raise StageError(
                _("The date of the move cannot come before the previous move (%(date)s).")
                % {"date": _short_date(previous)},
                code="date",
            )
        lacking = missing(innovation)
        if lacking and not exception_reason:
            raise StageError(
                _(
                    "The stage cannot be left yet. Missing: %(missing)s. "
                    "Record an exception with a reason to move on anyway."
                )
                % {"missing": ", ".join(str(r.label) for r in lacking)},
                code="missing",
            )
        from_stage, to_stage = innovation.stage, innovation.stage + 1
        innovation.stage = to_stage
        innovation._history_user = by
        innovation._change_reason = (
            _("Exception: %(reason)s") % {"reason": exception_reason} if lacking else _("Deliverables complete")
        )
        innovation.save(update_fields=["stage"])
        current, _created = StagePlan.objects.get_or_create(innovation=innovation, stage=from_stage)
        current.actual_end = current.actual_end or on
        current.actual_start = current.actual_start or innovation.accompaniment_start or on
        current._history_user = by
        current.save()
        following, _created = StagePlan.objects.get_or_create(innovation=innovation, stage=to_stage)
        following.actual_start = on
        following.actual_end = None
        following._history_user = by
        following.save()
        return StageTransition.objects.create(
            innovation=innovation,
            from_stage=from_stage,
            to_stage=to_stage,
            effective_on=on,
            moved_by=by,
            is_exception=bool(lacking),
            reason=exception_reason if lacking else "",
            missing=[r.code for r in lacking],
        )


def last_move_date(innovation: Innovation):
    """The date the innovation's latest stage move took effect, or None (one query)."""
    return (
        StageTransition.objects.filter(innovation=innovation)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )


# --------------------------------------------------------------------------
# End of the accompaniment
# --------------------------------------------------------------------------

# The stage an innovation must be in for each kind of closure (any stage when absent).
CLOSURE_STAGE = {
    ClosureKind.STOPPED: Stage.FEASIBILITY,
    ClosureKind.COMPLETED: Stage.EVALUATION,
}


def close_accompaniment(innovation: Innovation, *, kind: str, on, reason: str, by) -> Innovation:
    """End the innovation's accompaniment on ``on``, of ``kind`` (``ClosureKind``), with
    a reason (required).

    Rules: "stopped after the feasibility study" only from stage I, "completed after
    evaluation" only from stage IV, "abandoned" from any stage; the date is not in the
    future and not before the last stage move took effect (nor before the selection);
    a closed accompaniment is not closed again. The innovation then leaves the "in
    progress" views (list, board, late stages) and stays counted in the figures of
    every date before ``on`` (``reporting.definitions``). The audit history keeps who
    closed it, when and why.
    """
    reason = (reason or "").strip()
    if kind not in ClosureKind.values:
        raise StageError(_("Choose how the accompaniment ends."), code="kind")
    if not reason:
        raise StageError(_("Give the reason of the closure."), code="reason")
    if on is None:
        raise StageError(_("Give the date of the closure."), code="date")
    if on > timezone.localdate():
        raise StageError(_("The date of the closure cannot be in the future."), code="date")
    with transaction.atomic():
        innovation = Innovation.objects.select_for_update().get(pk=innovation.pk)
        if innovation.is_closed:
            raise StageError(_("The accompaniment is already closed."), code="closed")
        required = CLOSURE_STAGE.get(kind)
        if required is not None and innovation.stage != required:
            raise StageError(
                _("“%(kind)s” is only possible from “%(stage)s”.")
                % {"kind": ClosureKind(kind).label, "stage": Stage(required).label},
                code="kind",
            )
        previous = last_move_date(innovation)
        if previous is not None and on < previous:
            raise StageError(
                _("The closure cannot come before the last stage move (%(date)s).") % {"date": _short_date(previous)},
                code="date",
            )
        if innovation.selected_on and on < innovation.selected_on:
            raise StageError(
                _("The closure cannot come before the selection of the innovation (%(date)s).")
                % {"date": _short_date(innovation.selected_on)},
                code="date",
            )
        innovation.closed_on = on
        innovation.closure_kind = kind
        innovation.closure_reason = reason
        innovation._history_user = by
        innovation._change_reason = _("Accompaniment closed: %(reason)s") % {"reason": reason}
        innovation.save(update_fields=["closed_on", "closure_kind", "closure_reason"])
    return innovation


def reopen_accompaniment(innovation: Innovation, *, reason: str, by) -> Innovation:
    """Reopen a closed accompaniment (a closure recorded by mistake, an innovation that
    starts again), with a reason kept in the audit history beside the closure it undoes."""
    reason = (reason or "").strip()
    if not reason:
        raise StageError(_("Give the reason for reopening the accompaniment."), code="reason")
    with transaction.atomic():
        innovation = Innovation.objects.select_for_update().get(pk=innovation.pk)
        if not innovation.is_closed:
            raise StageError(_("The accompaniment is not closed."), code="open")
        innovation.closed_on = None
        innovation.closure_kind = ""
        innovation.closure_reason = ""
        innovation._history_user = by
        innovation._change_reason = _("Accompaniment reopened: %(reason)s") % {"reason": reason}
        innovation.save(update_fields=["closed_on", "closure_kind", "closure_reason"])
    return innovation


def ensure_stage_plans(innovation: Innovation) -> list[StagePlan]:
    """One plan per stage, created empty when missing; the current stage's actual
    start defaults to the start of the accompaniment."""
    existing = {plan.stage: plan for plan in innovation.stage_plans.all()}
    created = [StagePlan(innovation=innovation, stage=stage) for stage in Stage.values if stage not in existing]
    if created:
        # bulk_create_with_history: a bulk insert writes no history row by itself.
        bulk_create_with_history(created, StagePlan, ignore_conflicts=True)
        existing = {plan.stage: plan for plan in StagePlan.objects.filter(innovation=innovation)}
    return [existing[stage] for stage in Stage.values]


def late_stage_plans(queryset=None, *, today=None):
    """Stage plans behind schedule: the planned end is past while the innovation is
    still in that stage, or the planned start is past while it has not reached it.
    A closed accompaniment is never late."""
    from django.db.models import F, Q

    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else StagePlan.objects.all()
    return (
        queryset.filter(innovation__closed_on__isnull=True)
        .filter(
            Q(stage=F("innovation__stage"), planned_end__lt=today)
            | Q(stage__gt=F("innovation__stage"), planned_start__lt=today)
        )
        .select_related("innovation")
    )


def add_deliverable(
    innovation: Innovation, *, kind: str, title: str, upload, dated, conclusion: str = "", notes: str = "", by
):
    """Attach a deliverable checked by ``DocumentValidator``. Only a feasibility study
    carries a conclusion; it needs one."""
    from ais.core.uploads import store_upload

    from .models import Deliverable

    if kind == DeliverableKind.FEASIBILITY_STUDY and not conclusion:
        raise StageError(_("Give the conclusion of the feasibility study."))
    if kind != DeliverableKind.FEASIBILITY_STUDY:
        conclusion = ""
    deliverable = Deliverable(
        innovation=innovation, kind=kind, title=title, dated=dated, conclusion=conclusion, notes=notes
    )
    store_upload(deliverable, upload, by=by)
    deliverable._history_user = by
    deliverable.save()
    return deliverable


def remove_deliverable(deliverable, *, by) -> None:
    """Delete a deliverable that did not serve a stage move yet (the audit keeps it)."""
    if not is_removable(deliverable):
        raise StageError(_("This document served a stage the innovation has left: it cannot be removed."))
    storage, name = deliverable.file.storage, deliverable.file.name
    deliverable._history_user = by
    deliverable.delete()
    if name:
        # The file goes once the row is gone for good (not if the transaction rolls back).
        transaction.on_commit(lambda: storage.delete(name))


def is_removable(deliverable) -> bool:
    """A deliverable can be removed while its innovation has not left the stage it serves."""
    return deliverable.innovation.stage <= _stage_of(deliverable.kind)


def _stage_of(kind: str) -> int:
    from .models import DELIVERABLE_STAGE

    return DELIVERABLE_STAGE.get(kind, Stage.EVALUATION + 1)


# --------------------------------------------------------------------------
# Settings, targets, calendar, governance and awareness actions
# --------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "selected_on",
    "summary",
    "description",
    "publics",
    "keywords",
    "lead_manager",
    "spreading_model",
    "spreading_model_details",
    "accompaniment_start",
    "is_published",
)


def update_settings(innovation: Innovation, *, by, team=None, **changes) -> Innovation:
    """Save the innovation's accompaniment settings (``SETTINGS_FIELDS``) and, when
    given, its Ansa team. The lead manager and the team must hold the programme
    manager role: they receive the innovation's alerts. A selection date (never in
    the future) sets the year selected too."""
    from ais.accounts.models import Role

    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not a setting of the innovation: {', '.join(sorted(unknown))}")
    selected_on = changes.get("selected_on")
    if selected_on is not None:
        if selected_on > timezone.localdate():
            raise StageError(_("The selection date cannot be in the future."))
        changes["year_selected"] = selected_on.year
    lead = changes.get("lead_manager")
    if lead is not None and not lead.has_role(Role.MANAGER):
        raise StageError(_("The lead programme manager must hold the programme manager role."))
    if team is not None and any(not member.has_role(Role.MANAGER) for member in team):
        raise StageError(_("The Ansa team is made of programme managers only."))
    with transaction.atomic():
        for name, value in changes.items():
            setattr(innovation, name, value)
        innovation._history_user = by
        innovation.save(update_fields=list(changes) or None)
        if team is not None:
            innovation.team.set(team)
    return innovation


def _target_values(target: InnovationTarget) -> tuple:
    return (target.kind, target.label, target.value, target.unit, target.indicator_code, target.position)


def save_targets(innovation: Innovation, *, targets, removed=(), by) -> list[InnovationTarget]:
    """Keep ``targets`` (new or existing targets of the innovation) in this order and
    delete ``removed``. A quantitative target needs a value. Only what changed is
    saved, so the audit shows real changes."""
    for target in [*targets, *removed]:
        if target.pk and target.innovation_id != innovation.pk:
            raise ValueError("A target of another innovation.")
    for target in targets:
        if target.kind == "quantitative" and target.value is None:
            raise StageError(_("Give the value of the quantitative target “%(label)s”.") % {"label": target.label})
    with transaction.atomic():
        stored = {t.pk: _target_values(t) for t in InnovationTarget.objects.filter(innovation=innovation)}
        for target in removed:
            if target.pk in stored:
                target._history_user = by
                target.delete()
        for position, target in enumerate(targets):
            target.innovation = innovation
            target.position = position
            if target.pk is None or stored.get(target.pk) != _target_values(target):
                target._history_user = by
                target.save()
    return list(targets)


def _plan_values(plan: StagePlan) -> tuple:
    return (plan.planned_start, plan.planned_end, plan.actual_start, plan.actual_end)


def save_stage_plans(innovation: Innovation, *, plans, by) -> list[StagePlan]:
    """Save the planned and actual dates of the innovation's stages. An end never
    comes before its start; only the plans that changed are saved."""
    for plan in plans:
        if plan.innovation_id != innovation.pk:
            raise ValueError("A stage plan of another innovation.")
        stage = plan.get_stage_display()
        if plan.planned_start and plan.planned_end and plan.planned_end < plan.planned_start:
            raise StageError(_("%(stage)s: the planned end comes before the planned start.") % {"stage": stage})
        if plan.actual_start and plan.actual_end and plan.actual_end < plan.actual_start:
            raise StageError(_("%(stage)s: the actual end comes before the actual start.") % {"stage": stage})
    with transaction.atomic():
        stored = {p.pk: _plan_values(p) for p in StagePlan.objects.filter(innovation=innovation)}
        for plan in plans:
            if stored.get(plan.pk) != _plan_values(plan):
                plan._history_user = by
                plan.save()
    return list(plans)


def add_governance_member(
    innovation: Innovation, *, full_name: str, organisation_name: str, function: str = "", joined_on=None, by
) -> GovernanceMember:
    """Give someone a seat on the innovation's own steering committee (stage II)."""
    member = GovernanceMember(
        innovation=innovation,
        full_name=full_name.strip(),
        organisation_name=organisation_name.strip(),
        function=(function or "").strip(),
        joined_on=joined_on,
    )
    member._history_user = by
    member.save()
    return member


def remove_governance_member(member: GovernanceMember, *, by) -> None:
    """Take a seat off the innovation's committee (the audit keeps it)."""
    member._history_user = by
    member.delete()


def add_awareness_action(
    innovation: Innovation,
    *,
    held_on,
    title: str,
    audience: str,
    channel: str,
    people_reached=None,
    notes: str = "",
    by,
) -> AwarenessAction:
    """Record an action making the innovation known to networks and territories (stage II)."""
    action = AwarenessAction(
        innovation=innovation,
        held_on=held_on,
        title=title.strip(),
        audience=audience.strip(),
        channel=channel,
        people_reached=people_reached,
        notes=(notes or "").strip(),
    )
    action._history_user = by
    action.save()
    return action


def remove_awareness_action(action: AwarenessAction, *, by) -> None:
    """Delete an awareness action recorded by mistake (the audit keeps it)."""
    action._history_user = by
    action.delete()
