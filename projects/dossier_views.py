"""The carrier's side of a dossier: start, fill in steps, attach, submit, download."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.accounts.forms import OrganisationForm
from ais.accounts.models import Role
from ais.core.documents import pdf_response
from ais.core.forms import form_action, perform, posted, posted_files, returned_message
from ais.core.uploads import file_download

from . import services
from .display import dossier_sections, section_nav
from .exports import dossier_pdf
from .forms import SECTION_FIELDS, AttachmentForm, dossier_section_form_class
from .models import Call, Dossier, DossierSection, ReviewAssignment
from .services import DossierError, EditConflict


def _dossier_for(request, pk, *, write: bool = False) -> Dossier:
    """The dossier if the user may see it (404 otherwise). ``write=True``: only the
    carrier organisation's own members may change it — programme managers read
    dossiers but never edit a carrier's answers or documents."""
    queryset = Dossier.objects.for_user(request.user)
    if write:
        queryset = queryset.filter(
            organisation__memberships__user=request.user, organisation__memberships__role=Role.CARRIER
        )
    queryset = queryset.select_related(
        "call", "organisation__commune__department", "origin_commune__department", "created_by"
    )
    return get_object_or_404(queryset.distinct(), pk=pk)


def _is_carrier_of(user, dossier) -> bool:
    return dossier.organisation.memberships.filter(user=user, role=Role.CARRIER).exists()


@require_POST
@permission_required("projects.apply", raise_exception=True)
def dossier_start(request, slug):
    """Start (or reopen) the organisation's dossier for an open call."""
    call = get_object_or_404(Call.objects.published(), slug=slug)
    organisations = request.user.organisations_for(Role.CARRIER)
    organisation = organisations.filter(pk=request.POST.get("organisation")).first() or organisations.first()
    if organisation is None:
        raise Http404
    try:
        dossier, created = services.start_dossier(call, organisation=organisation, by=request.user)
    except DossierError as error:
        messages.error(request, str(error))
        return redirect("projects:call_detail", slug=call.slug)
    if created:
        messages.success(request, _("Your dossier is created. Your answers are saved as you type."))
    return redirect("projects:dossier_edit", pk=dossier.pk, section=DossierSection.ORGANISATION)


@permission_required("projects.view_own_dossiers", raise_exception=True)
def my_dossiers(request):
    dossiers = (
        Dossier.objects.for_user(request.user)
        .filter(organisation__memberships__user=request.user, organisation__memberships__role=Role.CARRIER)
        .select_related("call", "organisation")
        .order_by("-updated_at")
        .distinct()
    )
    return render(request, "projects/dossiers/mine.html", {"dossiers": dossiers})


def _edit_context(dossier, section, *, user, attachment_count=None):
    state = services.completeness(dossier, attachment_count=attachment_count)
    editable = services.editable_sections(dossier) if _is_carrier_of(user, dossier) else set()
    return {
        "dossier": dossier,
        "call": dossier.call,
        "section": section,
        "section_label": dict(DossierSection.choices)[section],
        "nav": section_nav(dossier, current=section, missing=state["missing"], editable=editable),
        "completeness": state,
        "editable": section in editable,
        "next_section": _next_section(section),
    }


def _next_section(section):
    order = [value for value, _label in DossierSection.choices]
    index = order.index(section)
    return order[index + 1] if index + 1 < len(order) else None


def dossier_edit(request, pk, section):
    """One step of the dossier. A normal POST saves and moves on; an htmx POST
    (autosave while typing) saves and answers with the save status only."""
    dossier = _dossier_for(request, pk, write=request.method == "POST")
    if section not in dict(DossierSection.choices):
        raise Http404
    if section == DossierSection.ATTACHMENTS:
        return redirect("projects:dossier_attachments", pk=dossier.pk)
    if section == DossierSection.ORGANISATION:
        return _organisation_step(request, dossier)
    required = [c for c in services.required_questions(dossier.call) if c in SECTION_FIELDS[section]]
    form_class = dossier_section_form_class(section)
    instance = Dossier.objects.get(pk=dossier.pk)
    if request.method == "POST":
        form = form_class(request.POST, instance=instance, section=section, required_codes=required)
    else:
        form = _form_with_unsaved(request, form_class, instance, section=section, required_codes=required)
    context = _edit_context(dossier, section, user=request.user)
    if request.method == "POST":
        if not context["editable"]:
            messages.error(request, _("This part of the dossier cannot be changed any more."))
            return redirect("projects:dossier_detail", pk=dossier.pk)
        status, message = _save(request, dossier, section, form)
        if request.htmx:
            return render(
                request,
                "projects/dossiers/_save_status.html",
                {
                    **_edit_context(dossier, section, user=request.user),
                    "status": status,
                    "message": message,
                    "version": dossier.version,
                    "field_errors": _field_errors(form) if status == "partial" else [],
                },
            )
        if status == "saved":
            messages.success(request, message)
            if "next" in request.POST and context["next_section"]:
                return redirect("projects:dossier_edit", pk=dossier.pk, section=context["next_section"])
            return redirect("projects:dossier_edit", pk=dossier.pk, section=section)
        messages.error(request, message)
        context = _edit_context(dossier, section, user=request.user)
    context["form"] = form
    return render(
        request, "projects/dossiers/edit.html", context, status=400 if request.method == "POST" and form.errors else 200
    )


def _unsaved_key(dossier, section) -> str:
    return f"dossier-{dossier.pk}-{section}-unsaved"


def _save(request, dossier, section, form):
    """Save the section. While typing (htmx autosave), the well-formed answers are
    saved even when another answer of the section is not: the invalid ones are kept
    in the session, shown with their message until corrected, and the status says
    which ones were not saved."""
    valid = form.is_valid()
    if not valid and (not request.htmx or "version" not in form.cleaned_data):
        return "invalid", _("Some answers are not valid: correct the fields marked in red. Nothing was lost.")
    names = [name for name in SECTION_FIELDS[section] if name in form.cleaned_data]
    values = {name: form.cleaned_data[name] for name in names}
    try:
        services.save_section(
            dossier, section=section, values=values, by=request.user, expected_version=form.cleaned_data["version"]
        )
    except EditConflict as error:
        form.add_error(None, str(error))
        return "conflict", str(error)
    except DossierError as error:
        return "refused", str(error)
    key = _unsaved_key(dossier, section)
    if valid:
        request.session.pop(key, None)
        return "saved", _("Saved.")
    invalid = [name for name in SECTION_FIELDS[section] if name in form.errors]
    request.session[key] = {name: request.POST.getlist(name) for name in invalid}
    labels = ", ".join(f"«\u00a0{form.fields[name].label.rstrip(' *')}\u00a0»" for name in invalid)
    return "partial", ngettext(
        "Saved at %(time)s, except one answer that is not valid (marked in red): %(fields)s. "
        "It is not saved until it is corrected.",
        "Saved at %(time)s, except %(count)s answers that are not valid (marked in red): %(fields)s. "
        "They are not saved until they are corrected.",
        len(invalid),
    ) % {"time": time_format(localtime(), "H:i"), "count": len(invalid), "fields": labels}


def _field_errors(form) -> list[dict]:
    return [
        {"name": name, "message": " ".join(str(e) for e in errors)}
        for name, errors in form.errors.items()
        if name in form.fields and name != "version"
    ]


def _form_with_unsaved(request, form_class, instance, *, section, required_codes):
    """The step's form; if answers typed earlier could not be saved (not valid), they
    are put back in it with their message, so nothing typed disappears on reload."""
    form = form_class(instance=instance, section=section, required_codes=required_codes)
    unsaved = request.session.get(_unsaved_key(instance, section))
    if not unsaved:
        return form
    data = QueryDict(mutable=True)
    for bound in form:
        value = bound.value()
        values = value if isinstance(value, list | tuple) else [value]
        data.setlist(bound.name, ["" if v is None else str(v) for v in values])
    for name, values in unsaved.items():
        data.setlist(name, values)
    form = form_class(data, instance=instance, section=section, required_codes=required_codes)
    form.is_valid()
    for name in list(form.errors):
        if name not in unsaved:
            del form.errors[name]
    return form


def _organisation_step(request, dossier):
    context = _edit_context(dossier, DossierSection.ORGANISATION, user=request.user)
    form = OrganisationForm(request.POST or None, instance=dossier.organisation)
    if request.method == "POST" and context["editable"]:
        target = context["next_section"] if "next" in request.POST else DossierSection.ORGANISATION
        return form_action(
            request,
            form,
            lambda form: form.save(),
            success_url=reverse("projects:dossier_edit", kwargs={"pk": dossier.pk, "section": target}),
            success_message=_("Saved."),
            error_message=_("Some answers are not valid: correct the fields marked in red. Nothing was lost."),
            template="projects/dossiers/edit.html",
            context=context,
        )
    context["form"] = form
    return render(request, "projects/dossiers/edit.html", context, status=400 if form.errors else 200)


def dossier_attachments(request, pk):
    dossier = _dossier_for(request, pk, write=request.method == "POST")
    attachments = list(dossier.attachments.all())
    context = _edit_context(dossier, DossierSection.ATTACHMENTS, user=request.user, attachment_count=len(attachments))
    if request.method == "POST" and not context["editable"]:
        messages.error(request, _("Attachments of this dossier cannot be changed any more."))
        return redirect("projects:dossier_detail", pk=dossier.pk)

    def attach(form):
        data = form.cleaned_data
        services.add_attachment(
            dossier, upload=data["file"], kind=form.kind, description=data["description"], by=request.user
        )
        return _("The document “%(name)s” is attached.") % {"name": data["file"].name}

    return form_action(
        request,
        AttachmentForm(posted(request), posted_files(request)),
        attach,
        success_url=reverse("projects:dossier_attachments", kwargs={"pk": dossier.pk}),
        success_message=returned_message,
        template="projects/dossiers/attachments.html",
        context={**context, "attachments": attachments},
    )


def attachment_download(request, pk, attachment_pk):
    """Serve an attachment to those who may see its dossier — and to committee
    members reviewing it who declared no conflict — always as a download."""
    reviewing = ReviewAssignment.objects.for_member(request.user).filter(dossier_id=pk, has_conflict=False)
    dossier = get_object_or_404(Dossier, pk=pk) if reviewing.exists() else _dossier_for(request, pk)
    attachment = get_object_or_404(dossier.attachments, pk=attachment_pk)
    return file_download(attachment.file, attachment.original_name, attachment.mime_type)


@require_POST
def attachment_delete(request, pk, attachment_pk):
    dossier = _dossier_for(request, pk, write=True)
    attachment = get_object_or_404(dossier.attachments, pk=attachment_pk)
    perform(
        request,
        lambda: services.remove_attachment(attachment, by=request.user),
        success_message=_("The document was removed."),
    )
    return redirect("projects:dossier_attachments", pk=dossier.pk)


def dossier_detail(request, pk):
    """The whole dossier on one page, with its status and what is missing."""
    dossier = _dossier_for(request, pk)
    dossier = (
        Dossier.objects.annotate(attachment_count=Count("attachments"))
        .select_related("call", "organisation__commune__department", "origin_commune__department")
        .get(pk=dossier.pk)
    )
    state = services.completeness(dossier, attachment_count=dossier.attachment_count)
    editable = services.editable_sections(dossier) if _is_carrier_of(request.user, dossier) else set()
    return render(
        request,
        "projects/dossiers/detail.html",
        {
            "dossier": dossier,
            "call": dossier.call,
            "sections": dossier_sections(dossier, missing=state["missing"]),
            "completeness": state,
            "editable": editable,
            "can_submit": bool(editable) and state["complete"],
            "attachments": list(dossier.attachments.all()),
        },
    )


@require_POST
def dossier_submit(request, pk):
    dossier = _dossier_for(request, pk, write=True)
    perform(
        request,
        lambda: services.submit_dossier(dossier, by=request.user),
        success_message=_(
            "Your dossier is submitted. A receipt was sent to you by e-mail; you can "
            "download the submitted dossier as a PDF."
        ),
    )
    return redirect("projects:dossier_detail", pk=dossier.pk)


def dossier_pdf_download(request, pk):
    dossier = _dossier_for(request, pk)
    return pdf_response(dossier_pdf(dossier), f"dossier-{dossier.pk}-{dossier.call.slug}.pdf")
