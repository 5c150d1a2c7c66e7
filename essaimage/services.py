"""State changes of the essaimage: one documented function each.

Calls for structures, applications and their selection, a structure's start date
of spreading (the evaluation schedule's hook), withdrawal, moves to another
commune (``move_structure``), partnership agreement, contacts, trainings and
attendance. Every function checks its rule, records the acting user for the
audit history and queues e-mails through the outbox after commit. Rule violations
raise ``SpreadingError`` with a message for the person who tried.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ais.accounts.models import Membership, Organisation, Role
from ais.core.errors import DomainError
from ais.outbox import reasons
from ais.outbox.services import queue_templated_email

from . import signals
from .emails import STRUCTURE_APPLICATION, STRUCTURE_DECISION
from .models import (
    ApplicationStatus,
    Attendance,
    SpreadStructure,
    StructureApplication,
    StructureCall,
    StructureLocation,
    StructureStatus,
    Training,
    TrainingDay,
)


class SpreadingError(DomainError):
    """A rule of the essaimage forbids the change; the message says why."""


# --------------------------------------------------------------------------
# Calls for structures and applications
# --------------------------------------------------------------------------


def publish_structure_call(call: StructureCall, *, by) -> StructureCall:
    """Open a call for structures to the public (on its opening date)."""
    if call.published_at:
        raise SpreadingError(_("This call is already published."))
    if call.closes_on < timezone.localdate():
        raise SpreadingError(_("The closing date is in the past: change it before publishing."))
    call.published_at = timezone.now()
    call._history_user = by
    call.save(update_fields=["published_at"])
    return call


def commune_in_targets(call: StructureCall, commune) -> bool:
    """Whether ``commune`` lies in one of the call's target departments (any
    commune does when the call targets none)."""
    targets = {department.pk for department in call.target_departments.all()}
    return not targets or (commune is not None and commune.department_id in targets)


def apply_to_call(call: StructureCall, application: StructureApplication) -> StructureApplication:
    """Record an organisation's application (unsaved ``application`` from the public
    form) while the call is open, and e-mail its contact a receipt. The same
    organisation and contact cannot apply twice to one call (names and addresses
    compared without case), and a call limited to some departments only accepts
    structures located there."""
    if not call.is_open():
        raise SpreadingError(_("This call is closed: applications are no longer accepted."))
    if not commune_in_targets(call, application.commune):
        raise SpreadingError(
            _("This call is limited to these departments: %(departments)s. Your municipality is outside them.")
            % {"departments": ", ".join(str(d) for d in call.target_departments.all())}
        )
    application.organisation_name = " ".join(application.organisation_name.split())
    application.contact_email = application.contact_email.strip().lower()
    application.siret = application.siret.replace(" ", "")
    duplicate = _("An application from this organisation with this e-mail address was already received for this call.")
    if StructureApplication.objects.filter(
        call=call,
        contact_email__iexact=application.contact_email,
        organisation_name__iexact=application.organisation_name,
    ).exists():
        raise SpreadingError(duplicate)
    application.call = call
    application.status = ApplicationStatus.RECEIVED
    application.submitted_at = timezone.now()
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:
        raise SpreadingError(duplicate) from error
    queue_templated_email(
        recipient=application.contact_email,
        template="essaimage/email/application_receipt",
        context={"application": application, "call": call, "innovation": call.innovation},
        reason=STRUCTURE_APPLICATION,
        related_object=application,
        dedup_key=f"structure-application:{application.pk}:receipt",
    )
    return application


def _organisation_for(application: StructureApplication) -> Organisation:
    """The applicant's organisation: matched by SIRET, else by name and municipality, else created."""
    siret = application.siret.replace(" ", "")
    if siret:
        found = Organisation.objects.filter(siret=siret).first()
        if found:
            return found
    found = Organisation.objects.filter(name__iexact=application.organisation_name, commune=application.commune).first()
    if found:
        return found
    return Organisation.objects.create(
        name=application.organisation_name,
        kind=application.organisation_kind,
        network=application.network,
        siret=siret,
        commune=application.commune,
    )


def select_application(
    application: StructureApplication, *, by, wave: int | None = None, note: str = ""
) -> SpreadStructure:
    """Select an applicant: its organisation becomes a spread structure of the
    innovation (status "selected", in the call's wave unless ``wave`` says
    otherwise), and its contact gets an account and an invitation to set a password."""
    with transaction.atomic():
        application = (
            StructureApplication.objects.select_for_update().select_related("call__innovation").get(pk=application.pk)
        )
        if application.status != ApplicationStatus.RECEIVED:
            raise SpreadingError(_("A decision was already taken on this application."))
        innovation = application.call.innovation
        organisation = _organisation_for(application)
        if SpreadStructure.objects.filter(innovation=innovation, organisation=organisation).exists():
            raise SpreadingError(_("“%(name)s” already spreads this innovation.") % {"name": organisation.name})
        structure = SpreadStructure(
            innovation=innovation,
            organisation=organisation,
            status=StructureStatus.SELECTED,
            wave=wave or application.call.wave,
            is_qpv=application.is_qpv,
            is_rural=application.is_rural,
            capacity=application.capacity,
            selected_on=timezone.localdate(),
        )
        structure._history_user = by
        structure.save()
        application.status = ApplicationStatus.SELECTED
        application.decision_note = note
        application.decided_at = timezone.now()
        application.decided_by = by
        application.structure = structure
        application._history_user = by
        application.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "structure"])
        add_contact(
            structure,
            email=application.contact_email,
            first_name=application.contact_first_name,
            last_name=application.contact_last_name,
            job_title=application.contact_function,
            by=by,
        )
        _queue_decision(application)
    return structure


def reject_application(application: StructureApplication, *, by, note: str) -> StructureApplication:
    """Decline an application; the contact is told why (the note is required)."""
    note = (note or "").strip()
    if not note:
        raise SpreadingError(_("Say why the application is not selected: the structure will read it."))
    with transaction.atomic():
        application = StructureApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.RECEIVED:
            raise SpreadingError(_("A decision was already taken on this application."))
        application.status = ApplicationStatus.REJECTED
        application.decision_note = note
        application.decided_at = timezone.now()
        application.decided_by = by
        application._history_user = by
        application.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
        _queue_decision(application)
    return application


def _queue_decision(application: StructureApplication) -> None:
    queue_templated_email(
        recipient=application.contact_email,
        template="essaimage/email/application_decision",
        context={"application": application, "call": application.call, "innovation": application.call.innovation},
        reason=STRUCTURE_DECISION,
        related_object=application,
        dedup_key=f"structure-application:{application.pk}:decision",
    )


# --------------------------------------------------------------------------
# Structures
# --------------------------------------------------------------------------


def add_contact(structure: SpreadStructure, *, email: str, first_name: str, last_name: str, job_title: str = "", by):
    """Give a person of the structure's organisation the "structure" role; a new
    person gets an account and an e-mail with a link to choose a password."""
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name, job_title=job_title)
    membership, new_role = Membership.objects.get_or_create(
        user=user, role=Role.STRUCTURE, organisation=structure.organisation
    )
    if created or new_role:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        url = settings.SITE_URL + reverse(
            "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
        )
        queue_templated_email(
            recipient=user.email,
            template="essaimage/email/contact_invitation",
            context={
                "user": user,
                "structure": structure,
                "innovation": structure.innovation,
                "url": url
                if created or not user.has_usable_password()
                else settings.SITE_URL + reverse("accounts:login"),
                "new_account": created or not user.has_usable_password(),
                "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
            },
            reason=reasons.ACCOUNT_INVITATION,
            related_object=structure,
            dedup_key=f"structure-contact:{structure.pk}:{user.pk}",
        )
    return user


def set_start_date(structure: SpreadStructure, start_date, *, by) -> SpreadStructure:
    """Set, change or clear the start date of spreading. A selected or training
    structure with a start date is spreading. After commit, ``start_date_changed``
    tells the evaluation app, which (re)schedules the questionnaires."""
    if structure.status == StructureStatus.WITHDRAWN:
        raise SpreadingError(_("This structure has withdrawn: its start date cannot change."))
    if start_date and structure.status == StructureStatus.CANDIDATE:
        raise SpreadingError(_("Select the structure before setting its start date of spreading."))
    previous = structure.start_date
    if previous == start_date:
        return structure
    structure.start_date = start_date
    fields = ["start_date"]
    if start_date and structure.status in (StructureStatus.SELECTED, StructureStatus.TRAINING):
        structure.status = StructureStatus.SPREADING
        fields.append("status")
    structure._history_user = by
    structure.save(update_fields=fields)
    structure_id, by_id = structure.pk, getattr(by, "pk", None)
    transaction.on_commit(
        lambda: signals.start_date_changed.send(
            sender=SpreadStructure, structure_id=structure_id, previous=previous, start_date=start_date, by_id=by_id
        )
    )
    return structure


def withdraw_structure(structure: SpreadStructure, *, on, reason: str, by) -> SpreadStructure:
    """Record that a structure stops spreading, with the date and the reason (both
    required). After commit, ``structure_withdrawn`` lets the evaluation app cancel
    what is pending."""
    reason = (reason or "").strip()
    if not reason:
        raise SpreadingError(_("Give the reason of the withdrawal."))
    if on is None:
        raise SpreadingError(_("Give the date of the withdrawal."))
    if on > timezone.localdate():
        raise SpreadingError(_("The withdrawal date cannot be in the future."))
    if structure.status == StructureStatus.WITHDRAWN:
        raise SpreadingError(_("This structure has already withdrawn."))
    structure.status = StructureStatus.WITHDRAWN
    structure.withdrawn_on = on
    structure.withdrawal_reason = reason
    structure._history_user = by
    structure._change_reason = reason
    structure.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    structure_id, by_id = structure.pk, getattr(by, "pk", None)
    transaction.on_commit(
        lambda: signals.structure_withdrawn.send(sender=SpreadStructure, structure_id=structure_id, by_id=by_id)
    )
    return structure


def move_structure(structure: SpreadStructure, *, commune, on, by) -> StructureLocation:
    """Record that the structure is in ``commune`` from ``on`` (its premises moved).

    The structure's territory at a date D is the commune of its latest location from
    on or before D, else its organisation's commune (``essaimage.geo.territory_at``):
    the figures of the dates before ``on`` keep the territory it had then, and the
    organisation's own commune is left as it is (it may spread other innovations
    elsewhere). The date is required and never in the future; a second move on the
    same date corrects the first. Refused when the structure is already in
    ``commune`` at that date."""
    from .geo import territory_at

    if commune is None:
        raise SpreadingError(_("Choose the municipality the structure moves to."))
    if on is None:
        raise SpreadingError(_("Give the date of the relocation."))
    if on > timezone.localdate():
        raise SpreadingError(_("The date of the relocation cannot be in the future."))
    with transaction.atomic():
        structure = SpreadStructure.objects.select_for_update().get(pk=structure.pk)
        location = StructureLocation.objects.filter(structure=structure, valid_from=on).first()
        current = territory_at(structure, on)
        if location is None and current is not None and current.pk == commune.pk:
            raise SpreadingError(_("The structure is already in %(commune)s on that date.") % {"commune": commune.name})
        if location is None:
            location = StructureLocation(structure=structure, valid_from=on)
        location.commune = commune
        location.recorded_by = by
        location.recorded_at = timezone.now()
        location._history_user = by
        location.save()
    return location


def _apply_status(structure: SpreadStructure, status: str) -> list[str]:
    """Set ``status`` on the unsaved structure after checking the rule; the fields changed."""
    if status == StructureStatus.WITHDRAWN:
        raise SpreadingError(_("Use the withdrawal form: it records the date and the reason."))
    if structure.status == StructureStatus.WITHDRAWN:
        raise SpreadingError(_("This structure has withdrawn."))
    if status not in StructureStatus.values:
        raise SpreadingError(_("Unknown status."))
    structure.status = status
    if status != StructureStatus.CANDIDATE and structure.selected_on is None:
        structure.selected_on = timezone.localdate()
        return ["status", "selected_on"]
    return ["status"]


def change_status(structure: SpreadStructure, status: str, *, by) -> SpreadStructure:
    """Move a structure to another status; withdrawing goes through ``withdraw_structure``.
    A candidate that becomes active gets today as its selection date."""
    fields = _apply_status(structure, status)
    structure._history_user = by
    structure.save(update_fields=fields)
    return structure


def create_structure(
    innovation,
    *,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
    status: str = StructureStatus.SELECTED,
    wave: int = 1,
    is_qpv: bool = False,
    is_rural: bool = False,
    capacity: int | None = None,
    selected_on=None,
    by,
) -> SpreadStructure:
    """Add a structure recruited outside an online call: an existing organisation,
    or a new one from ``new_organisation`` (name, kind, network, siret, commune).
    An organisation spreads an innovation once; a structure cannot start withdrawn.
    A selected structure is selected on ``selected_on`` (today by default; earlier
    when recording the programme's history, never in the future)."""
    if status == StructureStatus.WITHDRAWN:
        raise SpreadingError(_("A structure cannot be added as withdrawn."))
    if selected_on is not None and selected_on > timezone.localdate():
        raise SpreadingError(_("The selection date cannot be in the future."))
    if (organisation is None) == (not new_organisation):
        raise SpreadingError(_("Choose an existing organisation or describe a new one, not both."))
    with transaction.atomic():
        if organisation is None:
            data = dict(new_organisation)
            data["siret"] = (data.get("siret") or "").replace(" ", "")
            if data["siret"] and Organisation.objects.filter(siret=data["siret"]).exists():
                raise SpreadingError(_("An organisation with this SIRET number already exists: choose it in the list."))
            organisation = Organisation(**data)
            organisation._history_user = by
            organisation.save()
        elif SpreadStructure.objects.filter(innovation=innovation, organisation=organisation).exists():
            raise SpreadingError(_("“%(name)s” already spreads this innovation.") % {"name": organisation.name})
        structure = SpreadStructure(
            innovation=innovation,
            organisation=organisation,
            status=status,
            wave=wave,
            is_qpv=is_qpv,
            is_rural=is_rural,
            capacity=capacity,
            selected_on=None if status == StructureStatus.CANDIDATE else (selected_on or timezone.localdate()),
        )
        structure._history_user = by
        structure.save()
    return structure


def _check_selection_date(structure: SpreadStructure, selected_on) -> None:
    """A selection date is never in the future, nor after the structure's start of
    spreading, agreement signature or withdrawal (the reports count it from that day)."""
    if selected_on > timezone.localdate():
        raise SpreadingError(_("The selection date cannot be in the future."), field="selected_on")
    later = [
        (structure.start_date, _("The selection date cannot come after the start of spreading (%(day)s).")),
        (structure.agreement_signed_on, _("The selection date cannot come after the agreement's signature (%(day)s).")),
        (structure.withdrawn_on, _("The selection date cannot come after the withdrawal (%(day)s).")),
    ]
    for day, message in later:
        if day and selected_on > day:
            raise SpreadingError(message % {"day": date_format(day, "SHORT_DATE_FORMAT")}, field="selected_on")


def update_structure(
    structure: SpreadStructure,
    *,
    wave: int,
    is_qpv: bool,
    is_rural: bool,
    capacity,
    status: str | None = None,
    selected_on=None,
    by,
) -> SpreadStructure:
    """Change a structure's wave, territory flags and capacity, its status when
    ``status`` differs (with the rule of ``change_status``: never to "withdrawn"), and
    its selection date when ``selected_on`` is given (a past date when recording the
    programme's history: see ``_check_selection_date``). The audit trail keeps who
    changed what and when."""
    fields = ["wave", "is_qpv", "is_rural", "capacity"]
    if status and status != structure.status:
        fields += _apply_status(structure, status)
    if selected_on is not None and structure.status != StructureStatus.CANDIDATE:
        _check_selection_date(structure, selected_on)
        structure.selected_on = selected_on
        if "selected_on" not in fields:
            fields.append("selected_on")
    structure.wave = wave
    structure.is_qpv = is_qpv
    structure.is_rural = is_rural
    structure.capacity = capacity
    structure._history_user = by
    structure.save(update_fields=fields)
    return structure


def record_agreement(structure: SpreadStructure, *, upload, signed_on, by) -> SpreadStructure:
    """Attach the signed partnership agreement (checked by ``DocumentValidator``)."""
    import os

    if signed_on is None:
        raise SpreadingError(_("Give the date the agreement was signed."))
    if signed_on > timezone.localdate():
        raise SpreadingError(_("The signature date cannot be in the future."))
    if structure.agreement:
        structure.agreement.delete(save=False)
    structure.agreement = upload
    structure.agreement_name = os.path.basename(upload.name)[:255]
    structure.agreement_signed_on = signed_on
    structure._history_user = by
    structure.save(update_fields=["agreement", "agreement_name", "agreement_signed_on"])
    return structure


# --------------------------------------------------------------------------
# Trainings
# --------------------------------------------------------------------------


def set_training_structures(training: Training, structures, *, by) -> None:
    """The structures taking part in a training; a selected structure is then "in training".
    Only the innovation's own structures that have not withdrawn may take part."""
    structures = list(structures)
    foreign = [
        s for s in structures if s.innovation_id != training.innovation_id or s.status == StructureStatus.WITHDRAWN
    ]
    if foreign:
        raise SpreadingError(_("Only the innovation's structures that have not withdrawn can take part."))
    training.structures.set(structures)
    for structure in structures:
        if structure.status == StructureStatus.SELECTED:
            structure.status = StructureStatus.TRAINING
            structure._history_user = by
            structure.save(update_fields=["status"])


def record_attendance(day: TrainingDay, present_ids, *, by) -> int:
    """Record who attended a training day: the given participants present, every
    other participant of the training absent. Returns the number present."""
    present_ids = {int(pk) for pk in present_ids}
    participants = list(day.training.participants.values_list("pk", flat=True))
    unknown = present_ids - set(participants)
    if unknown:
        raise SpreadingError(_("Some people ticked do not take part in this training."))
    with transaction.atomic():
        existing = {a.participant_id: a for a in Attendance.objects.select_for_update().filter(day=day)}
        for participant_id in participants:
            present = participant_id in present_ids
            attendance = existing.get(participant_id)
            if attendance is None:
                attendance = Attendance(day=day, participant_id=participant_id, present=present)
            elif attendance.present == present:
                continue
            attendance.present = present
            attendance._history_user = by
            attendance.save()
    return len(present_ids)
