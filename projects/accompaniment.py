"""The four stages of an innovation's accompaniment and the rules for moving on.

An innovation leaves a stage only when the stage's deliverables exist
(``requirements``); a programme manager may still move it on by recording an
exception with a reason. Every move is a ``StageTransition`` (who, when, what was
missing) and a change in the innovation's audit history.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    DeliverableKind,
    FeasibilityConclusion,
    Innovation,
    Stage,
    StagePlan,
    StageTransition,
)


class StageError(Exception):
    """The move is not allowed; the message says why, in the user's language."""


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    met: bool
    detail: str = ""


def _deliverables(innovation: Innovation) -> dict[str, list]:
    found: dict[str, list] = {}
    for deliverable in innovation.deliverables.all():
        found.setdefault(deliverable.kind, []).append(deliverable)
    return found


def _stage_one(innovation: Innovation) -> list[Requirement]:
    documents = _deliverables(innovation)
    studies = documents.get(DeliverableKind.FEASIBILITY_STUDY, [])
    concluded = [
        s for s in studies if s.conclusion in (FeasibilityConclusion.GO, FeasibilityConclusion.GO_WITH_CONDITIONS)
    ]
    if concluded:
        study_detail = _("Concluded “%(conclusion)s” on %(date)s.") % {
            "conclusion": concluded[0].get_conclusion_display(),
            "date": concluded[0].dated.strftime("%d/%m/%Y"),
        }
    elif any(s.conclusion == FeasibilityConclusion.STOP for s in studies):
        study_detail = _("The study concluded to stop: the innovation cannot go on without an exception.")
    elif studies:
        study_detail = _("The study is uploaded but has no conclusion yet.")
    else:
        study_detail = _("Upload the study and its conclusion (go, go with conditions, stop).")
    charters = documents.get(DeliverableKind.CHARTER, [])
    return [
        Requirement("feasibility_study", gettext_lazy("Feasibility study concluded"), bool(concluded), study_detail),
        Requirement(
            "charter",
            gettext_lazy("Commitment charter signed with the carrier"),
            bool(charters),
            _("Signed on %(date)s.") % {"date": charters[0].dated.strftime("%d/%m/%Y")}
            if charters
            else _("Upload the signed charter with its signature date."),
        ),
    ]


def _stage_two(innovation: Innovation) -> list[Requirement]:
    from essaimage.models import ACTIVE_STATUSES

    structures = [s for s in innovation.spread_structures.all() if s.status in ACTIVE_STATUSES]
    unsigned = [s for s in structures if not s.agreement_signed]
    governance = len(innovation.governance.all())
    actions = len(innovation.awareness_actions.all())
    calls = [c for c in innovation.structure_calls.all() if c.published_at]
    return [
        Requirement(
            "governance",
            gettext_lazy("Governance constituted"),
            governance > 0,
            _("%(n)s member(s) on the innovation's committee.") % {"n": governance},
        ),
        Requirement(
            "awareness",
            gettext_lazy("Awareness actions held"),
            actions > 0,
            _("%(n)s action(s) recorded.") % {"n": actions},
        ),
        Requirement(
            "structure_call",
            gettext_lazy("Call for spread structures published"),
            bool(calls),
            _("%(n)s call(s) published.") % {"n": len(calls)},
        ),
        Requirement(
            "structures_selected",
            gettext_lazy("Spread structures selected"),
            bool(structures),
            _("%(n)s structure(s) selected.") % {"n": len(structures)},
        ),
        Requirement(
            "agreements",
            gettext_lazy("Partnership agreements signed"),
            bool(structures) and not unsigned,
            _("%(n)s agreement(s) still to sign.") % {"n": len(unsigned)}
            if unsigned
            else _("Every selected structure has signed."),
        ),
    ]


def _stage_three(innovation: Innovation) -> list[Requirement]:
    today = timezone.localdate()
    documents = _deliverables(innovation)
    held = [t for t in innovation.trainings.all() if any(day.date <= today for day in t.days.all())]
    return [
        Requirement(
            "spreading_model",
            gettext_lazy("Spreading model chosen"),
            bool(innovation.spreading_model),
            innovation.get_spreading_model_display()
            if innovation.spreading_model
            else _("Choose it in the innovation's settings."),
        ),
        Requirement(
            "trainings",
            gettext_lazy("Trainings held"),
            bool(held),
            _("%(n)s training(s) with at least one day held.") % {"n": len(held)},
        ),
        Requirement(
            "tooling",
            gettext_lazy("Tooling delivered"),
            bool(documents.get(DeliverableKind.TOOLING)),
            _("Upload what was delivered to the structures."),
        ),
        Requirement(
            "guide",
            gettext_lazy("Guide de l'essaimage written"),
            bool(documents.get(DeliverableKind.GUIDE)),
            _("Upload the guide."),
        ),
    ]


REQUIREMENTS = {
    Stage.FEASIBILITY: _stage_one,
    Stage.MOBILISATION: _stage_two,
    Stage.ESSAIMAGE: _stage_three,
}

# What requirements() needs, for list pages: innovation querysets prefetch these.
REQUIREMENT_PREFETCH = [
    "deliverables",
    "governance",
    "awareness_actions",
    "structure_calls",
    "spread_structures__organisation",
    "trainings__days",
]


def requirements(innovation: Innovation) -> list[Requirement]:
    """What the innovation needs to leave its current stage (empty at the last stage)."""
    builder = REQUIREMENTS.get(innovation.stage)
    return builder(innovation) if builder else []


def missing(innovation: Innovation) -> list[Requirement]:
    return [requirement for requirement in requirements(innovation) if not requirement.met]


def advance_stage(innovation: Innovation, *, by, exception_reason: str = "", on=None) -> StageTransition:
    """Move the innovation to the next stage.

    Refused at the last stage, and when a deliverable is missing unless
    ``exception_reason`` explains why the manager moves on anyway (the move is then
    recorded as an exception, with what was missing). Closes the current stage's
    plan (actual end) and opens the next one (actual start) on ``on`` (today by
    default). Returns the recorded move.
    """
    exception_reason = (exception_reason or "").strip()
    on = on or timezone.localdate()
    with transaction.atomic():
        innovation = Innovation.objects.select_for_update().get(pk=innovation.pk)
        if innovation.stage >= Stage.EVALUATION:
            raise StageError(_("The innovation is already at the last stage."))
        lacking = missing(innovation)
        if lacking and not exception_reason:
            raise StageError(
                _(
                    "The stage cannot be left yet. Missing: %(missing)s. "
                    "Record an exception with a reason to move on anyway."
                )
                % {"missing": ", ".join(str(r.label) for r in lacking)}
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
            moved_by=by,
            is_exception=bool(lacking),
            reason=exception_reason if lacking else "",
            missing=[r.code for r in lacking],
        )


def ensure_stage_plans(innovation: Innovation) -> list[StagePlan]:
    """One plan per stage, created empty when missing; the current stage's actual
    start defaults to the start of the accompaniment."""
    existing = {plan.stage: plan for plan in innovation.stage_plans.all()}
    created = [StagePlan(innovation=innovation, stage=stage) for stage in Stage.values if stage not in existing]
    if created:
        StagePlan.objects.bulk_create(created, ignore_conflicts=True)
        existing = {plan.stage: plan for plan in StagePlan.objects.filter(innovation=innovation)}
    return [existing[stage] for stage in Stage.values]


def late_stage_plans(queryset=None, *, today=None):
    """Stage plans behind schedule: the planned end is past while the innovation is
    still in that stage, or the planned start is past while it has not reached it."""
    from django.db.models import F, Q

    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else StagePlan.objects.all()
    return queryset.filter(
        Q(stage=F("innovation__stage"), planned_end__lt=today)
        | Q(stage__gt=F("innovation__stage"), planned_start__lt=today)
    ).select_related("innovation")


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
    moved = deliverable.innovation.stage > _stage_of(deliverable.kind)
    if moved:
        raise StageError(_("This document served a stage the innovation has left: it cannot be removed."))
    deliverable._history_user = by
    deliverable.file.delete(save=False)
    deliverable.delete()


def _stage_of(kind: str) -> int:
    from .models import DELIVERABLE_STAGE

    return DELIVERABLE_STAGE.get(kind, Stage.EVALUATION + 1)
