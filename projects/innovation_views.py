"""The accompaniment of selected innovations: the programme managers' daily page
for each innovation (its four stages, deliverables, governance, awareness
actions, stage moves), and read-only views of it for carriers, structure
contacts and committee members.

Who sees what (``_access``):

- programme managers and administrators (``MANAGE``): everything, and they act;
- the innovation's carrier (``CARRIER``): everything, read-only, every deliverable;
- anyone else who may open the innovation (``READER``: structure contacts of its
  spread structures, committee members for published innovations): the stages,
  targets and awareness actions, and only the deliverables meant for the
  structures (guide, tooling, communication tools). The checklist, the
  governance members (named people) and the history of stage moves (exception
  reasons) are the accompaniment's internals: not shown to them.

Someone else's innovation is a 404 (``Innovation.objects.for_user``).
"""

import rules
from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.accounts.models import Role
from ais.core.confirm import confirmation_page, confirmed
from ais.core.forms import FORM_ERRORS, form_action, perform, posted, posted_files, returned_message
from ais.core.uploads import download_response

from . import accompaniment, extensions
from .accompaniment import StageError
from .innovation_forms import (
    ALL,
    CLOSED,
    IN_PROGRESS,
    AdvanceStageForm,
    AwarenessActionForm,
    CloseAccompanimentForm,
    DeliverableForm,
    GovernanceMemberForm,
    InnovationListFilterForm,
    InnovationSettingsForm,
    ReopenAccompanimentForm,
    StagePlanFormSet,
    TargetFormSet,
)
from .models import (
    DELIVERABLE_STAGE,
    Deliverable,
    DeliverableKind,
    Innovation,
    Stage,
    StagePlan,
    StageTransition,
)

manage_accompaniment = permission_required("projects.manage_accompaniment", raise_exception=True)

MANAGE, CARRIER, READER = "manage", "carrier", "reader"

# The deliverables anyone who may open the innovation may download: those meant for
# the spread structures. The feasibility study, the charter and the partnership
# template stay between Ansa and the carrier.
SHARED_DELIVERABLE_KINDS = (DeliverableKind.GUIDE, DeliverableKind.TOOLING, DeliverableKind.COMMUNICATION)

# Anchors of the detail page's sections (French: they show in the address bar).
ANCHORS = {
    "deliverables": "livrables",
    "governance": "gouvernance",
    "awareness": "sensibilisation",
    "stages": "etapes",
}


def _is_late():
    return Exists(accompaniment.late_stage_plans(StagePlan.objects.filter(innovation=OuterRef("pk"))))


def _can_manage(user) -> bool:
    # The rule alone: Django's model backend would add two permission queries per page.
    return rules.has_perm("projects.manage_accompaniment", user)


def _access(user, innovation) -> str:
    if _can_manage(user):
        return MANAGE
    if (
        user.has_role(Role.CARRIER)
        and user.memberships.filter(role=Role.CARRIER, organisation_id=innovation.carrier_id).exists()
    ):
        return CARRIER
    return READER


def _innovation(request, pk) -> Innovation:
    """The innovation with what its page shows, if the user may open it (else 404)."""
    queryset = (
        Innovation.objects.for_user(request.user)
        .select_related("carrier", "origin_commune__department", "lead_manager")
        .annotate(**extensions.counter_annotations())
    )
    return get_object_or_404(queryset, pk=pk)


def _scoped_innovation(request, pk) -> Innovation:
    """The bare innovation, if the user may open it (else 404)."""
    return get_object_or_404(Innovation.objects.for_user(request.user), pk=pk)


def _detail_url(innovation, section: str = "") -> str:
    url = reverse("projects:innovation_detail", kwargs={"pk": innovation.pk})
    return f"{url}#{ANCHORS[section]}" if section else url


def _prefetch(innovation, level):
    deliverables = Deliverable.objects.order_by("-dated", "-pk")
    if level == READER:
        deliverables = deliverables.filter(kind__in=SHARED_DELIVERABLE_KINDS)
    lookups = [
        "targets",
        "stage_plans",
        "awareness_actions",
        Prefetch("deliverables", queryset=deliverables),
    ]
    if level != READER:
        lookups += [
            "governance",
            Prefetch("stage_transitions", queryset=StageTransition.objects.select_related("moved_by")),
            "team",
            *accompaniment.stage_prefetch(innovation.stage),
        ]
    prefetch_related_objects([innovation], *lookups)


def _timeline(innovation, today, *, show_late=True):
    plans = {plan.stage: plan for plan in innovation.stage_plans.all()}
    steps = []
    for value, label in Stage.choices:
        plan = plans.get(value)
        if value < innovation.stage:
            state, state_label = "done", _("Completed")
        elif value == innovation.stage:
            state, state_label = "current", _("Current stage")
        else:
            state, state_label = "upcoming", _("To come")
        steps.append(
            {
                "value": value,
                "number": ["I", "II", "III", "IV"][value - 1],
                "label": label,
                "state": state,
                "state_label": state_label,
                "plan": plan,
                "late": bool(show_late and plan and plan.is_late(today)),
            }
        )
    return steps


def _deliverable_groups(innovation, level):
    """The deliverables by the stage they belong to (other documents last)."""
    groups = {value: [] for value in Stage.values}
    others = []
    for deliverable in innovation.deliverables.all():
        deliverable.removable = level == MANAGE and accompaniment.is_removable(deliverable)
        stage = DELIVERABLE_STAGE.get(deliverable.kind)
        (groups[stage] if stage else others).append(deliverable)
    result = [{"label": label, "deliverables": groups[value]} for value, label in Stage.choices if groups[value]]
    if others:
        result.append({"label": _("Other documents"), "deliverables": others})
    return result


def _transitions(innovation):
    moves = list(innovation.stage_transitions.all())
    for move in moves:
        move.missing_labels = accompaniment.requirement_labels(move.missing)
    return sorted(moves, key=lambda m: (m.effective_on, m.moved_at, m.pk), reverse=True)


def _detail_context(request, innovation, *, status_forms=None):
    level = _access(request.user, innovation)
    _prefetch(innovation, level)
    today = timezone.localdate()
    # Lateness is a management signal: structures and committee members see the dates only.
    timeline = _timeline(innovation, today, show_late=level != READER)
    forms = status_forms or {}
    context = {
        "innovation": innovation,
        "level": level,
        "can_manage": level == MANAGE,
        "internal": level in (MANAGE, CARRIER),
        "timeline": timeline,
        "is_late": any(step["late"] for step in timeline),
        "targets": list(innovation.targets.all()),
        "deliverable_groups": _deliverable_groups(innovation, level),
        "awareness_actions": list(innovation.awareness_actions.all()),
        "at_last_stage": innovation.stage >= Stage.EVALUATION,
    }
    if level != READER:
        requirements = accompaniment.requirements(innovation)
        context.update(
            {
                "requirements": requirements,
                "missing_count": sum(1 for r in requirements if not r.met),
                "governance": list(innovation.governance.all()),
                "transitions": _transitions(innovation),
                "team": list(innovation.team.all()),
            }
        )
    if level == MANAGE:
        context.update(
            {
                "advance_form": forms.get("advance_form")
                or AdvanceStageForm(prefix="advance", initial={"stage": innovation.stage}),
                "governance_form": forms.get("governance_form") or GovernanceMemberForm(prefix="governance"),
                "awareness_form": forms.get("awareness_form") or AwarenessActionForm(prefix="awareness"),
                "structure_calls": list(innovation.structure_calls.order_by("-pk")),
                "close_form": forms.get("close_form")
                or CloseAccompanimentForm(prefix="close", initial={"closed_on": today}),
                "reopen_form": forms.get("reopen_form") or ReopenAccompanimentForm(prefix="reopen"),
            }
        )
    return context


# Pages ----------------------------------------------------------------------------


def innovation_list(request):
    can_filter_late = _can_manage(request.user)
    filters = InnovationListFilterForm(request.GET or None, can_filter_late=can_filter_late)
    innovations = (
        Innovation.objects.for_user(request.user)
        .select_related("carrier", "lead_manager")
        .annotate(**extensions.counter_annotations("active_structure_count"), is_late=_is_late())
        .order_by("stage", "name")
    )
    state = IN_PROGRESS
    if filters.is_valid():
        state = filters.cleaned_data.get("state") or IN_PROGRESS
        if filters.cleaned_data.get("stage"):
            innovations = innovations.filter(stage=filters.cleaned_data["stage"])
        if filters.cleaned_data.get("late"):
            innovations = innovations.filter(is_late=True)
    if state == IN_PROGRESS:
        innovations = innovations.in_progress()
    elif state == CLOSED:
        innovations = innovations.closed()
    innovations = list(innovations)
    return render(
        request,
        "projects/innovation/list.html",
        {
            "innovations": innovations,
            "filters": filters,
            "state": state if state in (IN_PROGRESS, CLOSED, ALL) else IN_PROGRESS,
            "filtered": bool(request.GET),
            "can_filter_late": can_filter_late,
            "late_count": sum(1 for i in innovations if i.is_late),
        },
    )


def innovation_detail(request, pk):
    innovation = _innovation(request, pk)
    return render(request, "projects/innovation/detail.html", _detail_context(request, innovation))


@manage_accompaniment
def innovation_edit(request, pk):
    innovation = _scoped_innovation(request, pk)
    form = InnovationSettingsForm(posted(request), instance=innovation, prefix="innovation")
    formset = TargetFormSet(posted(request), instance=innovation, prefix="targets")

    def save(form):
        changes = {name: form.cleaned_data[name] for name in accompaniment.SETTINGS_FIELDS}
        accompaniment.update_settings(innovation, team=list(form.cleaned_data["team"]), by=request.user, **changes)
        accompaniment.save_targets(innovation, targets=formset.kept(), removed=formset.removed(), by=request.user)

    return form_action(
        request,
        form,
        save,
        also=[formset],
        atomic=True,
        success_url=_detail_url(innovation),
        success_message=_("The innovation's settings are saved."),
        template="projects/innovation/edit.html",
        context={"innovation": innovation, "formset": formset},
    )


@manage_accompaniment
def stage_plans(request, pk):
    innovation = _scoped_innovation(request, pk)
    accompaniment.ensure_stage_plans(innovation)
    queryset = StagePlan.objects.filter(innovation=innovation).order_by("stage")
    data = request.POST if request.method == "POST" else None
    formset = StagePlanFormSet(data, queryset=queryset, prefix="plans")
    if request.method == "POST":
        if formset.is_valid():
            if perform(
                request,
                lambda: accompaniment.save_stage_plans(
                    innovation, plans=[form.instance for form in formset.forms], by=request.user
                ),
                success_message=_("The calendar of the stages is saved."),
            ):
                return redirect(_detail_url(innovation, "stages"))
        elif formset.non_form_errors():  # rows that are not this innovation's plans: start again
            for error in formset.non_form_errors():
                messages.error(request, error)
            return redirect("projects:stage_plans", pk=innovation.pk)
        else:
            messages.error(request, FORM_ERRORS)
    today = timezone.localdate()
    rows = []
    for form in formset.forms:
        form.instance.innovation = innovation
        rows.append(
            {"form": form, "late": form.instance.is_late(today), "current": form.instance.stage == innovation.stage}
        )
    return render(
        request,
        "projects/innovation/stage_plans.html",
        {"innovation": innovation, "formset": formset, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


# Deliverables -----------------------------------------------------------------------


@manage_accompaniment
def deliverable_add(request, pk):
    innovation = _scoped_innovation(request, pk)
    initial = {"kind": request.GET.get("kind", "")} if request.GET.get("kind") in DeliverableKind.values else {}
    form = DeliverableForm(posted(request), posted_files(request), initial=initial)

    def add(form):
        data = form.cleaned_data
        accompaniment.add_deliverable(
            innovation,
            kind=data["kind"],
            title=data["title"],
            upload=data["file"],
            dated=data["dated"],
            conclusion=data["conclusion"],
            notes=data["notes"],
            by=request.user,
        )
        return _("The deliverable “%(title)s” is added.") % {"title": data["title"]}

    def page():
        if request.FILES and "file" not in form.errors:
            form.file_to_choose_again = True  # a browser never sends a file twice
        return {"innovation": innovation}

    return form_action(
        request,
        form,
        add,
        success_url=_detail_url(innovation, "deliverables"),
        success_message=returned_message,
        template="projects/innovation/deliverable_form.html",
        context=page,
    )


def deliverable_download(request, pk, deliverable_pk):
    """Serve a deliverable, as a download, to those who may see it: structure contacts
    and committee members only get the documents meant for the structures."""
    innovation = _scoped_innovation(request, pk)
    deliverables = innovation.deliverables.all()
    if _access(request.user, innovation) == READER:
        deliverables = deliverables.filter(kind__in=SHARED_DELIVERABLE_KINDS)
    return download_response(get_object_or_404(deliverables, pk=deliverable_pk))


@require_POST
@manage_accompaniment
def deliverable_delete(request, pk, deliverable_pk):
    innovation = _scoped_innovation(request, pk)
    deliverable = get_object_or_404(innovation.deliverables.select_related("innovation"), pk=deliverable_pk)
    perform(
        request,
        lambda: accompaniment.remove_deliverable(deliverable, by=request.user),
        success_message=_("The deliverable “%(title)s” is removed.") % {"title": deliverable.title},
    )
    return redirect(_detail_url(innovation, "deliverables"))


# Governance and awareness actions -------------------------------------------------------


def _post_form(request, pk, form_class, prefix, form_key, section, action, success):
    innovation = _innovation(request, pk)
    form = form_class(request.POST, prefix=prefix)
    return form_action(
        request,
        form,
        lambda form: action(innovation, form.cleaned_data),
        success_url=_detail_url(innovation, section),
        success_message=success,
        template="projects/innovation/detail.html",
        context=lambda: _detail_context(request, innovation, status_forms={form_key: form}),
        form_name=form_key,
    )


@require_POST
@manage_accompaniment
def governance_add(request, pk):
    def action(innovation, data):
        accompaniment.add_governance_member(innovation, by=request.user, **data)

    return _post_form(
        request,
        pk,
        GovernanceMemberForm,
        "governance",
        "governance_form",
        "governance",
        action,
        _("The member is added to the innovation's steering committee."),
    )


@require_POST
@manage_accompaniment
def governance_delete(request, pk, member_pk):
    innovation = _scoped_innovation(request, pk)
    member = get_object_or_404(innovation.governance, pk=member_pk)
    accompaniment.remove_governance_member(member, by=request.user)
    messages.success(request, _("%(name)s is removed from the steering committee.") % {"name": member.full_name})
    return redirect(_detail_url(innovation, "governance"))


@require_POST
@manage_accompaniment
def awareness_add(request, pk):
    def action(innovation, data):
        accompaniment.add_awareness_action(innovation, by=request.user, **data)

    return _post_form(
        request,
        pk,
        AwarenessActionForm,
        "awareness",
        "awareness_form",
        "awareness",
        action,
        _("The awareness action is recorded."),
    )


@require_POST
@manage_accompaniment
def awareness_delete(request, pk, action_pk):
    innovation = _scoped_innovation(request, pk)
    action = get_object_or_404(innovation.awareness_actions, pk=action_pk)
    accompaniment.remove_awareness_action(action, by=request.user)
    messages.success(request, _("The awareness action “%(title)s” is removed.") % {"title": action.title})
    return redirect(_detail_url(innovation, "awareness"))


# Stage moves -----------------------------------------------------------------------------


@manage_accompaniment
def stage_advance(request, pk):
    """A stage move cannot be undone: a GET, or a valid POST not confirmed, shows what
    it will do (the missing items, the exception) before it is made."""
    innovation = _innovation(request, pk)
    form = AdvanceStageForm(request.POST or None, prefix="advance")
    if innovation.stage >= Stage.EVALUATION or innovation.is_closed:
        if request.method == "GET":
            return redirect(_detail_url(innovation, "stages"))
    elif request.method == "GET" or (
        form.is_valid()
        and not confirmed(request)
        # Missing items without a reason: the form says so first, no question to ask yet.
        and (form.cleaned_data["exception_reason"] or not accompaniment.missing(innovation))
    ):
        return _stage_advance_confirmation(request, innovation, form)
    if form.is_valid():
        try:
            move = accompaniment.advance_stage(
                innovation,
                by=request.user,
                exception_reason=form.cleaned_data["exception_reason"],
                expected_stage=form.cleaned_data["stage"],
                on=form.cleaned_data["effective_on"],
            )
        except StageError as error:
            if error.code == "date":
                form.add_error("effective_on", str(error))
            elif error.code != "missing":  # moved meanwhile, or already at the last stage: show the page as it is
                messages.error(request, str(error))
                return redirect(_detail_url(innovation, "stages"))
            form.add_error("exception_reason", str(error))
        else:
            if move.is_exception:
                message = _(
                    "The innovation moved to “%(stage)s” as an exception: the missing items are recorded "
                    "with your reason."
                )
            else:
                message = _("The innovation moved to “%(stage)s”.")
            messages.success(request, message % {"stage": move.get_to_stage_display()})
            return redirect(_detail_url(innovation, "stages"))
    context = _detail_context(request, innovation, status_forms={"advance_form": form})
    return render(request, "projects/innovation/detail.html", context, status=400)


def _stage_advance_confirmation(request, innovation, form):
    to_stage = Stage(innovation.stage + 1)
    consequences = [
        _("%(innovation)s moves from “%(from)s” to “%(to)s”.")
        % {"innovation": innovation.name, "from": innovation.get_stage_display(), "to": to_stage.label},
        _("The move is recorded with its date and your name; it cannot be undone."),
    ]
    missing = [str(requirement.label) for requirement in accompaniment.missing(innovation)]
    if missing:
        consequences.append(
            _("It moves as an exception; missing items recorded with your reason: %(items)s.")
            % {"items": "; ".join(missing)}
        )
    carry = None if request.method == "POST" else [(form.add_prefix("stage"), innovation.stage)]
    return confirmation_page(
        request,
        title=_("Move to the next stage"),
        consequences=consequences,
        action_label=_("Move to “%(stage)s”") % {"stage": to_stage.label},
        cancel_url=_detail_url(innovation, "stages"),
        carry=carry,
    )


# End of the accompaniment ------------------------------------------------------------------


@require_POST
@manage_accompaniment
def accompaniment_close(request, pk):
    """Close the accompaniment (kind, date, reason, confirmation box)."""
    innovation = _innovation(request, pk)
    form = CloseAccompanimentForm(request.POST, prefix="close")
    if form.is_valid():
        data = form.cleaned_data
        try:
            accompaniment.close_accompaniment(
                innovation, kind=data["kind"], on=data["closed_on"], reason=data["reason"], by=request.user
            )
        except StageError as error:
            form.add_error({"date": "closed_on", "reason": "reason"}.get(error.code), str(error))
        else:
            messages.success(request, _("The accompaniment is closed."))
            return redirect(_detail_url(innovation, "stages"))
    messages.error(request, _("The form has errors: correct the fields marked in red."))
    context = _detail_context(request, innovation, status_forms={"close_form": form})
    return render(request, "projects/innovation/detail.html", context, status=400)


@require_POST
@manage_accompaniment
def accompaniment_reopen(request, pk):
    innovation = _innovation(request, pk)
    form = ReopenAccompanimentForm(request.POST, prefix="reopen")
    if form.is_valid():
        try:
            accompaniment.reopen_accompaniment(innovation, reason=form.cleaned_data["reason"], by=request.user)
        except StageError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The accompaniment is reopened."))
            return redirect(_detail_url(innovation, "stages"))
    messages.error(request, _("The form has errors: correct the fields marked in red."))
    context = _detail_context(request, innovation, status_forms={"reopen_form": form})
    return render(request, "projects/innovation/detail.html", context, status=400)
