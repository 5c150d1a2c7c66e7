"""Views of the steering committee: members review, managers organise and decide."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from . import committee
from .committee_forms import (
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
    if assignment.has_conflict is None:
        form = ConflictForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                committee.declare_conflict(
                    assignment,
                    has_conflict=form.cleaned_data["has_conflict"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except DossierError as error:
                messages.error(request, str(error))
            else:
                if assignment.has_conflict:
                    messages.success(
                        request,
                        _(
                            "Thank you: the dossier is withdrawn from your list and the "
                            "programme team will give it to another member."
                        ),
                    )
                    return redirect("projects:my_reviews")
                return redirect("projects:review", pk=assignment.pk)
        return render(
            request,
            "projects/committee/declare.html",
            {"assignment": assignment, "dossier": dossier, "form": form},
            status=400 if form.errors else 200,
        )
    criteria = list(dossier.call.criteria.order_by("position", "pk"))
    own = assignment.own_review
    if own is not None:
        own = type(own).objects.prefetch_related("scores").get(pk=own.pk)
    form_class = score_form_class(criteria)
    form = form_class(request.POST or None, initial=_initial(own, criteria))
    locked = committee._locked(dossier.call) or (own is not None and own.is_submitted)
    if request.method == "POST" and not locked:
        if form.is_valid():
            data = form.cleaned_data
            scores = {c.pk: (data.get(f"score_{c.pk}"), data.get(f"comment_{c.pk}", "")) for c in criteria}
            submit = "submit" in request.POST
            try:
                committee.save_review(
                    assignment,
                    scores=scores,
                    recommendation=data["recommendation"],
                    comment=data["comment"],
                    submit=submit,
                    by=request.user,
                )
            except DossierError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your review is submitted.") if submit else _("Draft saved."))
                return redirect("projects:review", pk=assignment.pk)
        else:
            messages.error(request, _("The form has errors: correct the fields marked in red."))
    others = list(committee.reviews_visible_to(assignment))
    return render(
        request,
        "projects/committee/review.html",
        {
            "assignment": assignment,
            "dossier": dossier,
            "call": dossier.call,
            "form": form,
            "criteria": criteria,
            "own": own,
            "locked": locked,
            "others": others,
            "sections": dossier_sections(dossier),
            "attachments": list(dossier.attachments.all()),
        },
    )


# Managers ---------------------------------------------------------------------


@managers_only
def committee_page(request, pk):
    call = get_object_or_404(Call, pk=pk)
    setup = CommitteeSetupForm(request.POST or None, instance=call, prefix="setup")
    if request.method == "POST" and committee._locked(call):
        messages.error(request, _("The selection session of this call is closed: scores and decisions are locked."))
        return redirect("projects:committee", pk=call.pk)
    if request.method == "POST":
        if setup.is_valid():
            setup.save()
            messages.success(request, _("The committee is saved."))
            return redirect("projects:committee", pk=call.pk)
        messages.error(request, _("The form has errors: correct the fields marked in red."))
    dossiers = list(
        call.dossiers.filter(status="eligible")
        .select_related("organisation")
        .prefetch_related(Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("member", "review")))
        .order_by("innovation_name")
    )
    loads = call.committee_members.annotate(
        load=Count(
            "review_assignments",
            filter=Q(review_assignments__dossier__call=call) & ~Q(review_assignments__has_conflict=True),
        )
    ).order_by("last_name")
    return render(
        request,
        "projects/committee/manage.html",
        {
            "call": call,
            "setup": setup,
            "dossiers": dossiers,
            "loads": list(loads),
            "manual": ManualAssignmentForm(call=call),
            "locked": committee._locked(call),
        },
        status=400 if setup.errors else 200,
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
        try:
            committee.assign_member(form.cleaned_data["dossier"], form.cleaned_data["member"], by=request.user)
        except DossierError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Assignment added."))
    else:
        messages.error(request, _("Choose a dossier and a member."))
    return redirect("projects:committee", pk=call.pk)


@require_POST
@managers_only
def unassign(request, pk):
    assignment = get_object_or_404(ReviewAssignment.objects.select_related("dossier__call"), pk=pk)
    try:
        committee.unassign(assignment, by=request.user)
    except DossierError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Assignment removed."))
    return redirect("projects:committee", pk=assignment.dossier.call_id)


@managers_only
def ranking_page(request, pk):
    call = get_object_or_404(Call, pk=pk)
    rows = committee.ranking(call)
    criteria = list(call.criteria.order_by("position", "pk"))
    return render(request, "projects/committee/ranking.html", {"call": call, "rows": rows, "criteria": criteria})


@managers_only
def ranking_export(request, pk):
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .exports import looks_like_formula

    call = get_object_or_404(Call, pk=pk)
    rows = committee.ranking(call)
    criteria = list(call.criteria.order_by("position", "pk"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Ranking")[:31]
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
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
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
        sheet.append(line)
    for cells in sheet.iter_rows():
        for cell in cells:
            if looks_like_formula(cell.value):
                cell.data_type = "s"  # names typed by carriers are text, never formulas
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="classement-{call.slug}.xlsx"'
    return response


@managers_only
def session_create(request, pk):
    call = get_object_or_404(Call, pk=pk)
    form = SessionForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            session = committee.open_session(
                call, held_on=form.cleaned_data["held_on"], place=form.cleaned_data["place"], by=request.user
            )
        except DossierError as error:
            messages.error(request, str(error))
        else:
            session.members_present.set(form.cleaned_data["members_present"])
            session.email_subject = form.cleaned_data["email_subject"]
            session.email_body = form.cleaned_data["email_body"]
            session.save(update_fields=["email_subject", "email_body"])
            return redirect("projects:session", pk=session.pk)
    return render(
        request,
        "projects/committee/session_form.html",
        {"call": call, "form": form},
        status=400 if form.errors else 200,
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
                messages.error(request, _("The form has errors: correct the fields marked in red."))
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
    try:
        committee.close_session(session, by=request.user)
    except DossierError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "The session is closed: scores and decisions are locked. Selected dossiers "
                "are now innovations in stage I."
            ),
        )
    return redirect("projects:session", pk=session.pk)


@require_POST
@managers_only
def session_release(request, pk):
    session = _session(pk)
    try:
        count = committee.release_decisions(session, by=request.user)
    except DossierError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s e-mail is on its way to the carriers.", "%(n)s e-mails are on their way to the carriers.", count
            )
            % {"n": count},
        )
    return redirect("projects:session", pk=session.pk)


@managers_only
def session_minutes(request, pk):
    from weasyprint import CSS, HTML

    from .exports import PDF_CSS

    session = _session(pk)
    html = render_to_string(
        "projects/pdf/minutes.html",
        {
            "session": session,
            "call": session.call,
            "decisions": list(session.decisions.select_related("dossier__organisation")),
            "present": list(session.members_present.order_by("last_name")),
            "rows": committee.ranking(session.call),
        },
    )
    pdf = HTML(string=html, base_url=settings.SITE_URL).write_pdf(stylesheets=[CSS(filename=PDF_CSS)])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proces-verbal-{session.call.slug}.pdf"'
    return response
