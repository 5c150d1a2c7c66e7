"""Managers' side of the evaluation: follow-up (rates, late list), one questionnaire
(validate, return, links), one structure's three phases, exports, questionnaire
templates and their versions."""

import rules
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.core.confirm import confirmation_page, confirmed
from ais.core.documents import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment
from ais.core.forms import FORM_ERRORS, form_action, perform
from ais.outbox.models import OutgoingEmail
from essaimage.models import SpreadStructure
from projects.models import Innovation

from . import reminders, services
from .exports import phase_csv, phase_xlsx
from .followup import chart_data, comparison, filtered_responses, late_page, rate_rows, validation_page
from .links import contacts, revoke_links, send_access_links
from .manage_forms import DraftEditor, FollowupFilterForm, LinksForm, ReturnForm, ValidationDateForm
from .models import (
    ANSWERED_STATUSES,
    PHASE_ORDER,
    Phase,
    QuestionnaireTemplate,
    Response,
    ResponseStatus,
    Section,
    TemplateVersion,
)
from .services import EvaluationError, consistency_errors, display_value

manage_evaluation = permission_required("evaluation.manage_evaluation", raise_exception=True)


# --------------------------------------------------------------------------
# Follow-up
# --------------------------------------------------------------------------


def _pager(request, page, param: str, anchor: str) -> dict:
    """One list's page and the links to its neighbours: ``param`` changes, every other
    parameter (the filters, the other list's page) is kept."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}#{anchor}"

    return {
        "page": page,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }


@manage_evaluation
def followup(request):
    today = timezone.localdate()
    form = FollowupFilterForm(request.GET or None)
    filters = form.filters()
    responses = filtered_responses(**filters)
    by_innovation, innovation_total = rate_rows(responses, today=today, by="innovation")
    by_wave, wave_total = rate_rows(responses, today=today, by="wave")
    totals = innovation_total.total  # the rates query counts the late and submitted ones too
    late = late_page(responses, today=today, number=request.GET.get("late_page"), count=totals.late)
    to_validate = validation_page(responses, number=request.GET.get("validate_page"), count=totals.submitted)
    innovation = filters["innovation"]
    return render(
        request,
        "evaluation/manage/followup.html",
        {
            "form": form,
            "today": today,
            "phases": [(phase, Phase(phase).label) for phase in PHASE_ORDER],
            "shown_phases": [filters["phase"]] if filters["phase"] else PHASE_ORDER,
            "by_innovation": by_innovation,
            "innovation_total": innovation_total,
            "by_wave": by_wave,
            "wave_total": wave_total,
            "chart": chart_data(by_innovation, axis_label=_("Response rate (%)")),
            "late": _pager(request, late, "late_page", "late-title"),
            "to_validate": _pager(request, to_validate, "validate_page", "validate-title"),
            "export_query": f"?innovation={innovation.pk}" if innovation else "",
        },
    )


# --------------------------------------------------------------------------
# One questionnaire
# --------------------------------------------------------------------------


def _response(request, pk) -> Response:
    return get_object_or_404(
        Response.objects.for_user(request.user).select_related(
            "structure__organisation__commune__department",
            "structure__innovation",
            "version__template",
            "submitted_by",
            "validated_by",
        ),
        pk=pk,
    )


def _response_context(request, response: Response, *, return_form=None) -> dict:
    answers = {answer.question_id: answer for answer in response.answers.all()}
    sections = []
    values = {}
    for section in (
        Section.objects.filter(version=response.version_id).order_by("position", "pk").prefetch_related("questions")
    ):
        items = []
        for question in section.questions.all():
            answer = answers.get(question.pk)
            value = answer.value if answer else None
            values[question.code] = value
            items.append({"question": question, "display": display_value(question, value), "answer": answer})
        sections.append({"section": section, "items": items})
    links = list(response.links.all())
    now = timezone.now()
    for link in links:
        link.is_active = link.revoked_at is None and link.used_at is None and link.expires_at >= now
    emails = OutgoingEmail.objects.filter(
        content_type=ContentType.objects.get_for_model(Response), object_id=str(response.pk)
    ).order_by("created_at", "pk")
    return {
        "response": response,
        "structure": response.structure,
        "sections": sections,
        "warnings": consistency_errors(response.version, values),
        "reminders": list(response.reminders.all()),
        "can_remind": response.is_late() and response.is_open(),
        "emails": list(emails),
        "links": links,
        "has_active_links": any(link.is_active for link in links),
        "can_validate": response.status == ResponseStatus.SUBMITTED,
        "can_return": response.status in ANSWERED_STATUSES,
        "return_form": return_form or ReturnForm(),
        "validation_form": ValidationDateForm(),
        # The rules alone (no query of Django's permission tables): administrators open the outbox.
        "can_open_outbox": rules.has_perm("outbox.view_outbox", request.user),
    }


@manage_evaluation
def response_manage(request, pk):
    return render(request, "evaluation/manage/response.html", _response_context(request, _response(request, pk)))


@require_POST
@manage_evaluation
def response_validate(request, pk):
    response = _response(request, pk)
    form = ValidationDateForm(request.POST)
    try:
        if not form.is_valid():
            raise EvaluationError(" ".join(form.errors[ValidationDateForm.FIELD]))
        services.validate_response(response, by=request.user, on=form.date)
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The questionnaire is validated: its figures count in the indicators."))
    return redirect("evaluation:response_manage", pk=response.pk)


@require_POST
@manage_evaluation
def response_return(request, pk):
    response = _response(request, pk)
    form = ReturnForm(request.POST)
    return form_action(
        request,
        form,
        lambda form: services.return_response(response, reason=form.cleaned_data["reason"], by=request.user),
        success_url=reverse("evaluation:response_manage", kwargs={"pk": response.pk}),
        success_message=_("The questionnaire is returned for correction; the structure's contacts are informed."),
        template="evaluation/manage/response.html",
        context=lambda: _response_context(request, response, return_form=form),
        form_name="return_form",
    )


@require_POST
@manage_evaluation
def response_links(request, pk):
    response = _response(request, pk)
    form = LinksForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the links."))
    elif form.cleaned_data["action"] == "revoke":
        count = revoke_links(response, by=request.user)
        messages.success(
            request,
            ngettext("%(count)s link withdrawn.", "%(count)s links withdrawn.", count) % {"count": count}
            if count
            else _("No link was still usable."),
        )
    elif not response.is_open():
        messages.error(request, _("This questionnaire is not open for answers: there is no link to send."))
    else:
        recipients = contacts(response.structure)
        sent = send_access_links(
            response,
            purpose="new_link",
            dedup=f"manual:{timezone.now():%Y%m%d%H%M}",
            recipients=recipients,
        )
        if sent:
            messages.success(request, _("A new link was e-mailed to: %(emails)s.") % {"emails": ", ".join(sent)})
        elif recipients:
            messages.info(request, _("A link was already sent to these contacts a moment ago."))
        else:
            messages.error(
                request, _("The structure has no contact with an account yet: add one on the structure's page.")
            )
    return redirect("evaluation:response_manage", pk=response.pk)


@manage_evaluation
def response_remind(request, pk):
    """« Relancer »: one reminder now to the structure's contacts. A GET, or a POST not
    confirmed, says to whom it goes; the confirmed POST sends it (through the outbox)."""
    response = _response(request, pk)
    back = request.POST.get("next") or request.GET.get("next") or ""
    back = back if back == reverse("evaluation:followup") else reverse("evaluation:response_manage", args=[pk])
    if not confirmed(request):
        people = contacts(response.structure)
        return confirmation_page(
            request,
            title=_("Remind the structure now"),
            question=_("Send a reminder about this late questionnaire now?"),
            consequences=[
                _("%(structure)s – %(phase)s, due on %(date)s.")
                % {
                    "structure": response.structure.organisation.name,
                    "phase": response.get_phase_display(),
                    "date": date_format(response.due_on, "j F Y"),
                },
                _("Each contact gets a fresh link to the questionnaire by e-mail: %(emails)s.")
                % {"emails": ", ".join(person.email for person in people) or "—"},
                _("It is recorded with the other reminders; it cannot be sent again within 24 hours."),
            ],
            action_label=_("Send the reminder"),
            cancel_url=back,
            carry=[("next", back)],
        )
    perform(
        request,
        lambda: reminders.send_manual_reminder(response, by=request.user),
        success_message=lambda reminder: (
            _("Reminder sent to: %(emails)s.") % {"emails": ", ".join(reminder.recipients)}
        ),
    )
    return redirect(back)


# --------------------------------------------------------------------------
# One structure's three phases
# --------------------------------------------------------------------------


@manage_evaluation
def structure_compare(request, pk):
    structure = get_object_or_404(
        SpreadStructure.objects.for_user(request.user).select_related(
            "organisation__commune__department", "innovation"
        ),
        pk=pk,
    )
    columns, rows = comparison(structure)
    return render(
        request,
        "evaluation/manage/compare.html",
        {"structure": structure, "columns": columns, "rows": rows},
    )


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------


@manage_evaluation
def export(request, phase, fmt):
    if phase not in Phase.values or fmt not in ("csv", "xlsx"):
        raise Http404
    statuses = [s for s in ResponseStatus.values if s not in (ResponseStatus.CANCELLED, ResponseStatus.SCHEDULED)]
    responses = (
        Response.objects.for_user(request.user)
        .filter(phase=phase, status__in=statuses if request.GET.get("all") == "1" else ANSWERED_STATUSES)
        .select_related("structure__organisation__commune__department", "structure__innovation", "version")
        .order_by("structure__innovation__name", "structure__organisation__name", "pk")
    )
    innovation = request.GET.get("innovation")
    if innovation:
        if not innovation.isdigit():
            raise Http404
        responses = responses.filter(structure__innovation=get_object_or_404(Innovation, pk=innovation))
    filename = f"evaluation-{phase}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return attachment(phase_csv(responses, phase=phase), filename, CSV_CONTENT_TYPE)
    return attachment(phase_xlsx(responses, phase=phase), filename, XLSX_CONTENT_TYPE)


# --------------------------------------------------------------------------
# Questionnaire templates and versions
# --------------------------------------------------------------------------


@manage_evaluation
def template_list(request):
    versions = TemplateVersion.objects.select_related("published_by").annotate(response_count=Count("responses"))
    templates = QuestionnaireTemplate.objects.prefetch_related(Prefetch("versions", queryset=versions))
    order = {phase: index for index, phase in enumerate(PHASE_ORDER)}
    templates = sorted(templates, key=lambda template: order.get(template.phase, len(order)))
    for template in templates:
        template.has_draft = any(not version.is_published for version in template.versions.all())
    return render(request, "evaluation/manage/templates.html", {"templates": templates})


def _version(pk) -> TemplateVersion:
    return get_object_or_404(TemplateVersion.objects.select_related("template", "published_by"), pk=pk)


@manage_evaluation
def version_detail(request, pk):
    version = _version(pk)
    sections = Section.objects.filter(version=version).prefetch_related("questions")
    return render(
        request,
        "evaluation/manage/version.html",
        {
            "version": version,
            "template": version.template,
            "sections": sections,
            "rules": list(version.rules.all()),
            "response_count": version.responses.count(),
        },
    )


@require_POST
@manage_evaluation
def draft_create(request, pk):
    template = get_object_or_404(QuestionnaireTemplate, pk=pk)
    draft = services.new_draft_version(template, by=request.user)
    messages.success(
        request,
        _("Version %(number)s is a draft: change it, then publish it.") % {"number": draft.number},
    )
    return redirect("evaluation:version_edit", pk=draft.pk)


@manage_evaluation
def version_edit(request, pk):
    version = _version(pk)
    if version.is_published:
        messages.error(request, _("This version is published: it can no longer be changed. Create a new version."))
        return redirect("evaluation:version_detail", pk=version.pk)
    editor = DraftEditor(version, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if editor.is_valid():
            try:
                services.save_draft(
                    version, notes=editor.notes.cleaned_data["notes"], save=editor.save, by=request.user
                )
            except EvaluationError as error:
                messages.error(request, str(error))
                return redirect("evaluation:version_detail", pk=version.pk)
            messages.success(request, _("The draft is saved."))
            return redirect("evaluation:version_edit", pk=version.pk)
        messages.error(request, FORM_ERRORS)
    return render(
        request,
        "evaluation/manage/version_edit.html",
        {"version": version, "template": version.template, "editor": editor},
        status=400 if editor.total_error_count else 200,
    )


@require_POST
@manage_evaluation
def version_publish(request, pk):
    version = _version(pk)
    published = perform(
        request,
        lambda: services.publish_version(version, by=request.user),
        success_message=_(
            "Version %(number)s is published: questionnaires nobody has started yet use it; "
            "those already started keep their version."
        )
        % {"number": version.number},
    )
    if published or version.is_published:
        return redirect("evaluation:version_detail", pk=version.pk)
    return redirect("evaluation:version_edit", pk=version.pk)
