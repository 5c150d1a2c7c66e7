"""Calls for structures, online applications, selection and the structure record.

Public: the open calls and their application form (no account needed).
Managers (``essaimage.manage_spreading``): calls, decisions on applications, and
every change to a structure. Carriers and structure contacts read the structures
they may see (``SpreadStructure.objects.for_user``): anyone else's is a 404.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.accounts.models import Membership, Role
from ais.core.forms import FORM_ERRORS, form_action, perform, posted, posted_files, returned_message
from ais.core.uploads import file_download
from projects.models import Innovation

from . import services
from .models import (
    ApplicationStatus,
    SpreadStructure,
    StructureApplication,
    StructureCall,
    StructureStatus,
)
from .rules import is_staff_role
from .structure_forms import (
    AgreementForm,
    ApplicationForm,
    ContactForm,
    MoveForm,
    RejectApplicationForm,
    SelectApplicationForm,
    StartDateForm,
    StructureCallForm,
    StructureCreateForm,
    StructureEditForm,
    StructureFilter,
    WithdrawForm,
)

manage_spreading = permission_required("essaimage.manage_spreading", raise_exception=True)

# Who may open the structures pages at all (what each one sees is ``for_user``'s business).
view_structures = permission_required("essaimage.view_structures", raise_exception=True)

PAGE_SIZE = 25
# The evaluation questionnaires, counted from the start date (the evaluation app's setting).
DEFAULT_PHASE_MONTHS = {"appropriation": 3, "implementation": 9, "impact": 18}


# --------------------------------------------------------------------------
# Public: calls for structures and the application form
# --------------------------------------------------------------------------


def _public_calls():
    return StructureCall.objects.published().select_related("innovation").prefetch_related("target_departments")


@login_not_required
def call_list_public(request):
    """The calls open now, and those announced."""
    today = timezone.localdate()
    calls = list(_public_calls().filter(closes_on__gte=today).order_by("closes_on", "pk"))
    return render(
        request,
        "essaimage/calls/public_list.html",
        {
            "open_calls": [call for call in calls if call.opens_on <= today],
            "upcoming_calls": sorted((call for call in calls if call.opens_on > today), key=lambda c: c.opens_on),
        },
    )


def _call_state(call, today=None) -> str:
    today = today or timezone.localdate()
    if call.opens_on > today:
        return "upcoming"
    return "open" if call.closes_on >= today else "closed"


@login_not_required
def call_public(request, pk):
    """A call and, while it is open, its application form."""
    call = get_object_or_404(_public_calls(), pk=pk)
    state = _call_state(call)
    if state == "open":

        def apply(form):
            application = services.apply_to_call(call, form.save(commit=False))
            request.session["spreading_applied"] = {"call": call.pk, "email": application.contact_email}

        return form_action(
            request,
            ApplicationForm(posted(request), call=call),
            apply,
            success_url=reverse("essaimage:call_applied", kwargs={"pk": call.pk}),
            template="essaimage/calls/public_detail.html",
            context={"call": call, "state": state},
        )
    if request.method == "POST":
        if state == "upcoming":
            messages.error(request, _("This call is not open yet: come back on its opening date."))
        else:
            messages.error(request, _("This call is closed: applications are no longer accepted."))
    return render(
        request,
        "essaimage/calls/public_detail.html",
        {"call": call, "state": state, "form": None},
        status=400 if request.method == "POST" else 200,
    )


@login_not_required
def call_applied(request, pk):
    call = get_object_or_404(_public_calls(), pk=pk)
    applied = request.session.get("spreading_applied") or {}
    email = applied.get("email") if applied.get("call") == call.pk else None
    return render(request, "essaimage/calls/applied.html", {"call": call, "email": email})


# --------------------------------------------------------------------------
# Managers: calls and decisions
# --------------------------------------------------------------------------


@manage_spreading
def call_create(request, pk):
    innovation = get_object_or_404(Innovation.objects.for_user(request.user), pk=pk)
    form = StructureCallForm(
        posted(request),
        initial={
            "title": _("Become an adopting structure of %(innovation)s") % {"innovation": innovation.name},
            "opens_on": timezone.localdate(),
            "wave": 1,
        },
    )
    return form_action(
        request,
        form,
        lambda form: _save_call(request, form, innovation=innovation),
        atomic=True,
        success_url=_call_edit_url,
        success_message=_("The call is created. Check it, then publish it."),
        template="essaimage/calls/form.html",
        context={"call": None, "innovation": innovation},
    )


def _save_call(request, form, *, innovation=None) -> StructureCall:
    call = form.save(commit=False)
    if innovation is not None:
        call.innovation = innovation
    call._history_user = request.user
    call.save()
    form.save_m2m()
    return call


def _call_edit_url(call) -> str:
    return reverse("essaimage:call_edit", kwargs={"pk": call.pk})


@manage_spreading
def call_edit(request, pk):
    call = get_object_or_404(StructureCall.objects.select_related("innovation"), pk=pk)
    return form_action(
        request,
        StructureCallForm(posted(request), instance=call),
        lambda form: _save_call(request, form),
        atomic=True,
        success_url=_call_edit_url,
        success_message=_("The call is saved."),
        template="essaimage/calls/form.html",
        context=lambda: {
            "call": call,
            "innovation": call.innovation,
            "state": _call_state(call),
            "application_count": call.applications.count(),
        },
    )


@require_POST
@manage_spreading
def call_publish(request, pk):
    call = get_object_or_404(StructureCall, pk=pk)
    perform(
        request,
        lambda: services.publish_structure_call(call, by=request.user),
        success_message=_("The call is published: anyone can now see it and apply."),
    )
    return redirect("essaimage:call_edit", pk=call.pk)


def _applications_context(call, *, failed=None, select_form=None, reject_form=None):
    applications = list(
        call.applications.select_related("network", "commune__department", "structure", "decided_by").order_by(
            "status", "-submitted_at", "-pk"
        )
    )
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    for application in applications:
        counts[application.status] += 1
        application.select_form = SelectApplicationForm(prefix=f"select-{application.pk}")
        application.reject_form = RejectApplicationForm(prefix=f"reject-{application.pk}")
        if failed == application.pk:
            application.select_form = select_form or application.select_form
            application.reject_form = reject_form or application.reject_form
            application.open_form = "select" if select_form else "reject"
    return {
        "call": call,
        "innovation": call.innovation,
        "applications": applications,
        "received_count": counts[ApplicationStatus.RECEIVED],
        "selected_count": counts[ApplicationStatus.SELECTED],
        "rejected_count": counts[ApplicationStatus.REJECTED],
        "state": _call_state(call),
        "failed": failed,
    }


@manage_spreading
def applications(request, pk):
    call = get_object_or_404(StructureCall.objects.select_related("innovation"), pk=pk)
    return render(request, "essaimage/calls/applications.html", _applications_context(call))


def _decide(request, pk, form_class, kind, action):
    application = get_object_or_404(StructureApplication.objects.select_related("call__innovation"), pk=pk)
    form = form_class(request.POST, prefix=f"{kind}-{application.pk}")
    if form.is_valid():  # refused or not, back to the list, at the application
        perform(request, lambda: action(application, form.cleaned_data), success_message=returned_message)
        return redirect(reverse("essaimage:applications", kwargs={"pk": application.call_id}) + f"#app-{pk}")
    messages.error(request, FORM_ERRORS)
    context = _applications_context(application.call, failed=application.pk, **{f"{kind}_form": form})
    return render(request, "essaimage/calls/applications.html", context, status=400)


@require_POST
@manage_spreading
def application_select(request, pk):
    def action(application, data):
        structure = services.select_application(application, by=request.user, wave=data["wave"], note=data["note"])
        return _(
            "%(name)s is selected: the structure is created in wave %(wave)s and its contact is invited by e-mail."
        ) % {"name": structure.organisation.name, "wave": structure.wave}

    return _decide(request, pk, SelectApplicationForm, "select", action)


@require_POST
@manage_spreading
def application_reject(request, pk):
    def action(application, data):
        services.reject_application(application, by=request.user, note=data["note"])
        return _("%(name)s is not selected; the contact is informed by e-mail.") % {
            "name": application.organisation_name
        }

    return _decide(request, pk, RejectApplicationForm, "reject", action)


# --------------------------------------------------------------------------
# Structures: list and record
# --------------------------------------------------------------------------


@view_structures
def structure_list(request):
    visible = SpreadStructure.objects.for_user(request.user)
    innovations = Innovation.objects.filter(pk__in=visible.values("innovation")).only("pk", "name").order_by("name")
    structures = visible.select_related(
        "innovation", "organisation__network", "organisation__commune__department__region"
    ).order_by("innovation__name", "wave", "organisation__name", "pk")
    structure_filter = StructureFilter(request.GET or None, queryset=structures, innovations=innovations)
    page = Paginator(structure_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    is_manager_user = is_staff_role.test(request.user)
    selected_innovation = None
    calls = []
    all_innovations = []
    if is_manager_user:
        if structure_filter.form.is_valid():
            selected_innovation = structure_filter.form.cleaned_data.get("innovation")
        calls_qs = StructureCall.objects.select_related("innovation").annotate(
            application_count=Count("applications"),
            received_count=Count("applications", filter=Q(applications__status=ApplicationStatus.RECEIVED)),
        )
        if selected_innovation:
            calls_qs = calls_qs.filter(innovation=selected_innovation)
        calls = list(calls_qs.order_by("-opens_on", "-pk")[:10])
        for call in calls:
            call.state = _call_state(call) if call.published_at else "draft"
        if selected_innovation is None:  # the "new structure / new call" menus list them
            all_innovations = list(Innovation.objects.order_by("name").only("pk", "name"))
    return render(
        request,
        "essaimage/structures/list.html",
        {
            "filter": structure_filter,
            "page": page,
            "structures": page.object_list,
            "query": query.urlencode(),
            "can_manage": is_manager_user,
            "selected_innovation": selected_innovation,
            "calls": calls,
            "all_innovations": all_innovations,
        },
    )


def _structure_for(request, pk) -> SpreadStructure:
    queryset = SpreadStructure.objects.for_user(request.user).select_related(
        "innovation__carrier",
        "organisation__network",
        "organisation__commune__department__region",
        "application__call",
        "application__decided_by",
    )
    return get_object_or_404(queryset, pk=pk)


def _evaluation_schedule(structure):
    """``(phase, opening date)`` of the questionnaires scheduled from the start date."""
    if not structure.start_date:
        return []
    months = getattr(settings, "EVALUATION_PHASE_MONTHS", DEFAULT_PHASE_MONTHS)
    return [(phase, structure.start_date + relativedelta(months=n)) for phase, n in months.items()]


def _application_of(structure):
    try:
        return structure.application
    except StructureApplication.DoesNotExist:
        return None


def _detail_context(request, structure, **forms):
    User = get_user_model()
    contacts = list(
        User.objects.filter(memberships__organisation_id=structure.organisation_id, memberships__role=Role.STRUCTURE)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    can_manage = is_staff_role.test(request.user)
    withdrawn = structure.status == StructureStatus.WITHDRAWN
    return {
        "structure": structure,
        "organisation": structure.organisation,
        "innovation": structure.innovation,
        "application": _application_of(structure),
        "contacts": contacts,
        "can_manage": can_manage,
        "withdrawn": withdrawn,
        "schedule": _evaluation_schedule(structure),
        "start_form": forms.get("start_form")
        or StartDateForm(initial={"start_date": structure.start_date or timezone.localdate()}),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "locations": _locations(structure),
        "can_start": can_manage and not withdrawn and structure.status != StructureStatus.CANDIDATE,
    }


@view_structures
def structure_detail(request, pk):
    structure = _structure_for(request, pk)
    return render(request, "essaimage/structures/detail.html", _detail_context(request, structure))


@manage_spreading
def structure_create(request, pk):
    innovation = get_object_or_404(Innovation.objects.for_user(request.user), pk=pk)

    def create(form):
        data = form.cleaned_data
        return services.create_structure(
            innovation,
            organisation=data.get("organisation"),
            new_organisation=form.new_organisation(),
            status=data["status"],
            wave=data["wave"],
            is_qpv=data["is_qpv"],
            is_rural=data["is_rural"],
            capacity=data["capacity"],
            selected_on=data.get("selected_on"),
            by=request.user,
        )

    return form_action(
        request,
        StructureCreateForm(posted(request)),
        create,
        success_url=_structure_url,
        success_message=_("The structure is added. Add its contacts so that they can log in."),
        template="essaimage/structures/create.html",
        context={"innovation": innovation},
    )


def _structure_url(structure) -> str:
    return reverse("essaimage:structure_detail", kwargs={"pk": structure.pk})


@manage_spreading
def structure_edit(request, pk):
    structure = _structure_for(request, pk)

    def save(form):
        data = form.cleaned_data
        services.update_structure(
            structure,
            wave=data["wave"],
            is_qpv=data["is_qpv"],
            is_rural=data["is_rural"],
            capacity=data["capacity"],
            status=data.get("status"),
            selected_on=data.get("selected_on"),
            by=request.user,
        )

    return form_action(
        request,
        StructureEditForm(posted(request), structure=structure),
        save,
        success_url=_structure_url(structure),
        success_message=_("The structure is saved."),
        template="essaimage/structures/edit.html",
        context={"structure": structure},
    )


@require_POST
@manage_spreading
def structure_start_date(request, pk):
    structure = _structure_for(request, pk)
    form = StartDateForm(request.POST)
    if form.is_valid():  # refused or not, back to the structure
        perform(
            request,
            lambda: services.set_start_date(structure, form.date, by=request.user),
            success_message=_("The start date is saved: the evaluation questionnaires are scheduled from it.")
            if form.date
            else _("The start date is cleared: no questionnaire is scheduled any more."),
        )
        return redirect("essaimage:structure_detail", pk=structure.pk)
    messages.error(request, FORM_ERRORS)
    return render(
        request,
        "essaimage/structures/detail.html",
        _detail_context(request, structure, start_form=form),
        status=400,
    )


@manage_spreading
def structure_withdraw(request, pk):
    structure = _structure_for(request, pk)
    if structure.status == StructureStatus.WITHDRAWN:
        messages.info(request, _("This structure has already withdrawn."))
        return redirect("essaimage:structure_detail", pk=structure.pk)
    return form_action(
        request,
        WithdrawForm(posted(request), initial={"withdrawn_on": timezone.localdate()}),
        lambda form: services.withdraw_structure(
            structure, on=form.cleaned_data["withdrawn_on"], reason=form.cleaned_data["reason"], by=request.user
        ),
        success_url=_structure_url(structure),
        success_message=_("The withdrawal is recorded; pending questionnaires are cancelled."),
        template="essaimage/structures/withdraw.html",
        context={"structure": structure},
    )


@manage_spreading
def structure_move(request, pk):
    """Record that the structure moved to another municipality, from a date."""
    structure = _structure_for(request, pk)
    form = MoveForm(posted(request), initial={"moved_on": timezone.localdate()})
    return form_action(
        request,
        form,
        lambda form: services.move_structure(
            structure, commune=form.cleaned_data["commune"], on=form.cleaned_data["moved_on"], by=request.user
        ),
        success_url=reverse("essaimage:structure_detail", kwargs={"pk": structure.pk}),
        success_message=_("The relocation is recorded."),
        template="essaimage/structures/move.html",
        context=lambda: {"structure": structure, "locations": _locations(structure)},
    )


def _locations(structure) -> list:
    return list(structure.locations.select_related("commune__department", "recorded_by").order_by("-valid_from"))


@manage_spreading
def agreement_upload(request, pk):
    structure = _structure_for(request, pk)
    return form_action(
        request,
        AgreementForm(posted(request), posted_files(request), initial={"signed_on": structure.agreement_signed_on}),
        lambda form: services.record_agreement(
            structure, upload=form.cleaned_data["file"], signed_on=form.cleaned_data["signed_on"], by=request.user
        ),
        success_url=_structure_url(structure),
        success_message=_("The partnership agreement is saved."),
        template="essaimage/structures/agreement.html",
        context={"structure": structure},
    )


@view_structures
def agreement_download(request, pk):
    """The signed agreement, always as a download, for those who may see the structure."""
    structure = _structure_for(request, pk)
    if not structure.agreement:
        raise Http404
    return file_download(structure.agreement, structure.agreement_name or "convention.pdf")


@require_POST
@manage_spreading
def contact_add(request, pk):
    structure = _structure_for(request, pk)
    form = ContactForm(request.POST)

    def add(form):
        data = form.cleaned_data
        already = Membership.objects.filter(
            user__email__iexact=data["email"], role=Role.STRUCTURE, organisation=structure.organisation
        ).exists()
        if already:
            messages.info(request, _("%(email)s is already a contact of this structure.") % {"email": data["email"]})
            return None
        services.add_contact(
            structure,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            by=request.user,
        )
        return _("%(email)s is now a contact of the structure and receives an e-mail to log in.") % {
            "email": data["email"]
        }

    return form_action(
        request,
        form,
        add,
        success_url=_structure_url(structure) + "#contacts",
        success_message=returned_message,
        template="essaimage/structures/detail.html",
        context=lambda: _detail_context(request, structure, contact_form=form),
        form_name="contact_form",
    )
