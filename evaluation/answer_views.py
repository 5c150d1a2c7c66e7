"""Answering the questionnaires: structure contacts (logged in, or holding a grant
from an e-mailed link) fill them in; carriers of the innovation read them.

Access to one questionnaire: ``Response.objects.answerable_by(user)`` or a grant in
the session (``links.has_grant``) to answer; ``Response.objects.for_user(user)`` to
read; anyone else gets a 404 (an anonymous visitor is asked to log in). Every
answer is saved by ``services.save_answer`` with the revision the person saw, so
two people never overwrite each other silently.
"""

import functools

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget
from rules.contrib.views import permission_required

from . import links, services
from .answer_forms import LinkRequestForm, Questionnaire, posted_revision, posted_value
from .manage_forms import SubmissionDateForm
from .models import EDITABLE_STATUSES, Answer, Question, Response, ResponseStatus

PAGE_SIZE = 50


class _LoginNeeded(Exception):
    pass


def _is_manager(user) -> bool:
    # The rule alone: no query of Django's permission tables.
    return rules.has_perm("evaluation.manage_evaluation", user)


def _acting_user(request):
    return request.user if request.user.is_authenticated else None


def _get_response(request, pk) -> tuple[Response, bool]:
    """The questionnaire and whether the visitor may answer it (else only read it).
    Raises ``Http404`` for anyone else, ``_LoginNeeded`` for an anonymous visitor
    without a grant."""
    queryset = Response.objects.select_related(
        "structure__organisation", "structure__innovation", "version__template", "submitted_by"
    )
    if links.has_grant(request.session, pk) or Response.objects.answerable_by(request.user).filter(pk=pk).exists():
        return get_object_or_404(queryset, pk=pk), True
    if not request.user.is_authenticated:
        raise _LoginNeeded
    readable = Response.objects.for_user(request.user).values("pk")
    return get_object_or_404(queryset.filter(pk__in=readable), pk=pk), False


def _with_access(view):
    """Fetch the questionnaire for ``view(request, response, can_answer, ...)``."""

    @functools.wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        try:
            response, can_answer = _get_response(request, pk)
        except _LoginNeeded:
            return redirect_to_login(request.get_full_path())
        return view(request, response, can_answer, *args, **kwargs)

    return wrapped


# --------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------


@permission_required("evaluation.answer_questionnaires", raise_exception=True)
def my_questionnaires(request):
    """The questionnaires of the user's structures (every one for managers), soonest due first."""
    required = (
        Question.objects.filter(version=OuterRef("version"), required=True)
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    answered = (
        Answer.objects.filter(response=OuterRef("pk"), question__required=True, value__isnull=False)
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    responses = (
        Response.objects.answerable_by(request.user)
        .exclude(status=ResponseStatus.CANCELLED)
        .select_related("structure__organisation", "structure__innovation")
        .annotate(
            required_count=Coalesce(Subquery(required, output_field=IntegerField()), Value(0)),
            answered_count=Coalesce(Subquery(answered, output_field=IntegerField()), Value(0)),
        )
        .order_by("due_on", "structure__innovation__name", "structure__organisation__name", "pk")
    )
    page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "response": response,
            "open": response.is_open(today),
            "late": response.is_late(today),
            "percent": round(100 * response.answered_count / response.required_count)
            if response.required_count
            else 100,
        }
        for response in page.object_list
    ]
    return render(
        request,
        "evaluation/answer/my_questionnaires.html",
        {"rows": rows, "page_obj": page, "counts": _counts(request.user, today)},
    )


def _counts(user, today) -> dict:
    return Response.objects.answerable_by(user).aggregate(
        to_answer=Count("pk", filter=Q(status__in=EDITABLE_STATUSES, opens_on__lte=today)),
        late=Count("pk", filter=Q(status__in=EDITABLE_STATUSES, due_on__lt=today)),
    )


# --------------------------------------------------------------------------
# The questionnaire page
# --------------------------------------------------------------------------


def _page(request, response, can_answer, questionnaire, *, status=200, submit_error="", missing=()):
    sections = questionnaire.sections()
    return render(
        request,
        "evaluation/answer/response.html",
        {
            "response": response,
            "template": response.version.template,
            "structure": response.structure,
            "innovation": response.structure.innovation,
            "can_answer": can_answer,
            "editable": can_answer and response.is_open(),
            "not_open_yet": response.is_editable and response.opens_on > timezone.localdate(),
            "late": response.is_late(),
            "sections": sections,
            "progress": questionnaire.progress(),
            "submit_error": submit_error,
            "missing": missing,
            "has_errors": any(f.error or f.conflict for section in sections for f in section["fields"]),
            # Managers recording the history give the date of the sending.
            "submission_form": SubmissionDateForm() if _is_manager(request.user) else None,
        },
        status=status,
    )


@login_not_required
@never_cache
@_with_access
def response_page(request, response, can_answer):
    """THE questionnaire: answers save as they are typed (``answer_save``); without
    JavaScript, posting the whole form saves every answer with the same rules."""
    questionnaire = Questionnaire(response)
    if request.method == "POST":
        if not can_answer:
            raise Http404
        if questionnaire.save_posted(request.POST, by=_acting_user(request)):
            messages.success(request, _("Your answers are saved. You can come back later to finish."))
            return redirect("evaluation:response", pk=response.pk)
        messages.error(request, _("Some answers were not saved: see the messages under the questions."))
        return _page(request, response, can_answer, questionnaire, status=400)
    return _page(request, response, can_answer, questionnaire)


@login_not_required
@never_cache
@require_POST
@_with_access
def answer_save(request, response, can_answer, question_pk):
    """Save one answer (htmx, while typing): the field's status, its new revision,
    the progress and the consistency warnings come back; on a conflict or an
    invalid value, the whole field with the typed text and the message."""
    if not can_answer:
        raise Http404
    question = get_object_or_404(Question, pk=question_pk, version_id=response.version_id)
    questionnaire = Questionnaire(response)
    raw, revision = posted_value(question, request.POST), posted_revision(question, request.POST)
    saved = questionnaire.save(question, raw, revision, by=_acting_user(request))
    field = questionnaire.field(question)
    if not request.htmx:
        if saved:
            messages.success(request, _("Your answer is saved."))
        else:
            messages.error(request, field.conflict or field.error)
        return redirect(reverse("evaluation:response", kwargs={"pk": response.pk}) + f"#question-{question.pk}")
    html = render(
        request,
        "evaluation/answer/_answer_saved.html",
        {
            "field": field,
            "saved": saved,
            "saved_at": timezone.localtime(field.answer.updated_at) if saved and field.answer else None,
            "editable": True,
            "response": response,
            "progress": questionnaire.progress(),
            "rule_fields": [f for f in questionnaire.rule_fields() if f.pk != question.pk or saved],
        },
    )
    if not saved:
        html = reswap(retarget(html, f"#question-{question.pk}"), "outerHTML")
    return html


@login_not_required
@never_cache
@require_POST
@_with_access
def response_submit(request, response, can_answer):
    """Send the questionnaire: the answers posted with it are saved first; missing
    required answers or broken consistency rules are listed, nothing is lost."""
    if not can_answer:
        raise Http404
    by = _acting_user(request)
    questionnaire = Questionnaire(response)
    if not questionnaire.save_posted(request.POST, by=by):
        messages.error(request, _("Some answers were not saved: see the messages under the questions."))
        return _page(request, response, can_answer, questionnaire, status=400)
    on = None
    if _is_manager(request.user) and request.POST.get(SubmissionDateForm.FIELD):
        dated = SubmissionDateForm(request.POST)
        if not dated.is_valid():
            error = " ".join(dated.errors[SubmissionDateForm.FIELD])
            return _page(request, response, can_answer, questionnaire, status=400, submit_error=error)
        on = dated.date
    try:
        services.submit_response(response, by=by, on=on)
    except services.EvaluationError as error:
        missing = questionnaire.mark_missing()
        return _page(request, response, can_answer, questionnaire, status=400, submit_error=str(error), missing=missing)
    messages.success(request, _("Thank you: your questionnaire is sent to the programme team."))
    return redirect("evaluation:response", pk=response.pk)


# --------------------------------------------------------------------------
# E-mailed links
# --------------------------------------------------------------------------


def _private(http_response):
    http_response["Referrer-Policy"] = "same-origin"  # no-referrer would send "Origin: null" and fail CSRF
    http_response["Cache-Control"] = "no-store"
    return http_response


@login_not_required
def link(request, token):
    """An e-mailed link. GET shows the questionnaire it opens and a button; POST exchanges
    the token (once) for access in this browser, then goes to the questionnaire's address
    (without the token). Mail scanners that follow links only ever do the GET."""
    try:
        if request.method == "POST":
            response = links.redeem(token, request.session)
        else:
            response = links.check(token)
            return _private(render(request, "evaluation/answer/link_confirm.html", {"response": response}))
    except links.LinkError as error:
        pending = error.response if error.reason == "used" else None
        still_open = pending is not None and links.has_grant(request.session, pending.pk)
        return _private(
            render(
                request,
                "evaluation/answer/link_error.html",
                {
                    "reason": error.reason,
                    "message": str(error),
                    "form": LinkRequestForm(),
                    "continue_pk": pending.pk if still_open else None,
                },
                status=404 if error.reason == "invalid" else 410,
            )
        )
    return _private(redirect("evaluation:response", pk=response.pk))


@login_not_required
@never_cache
def link_request(request):
    """Ask for a new link by e-mail. The answer is the same whether the address is
    known or not, so that nobody learns who has an account."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        links.send_new_links(form.cleaned_data["email"])
        return render(request, "evaluation/answer/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "evaluation/answer/link_request.html", {"form": form}, status=400 if form.errors else 200)
