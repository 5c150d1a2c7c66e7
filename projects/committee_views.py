"""Views of the steering committee: members review, managers organise and decide."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.accounts.forms import CommitteeInviteForm
from ais.core.documents import PDF_CSS, pdf_response, render_pdf, xlsx_response
from ais.core.forms import FORM_ERRORS, form_action, perform, posted

from . import committee
from .committee_forms import (
    CommitteeMemberForm,
    CommitteeSetupForm,
    ConflictForm,
    DecisionForm,
    ManualAssignmentForm,
    SessionForm,
    score_form_class,
)
from .display import dossier_sections
from .models import Call, ReviewAssignment, SelectionSession
from .services import DossierError

member_only = permission_required("projects.review_dossiers", raise_exception=True)
managers_only = permission_required("projects.manage_calls", raise_exception=True)


# Members ----------------------------------------------------------------------


def _assignment(request, pk) -> ReviewAssignment:
    """The member's own assignment: anyone else's (or a non-member asking) is a 404, never a leak."""
    if not request.user.has_perm("projects.review_dossiers"):
        raise Http404
    return get_object_or_404(
        ReviewAssignment.objects.for_member(request.user).select_related(
            "dossier__call", "dossier__organisation__commune__department", "dossier__origin_commune__department"
        ),
        pk=pk,
    )


@member_only
def my_reviews(request):
    assignments = list(
        ReviewAssignment.objects.for_member(request.user)
        .select_related("dossier__call", "dossier__organisation", "review")
        .order_by("dossier__call__closes_at", "dossier__innovation_name")
    )
    done = sum(1 for a in assignments if a.review_submitted)
    return render(
        request,
        "projects/committee/my_reviews.html",
        {
            "assignments": assignments,
            "done": done,
            "total": len(assignments),
            "percent": round(100 * done / len(assignments)) if assignments else 0,
        },
    )


def _initial(review, criteria):
    if review is None:
        return {}
    initial = {"recommendation": review.recommendation, "comment": review.comment}
    for score in review.scores.all():
        initial[f"score_{score.criterion_id}"] = str(score.value)
        initial[f"comment_{score.criterion_id}"] = score.comment
    return initial


def review(request, pk):
    """Declare a conflict first; then score the dossier; others' scores appear
    only once the member's own review is submitted."""
    assignment = _assignment(request, pk)
    dossier = assignment.dossier
    review_url = reverse("projects:review", kwargs={"pk": assignment.pk})
    if assignment.has_conflict is None:

        def declare(form):
            committee.declare_conflict(
                assignment,
                has_conflict=form.cleaned_data["has_conflict"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            return assignment.has_conflict

        return form_action(
            request,
            ConflictForm(posted(request)),
            declare,
            success_url=lambda conflict: reverse("projects:my_reviews") if conflict else review_url,
            success_message=lambda conflict: (
                _(
                    "Thank you: the dossier is withdrawn from your list and the "
                    "programme team will give it to another member."
                )
                if conflict
                else None
            ),
            template="projects/committee/declare.html",
            context={"assignment": assignment, "dossier": dossier},
        )
    criteria = list(dossier.call.criteria.order_by("position", "pk"))
    own = assignment.own_review
    if own is not None:
        own = type(own).objects.prefetch_related("scores").get(pk=own.pk)
    form = score_form_class(criteria)(request.POST or None, initial=_initial(own, criteria))
    locked = committee._locked(dossier.call) or (own is not None and own.is_submitted)

    def page():
        return {
            "assignment": assignment,
            "dossier": dossier,
            "call": dossier.call,
            "criteria": criteria,
            "own": own,
            "locked": locked,
            "others": list(committee.reviews_visible_to(assignment)),
            "sections": dossier_sections(dossier),
            "attachments": list(dossier.attachments.all()),
        }

    if locked:  # a post changes nothing: the page shows the review as it is, read-only
        return render(request, "projects/committee/review.html", {**page(), "form": form})

    def save(form):
        data = form.cleaned_data
        submit = "submit" in request.POST
        committee.save_review(
            assignment,
            scores={c.pk: (data.get(f"score_{c.pk}"), data.get(f"comment_{c.pk}", "")) for c in criteria},
            recommendation=data["recommendation"],
            comment=data["comment"],
            submit=submit,
            by=request.user,
        )
        return submit

    return form_action(
        request,
        form,
        save,
        success_url=review_url,
        success_message=lambda submit: _("Your review is submitted.") if submit else _("Draft saved."),
        template="projects/committee/review.html",
        context=page,
    )


# Managers ---------------------------------------------------------------------


def _committee_context(call, **forms):
    """The committee page's context; ``forms`` replace the blank ones (a form sent back
    with its errors)."""

    def page():
        dossiers = (
            call.dossiers.filter(status="eligible")
            .select_related("organisation")
            .prefetch_related(
                Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("member", "review"))
            )
            .order_by("innovation_name")
        )
        loads = call.committee_members.annotate(
            load=Count(
                "review_assignments",
                filter=Q(review_assignments__dossier__call=call) & ~Q(review_assignments__has_conflict=True),
            )
        ).order_by("last_name", "first_name")
        return {
            "call": call,
            "dossiers": list(dossiers),
            "loads": list(loads),
            "setup": CommitteeSetupForm(instance=call, prefix="setup"),
            "manual": ManualAssignmentForm(call=call),
            "member_form": CommitteeMemberForm(call=call, prefix="member"),
            "invite_form": CommitteeInviteForm(prefix="invite"),
            "locked": committee._locked(call),
            **forms,
        }

    return page


def _locked_refusal(request, call):
    messages.error(request, _("The selection session of this call is closed: scores and decisions are locked."))
    return redirect("projects:committee", pk=call.pk)


@managers_only
def committee_page(request, pk):
    """The call's committee: its members (added, removed, invited), its rules, the
    dossiers given to each member."""
    call = get_object_or_404(Call, pk=pk)
    if request.method == "POST" and committee._locked(call):
        return _locked_refusal(request, call)
    return form_action(
        request,
        CommitteeSetupForm(posted(request), instance=call, prefix="setup"),
        lambda form: form.save(),
        success_url=reverse("projects:committee", kwargs={"pk": call.pk}),
        success_message=_("The committee is saved."),
        template="projects/committee/manage.html",
        context=_committee_context(call),
        form_name="setup",
    )


@require_POST
@managers_only
def committee_member_add(request, pk):
    """Add a person holding the committee role to the call's committee."""
    call = get_object_or_404(Call, pk=pk)
    return form_action(
        request,
        CommitteeMemberForm(request.POST, call=call, prefix="member"),
        lambda form: committee.add_committee_member(call, form.cleaned_data["member"], by=request.user),
        success_url=reverse("projects:committee", kwargs={"pk": call.pk}),
        success_message=_("The member is added to the committee."),
        template="projects/committee/manage.html",
        context=_committee_context(call),
        form_name="member_form",
    )


@require_POST
@managers_only
def committee_member_remove(request, pk, member_pk):
    call = get_object_or_404(Call, pk=pk)
    member = get_object_or_404(call.committee_members, pk=member_pk)
    perform(
        request,
        lambda: committee.remove_committee_member(call, member, by=request.user),
        success_message=_("%(name)s is no longer a member of this committee.") % {"name": member},
    )
    return redirect("projects:committee", pk=call.pk)


@require_POST
@managers_only
def committee_member_invite(request, pk):
    """Invite a new person as a committee member and add them to the call's committee."""
    call = get_object_or_404(Call, pk=pk)

    def invite(form):
        data = form.cleaned_data
        return committee.invite_committee_member(
            call,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation=data["organisation"],
            by=request.user,
        )

    return form_action(
        request,
        CommitteeInviteForm(request.POST, prefix="invite"),
        invite,
        atomic=True,
        success_url=reverse("projects:committee", kwargs={"pk": call.pk}),
        success_message=lambda member: (
            _(
                "%(name)s is invited and added to the committee: "
                "an e-mail with a link to choose a password is on its way."
            )
            % {"name": member}
        ),
        template="projects/committee/manage.html",
        context=_committee_context(call),
        form_name="invite_form",
    )


@require_POST
@managers_only
def auto_assign(request, pk):
    call = get_object_or_404(Call, pk=pk)
    try:
        report = committee.assign_reviewers(call, by=request.user)
    except DossierError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext("%(n)s assignment created.", "%(n)s assignments created.", report.created) % {"n": report.created},
        )
        for dossier, missing in report.unfilled.items():
            messages.warning(
                request,
                ngettext(
                    "“%(dossier)s” is missing %(n)s member: no other member without a conflict is available.",
                    "“%(dossier)s” is missing %(n)s members: no other member without a conflict is available.",
                    missing,
                )
                % {"dossier": dossier, "n": missing},
            )
    return redirect("projects:committee", pk=call.pk)


@require_POST
@managers_only
def manual_assign(request, pk):
    call = get_object_or_404(Call, pk=pk)
    form = ManualAssignmentForm(request.POST, call=call)
    if form.is_valid():
        data = form.cleaned_data
        perform(
            request,
            lambda: committee.assign_member(data["dossier"], data["member"], by=request.user),
            success_message=_("Assignment added."),
        )
    else:
        messages.error(request, _("Choose a dossier and a member."))
    return redirect("projects:committee", pk=call.pk)


@require_POST
@managers_only
def unassign(request, pk):
    assignment = get_object_or_404(ReviewAssignment.objects.select_related("dossier__call"), pk=pk)
    perform(request, lambda: committee.unassign(assignment, by=request.user), success_message=_("Assignment removed."))
    return redirect("projects:committee", pk=assignment.dossier.call_id)


@managers_only
def ranking_page(request, pk):
    call = get_object_or_404(Call, pk=pk)
    rows = committee.ranking(call)
    criteria = list(call.criteria.order_by("position", "pk"))
    return render(request, "projects/committee/ranking.html", {"call": call, "rows": rows, "criteria": criteria})


@managers_only
def ranking_export(request, pk):
    call = get_object_or_404(Call, pk=pk)
    rows = committee.ranking(call)
    criteria = list(call.criteria.order_by("position", "pk"))
    header = [
        _("Rank"),
        _("Dossier"),
        _("Organisation"),
        _("Weighted score (0–5)"),
        _("Reviews done"),
        _("Reviews expected"),
        _("Disagreement"),
    ]
    for criterion in criteria:
        header += [
            _("%(criterion)s – mean") % {"criterion": criterion.title},
            _("%(criterion)s – spread") % {"criterion": criterion.title},
        ]
    lines = []
    for rank, row in enumerate(rows, start=1):
        line = [
            rank,
            str(row.dossier),
            row.dossier.organisation.name,
            round(row.weighted, 2) if row.weighted is not None else None,
            row.done,
            row.expected,
            _("yes") if row.disagreement else _("no"),
        ]
        for stat in row.criteria:
            line += [
                round(stat.mean, 2) if stat.mean is not None else None,
                round(stat.spread, 2) if stat.spread is not None else None,
            ]
        lines.append(line)
    return xlsx_response(f"classement-{call.slug}.xlsx", [(_("Ranking"), header, lines)])


@managers_only
def session_create(request, pk):
    call = get_object_or_404(Call, pk=pk)

    def open_session(form):
        data = form.cleaned_data
        session = committee.open_session(call, held_on=data["held_on"], place=data["place"], by=request.user)
        session.members_present.set(data["members_present"])
        session.email_subject = data["email_subject"]
        session.email_body = data["email_body"]
        session.save(update_fields=["email_subject", "email_body"])
        return session

    return form_action(
        request,
        SessionForm(posted(request), call=call),
        open_session,
        success_url=lambda session: reverse("projects:session", kwargs={"pk": session.pk}),
        template="projects/committee/session_form.html",
        context={"call": call},
    )


def _session(pk) -> SelectionSession:
    return get_object_or_404(SelectionSession.objects.select_related("call"), pk=pk)


def _record_decisions(request, decisions) -> int:
    """Record each row of the session table; returns the number of rows refused."""
    errors = 0
    for decision in decisions:
        form = DecisionForm(request.POST, prefix=f"d{decision.pk}")
        if not form.is_valid():
            errors += 1
            continue
        try:
            committee.record_decision(
                decision,
                value=form.cleaned_data["decision"],
                motivation=form.cleaned_data["motivation"],
                by=request.user,
            )
        except DossierError as error:
            errors += 1
            messages.error(request, f"{decision.dossier} : {error}")
    return errors


@managers_only
def session_page(request, pk):
    session = _session(pk)
    decisions = list(session.decisions.select_related("dossier__organisation", "innovation"))
    if request.method == "POST" and not session.is_closed:
        with transaction.atomic():  # all rows or none: a partly saved table would mislead
            errors = _record_decisions(request, decisions)
            if errors:
                transaction.set_rollback(True)
                messages.error(request, FORM_ERRORS)
        if not errors:
            messages.success(request, _("Decisions saved. They stay internal until you release them."))
            return redirect("projects:session", pk=session.pk)
    scores = {row.dossier.pk: row for row in committee.ranking(session.call)}
    rows = [
        {
            "decision": d,
            "form": DecisionForm(
                request.POST if request.method == "POST" else None,
                prefix=f"d{d.pk}",
                initial={"decision": d.decision, "motivation": d.motivation},
            ),
            "ranking": scores.get(d.dossier_id),
        }
        for d in decisions
    ]
    return render(
        request,
        "projects/committee/session.html",
        {
            "session": session,
            "call": session.call,
            "rows": rows,
            "present": list(session.members_present.order_by("last_name")),
        },
    )


@require_POST
@managers_only
def session_close(request, pk):
    session = _session(pk)
    perform(
        request,
        lambda: committee.close_session(session, by=request.user),
        success_message=_(
            "The session is closed: scores and decisions are locked. Selected dossiers are now innovations in stage I."
        ),
    )
    return redirect("projects:session", pk=session.pk)


@require_POST
@managers_only
def session_release(request, pk):
    session = _session(pk)
    perform(
        request,
        lambda: committee.release_decisions(session, by=request.user),
        success_message=lambda count: (
            ngettext(
                "%(n)s e-mail is on its way to the carriers.", "%(n)s e-mails are on their way to the carriers.", count
            )
            % {"n": count}
        ),
    )
    return redirect("projects:session", pk=session.pk)


@managers_only
def session_minutes(request, pk):
    session = _session(pk)
    pdf = render_pdf(
        "projects/pdf/minutes.html",
        {
            "session": session,
            "call": session.call,
            "decisions": list(session.decisions.select_related("dossier__organisation")),
            "present": list(session.members_present.order_by("last_name")),
            "rows": committee.ranking(session.call),
        },
        stylesheets=[PDF_CSS],
    )
    return pdf_response(pdf, f"proces-verbal-{session.call.slug}.pdf")
