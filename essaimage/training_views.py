"""Trainings of the essaimage: formation-action and intensive trainings, their days,
trainees, attendance, documents and the attendance sheet to sign.

Who sees what: managers and administrators everything (and they alone change
anything); a carrier the trainings of its innovations, with every trainee; a
structure contact the trainings its structures take part in, read-only, with its
own structures' trainees only. Anyone else's training is a 404 (``for_user``);
committee members, who have no part in trainings, get a 403.
"""

import rules
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.accounts.models import Role
from ais.core.dates import long_date
from ais.core.documents import PDF_CSS, pdf_response, render_pdf
from ais.core.forms import form_action, perform, posted, returned_message
from ais.core.uploads import download_response
from projects.models import Innovation, Stage

from . import training_services
from .models import (
    SpreadStructure,
    Training,
    TrainingDay,
    TrainingDocument,
    TrainingKind,
    TrainingParticipant,
)
from .services import SpreadingError
from .training_forms import (
    AttendanceForm,
    ParticipantForm,
    TrainingDayForm,
    TrainingDocumentForm,
    TrainingFilterForm,
    TrainingForm,
)

manage_spreading = permission_required("essaimage.manage_spreading", raise_exception=True)

view_trainings = permission_required("essaimage.view_trainings", raise_exception=True)
print_sheets = permission_required("essaimage.print_attendance_sheets", raise_exception=True)


def _manages(user) -> bool:
    """Managers and administrators (the rules permission only: no Django model-permission queries)."""
    return rules.has_perm("essaimage.manage_spreading", user)


def _date(value) -> str:
    return long_date(value)


def _training(request, pk) -> Training:
    return get_object_or_404(
        Training.objects.for_user(request.user).select_related("innovation__carrier"),
        pk=pk,
    )


def _sees_every_trainee(user, training) -> bool:
    """Managers, administrators and the innovation's carrier see every trainee."""
    if _manages(user):
        return True
    return user.has_role(Role.CARRIER) and (
        Innovation.objects.for_user_as_carrier(user).filter(pk=training.innovation_id).exists()
    )


def _visible_participants(user, training, *, every: bool):
    participants = training.participants.select_related("structure__organisation")
    if every:
        return participants
    own = SpreadStructure.objects.filter(
        organisation__memberships__user=user, organisation__memberships__role=Role.STRUCTURE
    )
    return participants.filter(structure__in=own.values("pk"))


# --------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------


PAGE_SIZE = 25


@view_trainings
def training_list(request):
    visible = Training.objects.for_user(request.user)
    innovations = Innovation.objects.filter(pk__in=visible.values("innovation_id")).order_by("name")
    years = sorted(
        {d.year for d in TrainingDay.objects.filter(training__in=visible.values("pk")).dates("date", "year")},
        reverse=True,
    )
    form = TrainingFilterForm(request.GET or None, innovations=innovations, years=years)
    trainings = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["innovation"]:
            trainings = trainings.filter(innovation=data["innovation"])
        if data["kind"]:
            trainings = trainings.filter(kind=data["kind"])
        if data["year"]:
            trainings = trainings.filter(
                pk__in=TrainingDay.objects.filter(date__year=data["year"]).values("training_id")
            )
    trainings = (
        training_services.with_training_stats(trainings.select_related("innovation"))
        .prefetch_related(
            Prefetch(
                "structures",
                queryset=SpreadStructure.objects.select_related("organisation").order_by("organisation__name"),
            )
        )
        .order_by(F("first_day").desc(nulls_first=True), "title")
    )
    # 25 a page, like the other lists: ten years of a programme hold hundreds of trainings.
    page = Paginator(trainings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for training in rows:
        training.attendance_rate = training_services.attendance_rate(training.present_count, training.attendance_count)
    can_manage = _manages(request.user)
    return render(
        request,
        "essaimage/trainings/list.html",
        {
            "form": form,
            "trainings": rows,
            "page": page,
            "can_manage": can_manage,
            "create_innovations": (
                list(Innovation.objects.filter(stage__gte=Stage.MOBILISATION).order_by("name")) if can_manage else []
            ),
            "filtered": form.is_bound,
        },
    )


# --------------------------------------------------------------------------
# Create and edit
# --------------------------------------------------------------------------


def _training_form(request, form, *, innovation, training=None):
    """Create or edit the training and its structures, all-or-nothing; a refusal of the
    domain is about the structures chosen."""
    creating = training is None

    def save(form):
        try:
            saved = form.save(commit=False)
            saved._history_user = request.user
            saved.save()
            training_services.update_training_structures(saved, form.cleaned_data["structures"], by=request.user)
        except SpreadingError:
            if creating:  # rolled back: the form is a new training's again
                form.instance.pk = None
                form.instance._state.adding = True
            raise
        return saved

    return form_action(
        request,
        form,
        save,
        atomic=True,
        error_field="structures",
        success_url=lambda saved: reverse("essaimage:training_detail", kwargs={"pk": saved.pk}),
        success_message=_("The training is created. Add its days and its trainees.")
        if creating
        else _("The training is saved."),
        template="essaimage/trainings/form.html",
        context={"innovation": innovation, "training": training},
    )


@manage_spreading
def training_create(request, pk):
    innovation = get_object_or_404(Innovation, pk=pk)
    form = TrainingForm(posted(request), innovation=innovation, initial={"kind": TrainingKind.FORMATION_ACTION})
    return _training_form(request, form, innovation=innovation)


@manage_spreading
def training_edit(request, pk):
    training = get_object_or_404(Training.objects.select_related("innovation"), pk=pk)
    form = TrainingForm(posted(request), instance=training, innovation=training.innovation)
    return _training_form(request, form, innovation=training.innovation, training=training)


# --------------------------------------------------------------------------
# Detail, days, trainees, documents
# --------------------------------------------------------------------------


def _detail_context(request, training, **forms):
    user = request.user
    can_manage = _manages(user)
    every = _sees_every_trainee(user, training)
    participants = _visible_participants(user, training, every=every)
    participant_list = list(participants)
    days = list(
        training_services.participant_stats(training.days.all(), participants).order_by("date", "starts_at", "pk")
    )
    groups = {}
    for participant in participant_list:
        groups.setdefault(participant.structure, []).append(participant)
    structures = list(training.structures.select_related("organisation").order_by("organisation__name"))
    today = timezone.localdate()
    context = {
        "training": training,
        "innovation": training.innovation,
        "days": days,
        "today": today,
        "structures": structures,
        "participant_groups": list(groups.items()),
        "participant_count": len(participant_list),
        "documents": list(training.documents.all()),
        "can_manage": can_manage,
        "sees_every_trainee": every,
        "can_print": every,
    }
    if can_manage:
        context.update(
            day_form=forms.get("day_form") or TrainingDayForm(),
            participant_form=forms.get("participant_form") or ParticipantForm(training=training),
            document_form=forms.get("document_form") or TrainingDocumentForm(),
        )
    return context


@view_trainings
def training_detail(request, pk):
    training = _training(request, pk)
    return render(request, "essaimage/trainings/detail.html", _detail_context(request, training))


def _act(request, training, form_key, form, action):
    """Validate ``form``, run ``action(data)`` (a domain call returning the success
    message) and go back to the training; errors: the page again, with what was typed."""
    return form_action(
        request,
        form,
        lambda form: action(form.cleaned_data),
        success_url=reverse("essaimage:training_detail", kwargs={"pk": training.pk}),
        success_message=returned_message,
        template="essaimage/trainings/detail.html",
        context=lambda: _detail_context(request, training, **{form_key: form}),
        form_name=form_key,
    )


@require_POST
@manage_spreading
def training_day_add(request, pk):
    training = _training(request, pk)

    def action(data):
        day = training_services.add_day(training, by=request.user, **data)
        return _("The day of %(date)s is added.") % {"date": _date(day.date)}

    return _act(request, training, "day_form", TrainingDayForm(request.POST), action)


@require_POST
@manage_spreading
def training_day_delete(request, pk):
    day = get_object_or_404(TrainingDay.objects.select_related("training"), pk=pk)
    perform(
        request,
        lambda: training_services.delete_day(day, by=request.user),
        success_message=_("The day of %(date)s is deleted.") % {"date": _date(day.date)},
    )
    return redirect("essaimage:training_detail", pk=day.training_id)


@require_POST
@manage_spreading
def participant_add(request, pk):
    training = _training(request, pk)

    def action(data):
        participant = training_services.add_participant(training, by=request.user, **data)
        return _("%(name)s is registered.") % {"name": participant.full_name}

    return _act(request, training, "participant_form", ParticipantForm(request.POST, training=training), action)


@require_POST
@manage_spreading
def participant_delete(request, pk):
    participant = get_object_or_404(TrainingParticipant, pk=pk)
    perform(
        request,
        lambda: training_services.delete_participant(participant, by=request.user),
        success_message=_("%(name)s is removed from the training.") % {"name": participant.full_name},
    )
    return redirect("essaimage:training_detail", pk=participant.training_id)


@require_POST
@manage_spreading
def training_document_add(request, pk):
    training = _training(request, pk)

    def action(data):
        document = training_services.add_document(training, title=data["title"], upload=data["file"], by=request.user)
        return _("The document “%(title)s” is added.") % {"title": document.title}

    return _act(request, training, "document_form", TrainingDocumentForm(request.POST, request.FILES), action)


@view_trainings
def training_document_download(request, pk):
    document = get_object_or_404(
        TrainingDocument.objects.filter(training__in=Training.objects.for_user(request.user).values("pk")), pk=pk
    )
    return download_response(document)


# --------------------------------------------------------------------------
# Attendance
# --------------------------------------------------------------------------


@manage_spreading
def attendance(request, pk):
    day = get_object_or_404(TrainingDay.objects.select_related("training__innovation"), pk=pk)
    training = day.training
    participants = list(training.participants.select_related("structure__organisation"))
    recorded = dict(day.attendances.values_list("participant_id", "present"))
    form = AttendanceForm(
        posted(request),
        participants=participants,
        initial={"present": [pk for pk, present in recorded.items() if present]},
    )

    def page():
        ticked = {int(v) for v in (form["present"].value() or []) if str(v).isdigit()}
        groups = {}
        for participant in participants:
            groups.setdefault(participant.structure, []).append(
                {
                    "participant": participant,
                    "checked": participant.pk in ticked,
                    "recorded": recorded.get(participant.pk),
                }
            )
        return {
            "day": day,
            "training": training,
            "groups": list(groups.items()),
            "participant_count": len(participants),
            "already_recorded": bool(recorded),
            "is_future": day.date > timezone.localdate(),
        }

    return form_action(
        request,
        form,
        lambda form: training_services.record_day_attendance(day, form.cleaned_data["present"], by=request.user),
        success_url=reverse("essaimage:training_detail", kwargs={"pk": training.pk}),
        success_message=lambda count: (
            ngettext(
                "Attendance of %(date)s recorded: %(present)s person present out of %(total)s.",
                "Attendance of %(date)s recorded: %(present)s people present out of %(total)s.",
                count,
            )
            % {"date": _date(day.date), "present": count, "total": len(participants)}
        ),
        error_message=_("Some people ticked do not take part in this training."),
        template="essaimage/trainings/attendance.html",
        context=page,
    )


# --------------------------------------------------------------------------
# Attendance sheet (PDF to sign)
# --------------------------------------------------------------------------

ATTENDANCE_PDF_CSS = str(settings.BASE_DIR / "static" / "css" / "attendance-pdf.css")
BLANK_ROWS = 3  # for people who come without being registered


def attendance_sheet_pdf(training, days, participants) -> bytes:
    """The sheet to sign: one page per day (a blank date when no day is scheduled)."""
    return render_pdf(
        "essaimage/pdf/attendance_sheet.html",
        {
            "training": training,
            "innovation": training.innovation,
            "days": days or [None],
            "participants": participants,
            "blank_rows": range(BLANK_ROWS),
        },
        stylesheets=[PDF_CSS, ATTENDANCE_PDF_CSS],
    )


@print_sheets
def attendance_sheet(request, pk):
    training = _training(request, pk)
    if not _sees_every_trainee(request.user, training):
        raise Http404  # a structure contact who also carries another innovation
    days = training.days.order_by("date", "starts_at", "pk")
    day_pk = request.GET.get("jour")
    if day_pk:
        if not day_pk.isdigit():
            raise Http404
        days = days.filter(pk=day_pk)
        if not days:
            raise Http404
    participants = list(
        training.participants.select_related("structure__organisation").order_by(
            "structure__organisation__name", "full_name"
        )
    )
    name = slugify(training.title)[:60] or "formation"
    return pdf_response(attendance_sheet_pdf(training, list(days), participants), f"emargement-{name}.pdf")
