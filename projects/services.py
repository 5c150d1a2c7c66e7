"""State changes of calls for projects and dossiers: one documented function each.

Every function checks its rule, saves with ``update_fields``, leaves an audit
entry (django-simple-history, with the acting user) and queues e-mails through
the outbox after commit. Rule violations raise ``DossierError`` with a French
message meant for the person who tried.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from ais.core.errors import DomainError
from ais.outbox.services import queue_templated_email

from .emails import DOSSIER_CORRECTIONS, DOSSIER_ELIGIBILITY, DOSSIER_RECEIPT, DOSSIER_REMINDER
from .models import (
    DOSSIER_QUESTIONS,
    Call,
    Dossier,
    DossierAttachment,
    DossierSection,
    DossierStatus,
    InternalNote,
    SelectionCriterion,
)


class DossierError(DomainError):
    """A rule of the call or dossier forbids the change; the message says why."""


class EditConflict(DossierError):
    """Someone saved the dossier since this page was loaded."""


# --------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------

RUBRIC = [
    gettext_lazy("0 – Not documented"),
    gettext_lazy("1 – Very weak"),
    gettext_lazy("2 – Weak"),
    gettext_lazy("3 – Satisfactory"),
    gettext_lazy("4 – Good"),
    gettext_lazy("5 – Excellent, demonstrated"),
]

# The programme's transferability indicators (the selection step of the programme's method).
DEFAULT_GRID = [
    (
        gettext_lazy("Efficacy on the original territory"),
        gettext_lazy("Results measured where the innovation was born: exits to employment, job retention."),
        "2",
    ),
    (gettext_lazy("Innovative dimension"), gettext_lazy("What the innovation does that existing schemes do not."), "1"),
    (
        gettext_lazy("Favourable impact already obtained"),
        gettext_lazy("Effects on people, employers and the territory, beyond the figures."),
        "1.5",
    ),
    (
        gettext_lazy("Precise and formalised process"),
        gettext_lazy("A written method, tools and training material another structure can take up."),
        "1.5",
    ),
    (
        gettext_lazy("The carrier's will to transpose"),
        gettext_lazy("Commitment and capacity of the carrier to support other structures for three years."),
        "1.5",
    ),
    (
        gettext_lazy("Fit with long-term unemployed people"),
        gettext_lazy("How well the innovation reaches people out of work for over a year (DELD)."),
        "2",
    ),
]


def add_default_grid(call: Call) -> list[SelectionCriterion]:
    """Give a call with no criteria the programme's default transferability grid."""
    if call.criteria.exists():
        return list(call.criteria.all())
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the programme's language
        return _create_default_grid(call)


def _create_default_grid(call: Call) -> list[SelectionCriterion]:
    rubric = [str(line) for line in RUBRIC]
    # bulk_create_with_history: a bulk insert writes no history row by itself.
    return bulk_create_with_history(
        [
            SelectionCriterion(
                call=call,
                position=index,
                title=str(title),
                description=str(description),
                weight=Decimal(weight),
                rubric=rubric,
            )
            for index, (title, description, weight) in enumerate(DEFAULT_GRID, start=1)
        ],
        SelectionCriterion,
    )


def publish_call(call: Call, *, by) -> Call:
    """Make a call public. It needs a selection grid and a closing date in the future."""
    if call.is_published:
        raise DossierError(_("This call is already published."))
    if call.closes_at <= timezone.now():
        raise DossierError(_("The closing date is in the past: change it before publishing."))
    if not call.criteria.exists():
        raise DossierError(_("The call has no selection grid: add at least one criterion."))
    call.published_at = timezone.now()
    call._history_user = by
    call.save(update_fields=["published_at"])
    return call


# --------------------------------------------------------------------------
# Dossiers
# --------------------------------------------------------------------------

SECTION_ORDER = [value for value, _label in DossierSection.choices]


def required_questions(call: Call) -> list[str]:
    return [code for code in call.required_questions if code in DOSSIER_QUESTIONS]


def _is_answered(dossier: Dossier, code: str, attachment_count: int) -> bool:
    if code == "attachments":
        return attachment_count > 0
    if code == "origin_commune":
        return dossier.origin_commune_id is not None
    value = getattr(dossier, code)
    return value not in (None, "", [])


def completeness(dossier: Dossier, *, attachment_count: int | None = None) -> dict:
    """What is missing: per section, the required questions left unanswered, and
    the share of required answers given (0–100)."""
    if attachment_count is None:
        attachment_count = dossier.attachments.count()
    required = required_questions(dossier.call)
    missing: dict[str, list[str]] = {section: [] for section in SECTION_ORDER}
    for code in required:
        if not _is_answered(dossier, code, attachment_count):
            missing[DOSSIER_QUESTIONS[code]].append(code)
    answered = len(required) - sum(len(codes) for codes in missing.values())
    return {
        "missing": missing,
        "missing_count": len(required) - answered,
        "percent": round(100 * answered / len(required)) if required else 100,
        "complete": answered == len(required),
    }


def editable_sections(dossier: Dossier) -> set[str]:
    """Sections the carrier may change now: all of a draft while its call is open;
    only the reopened ones when a manager asked for corrections."""
    if dossier.status == DossierStatus.DRAFT and dossier.call.is_open():
        return set(SECTION_ORDER)
    if dossier.status == DossierStatus.CORRECTIONS:
        return set(dossier.reopened_sections)
    return set()


def start_dossier(call: Call, *, organisation, by) -> tuple[Dossier, bool]:
    """Open the organisation's dossier for a call (or return the existing one).
    A new dossier can be started only while the call is open."""
    existing = Dossier.objects.filter(call=call, organisation=organisation).first()
    if existing:
        return existing, False
    if not call.is_open():
        raise DossierError(_("This call is not open: dossiers can be started between its opening and closing."))
    dossier = Dossier(call=call, organisation=organisation, created_by=by)
    dossier._history_user = by
    dossier.save()
    return dossier, True


def save_section(dossier: Dossier, *, section: str, values: dict, by, expected_version: int) -> Dossier:
    """Save the answers of one section of a dossier.

    ``expected_version`` is the version the person's page was loaded with: if
    someone saved in between, ``EditConflict`` is raised and nothing is written,
    so nobody's work is overwritten silently.
    """
    if section not in editable_sections(dossier):
        raise DossierError(_("This part of the dossier cannot be changed any more."))
    with transaction.atomic():
        updated = Dossier.objects.filter(pk=dossier.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise EditConflict(
                _(
                    "This dossier was saved by someone else (or in another tab) since you opened this page. "
                    "Your text is still in the form: copy it, reload the page, then paste what is missing."
                )
            )
        dossier.refresh_from_db(fields=["version", "updated_at"])
        for field, value in values.items():
            setattr(dossier, field, value)
        dossier._history_user = by
        dossier.save(update_fields=[*values.keys()])
    return dossier


def add_attachment(dossier: Dossier, *, upload, kind, description: str = "", by) -> DossierAttachment:
    """Attach a validated document (see ``ais.core.uploads.DocumentValidator``)."""
    if DossierSection.ATTACHMENTS not in editable_sections(dossier):
        raise DossierError(_("Attachments of this dossier cannot be changed any more."))
    import os

    return DossierAttachment.objects.create(
        dossier=dossier,
        file=upload,
        original_name=os.path.basename(upload.name)[:255],
        mime_type=kind.mime,
        size=upload.size,
        description=description,
        uploaded_by=by,
    )


def remove_attachment(attachment: DossierAttachment, *, by) -> None:
    if DossierSection.ATTACHMENTS not in editable_sections(attachment.dossier):
        raise DossierError(_("Attachments of this dossier cannot be changed any more."))
    attachment.file.delete(save=False)
    attachment.delete()


def _carrier_recipients(dossier: Dossier) -> list[str]:
    from ais.accounts.models import Role, User

    # Only the organisation's active carriers: the person who started the dossier is
    # one of them, unless they have left the organisation or been deactivated.
    emails = set(
        User.objects.filter(
            is_active=True, memberships__organisation=dossier.organisation, memberships__role=Role.CARRIER
        ).values_list("email", flat=True)
    )
    return sorted(emails)


def _notify_carrier(dossier: Dossier, *, template: str, key: str, reason: str, extra=None) -> None:
    context = {
        "dossier": dossier,
        "call": dossier.call,
        "url": _dossier_url(dossier),
        **(extra or {}),
    }
    for email in _carrier_recipients(dossier):
        queue_templated_email(
            recipient=email,
            template=template,
            context=context,
            reason=reason,
            dedup_key=f"{key}:{email}",
            related_object=dossier,
        )


def submit_dossier(dossier: Dossier, *, by) -> Dossier:
    """Submit a draft (while the call is open) or a corrected dossier.

    Required answers must all be given, and the territory of origin must be in
    the call's target departments when it has some. Sends the receipt e-mail.
    """
    call = dossier.call
    if dossier.status == DossierStatus.DRAFT:
        if not call.is_open():
            raise DossierError(_("The call is closed: dossiers can no longer be submitted."))
    elif dossier.status != DossierStatus.CORRECTIONS:
        raise DossierError(_("This dossier has already been submitted."))
    state = completeness(dossier)
    if not state["complete"]:
        raise DossierError(_("Some required answers are missing: see the sections marked as incomplete."))
    departments = list(call.target_departments.values_list("code", flat=True))
    if departments and (dossier.origin_commune is None or dossier.origin_commune.department_id not in departments):
        raise DossierError(_("This call is limited to some departments: your territory of origin is not one of them."))
    resubmission = dossier.status == DossierStatus.CORRECTIONS
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.reopened_sections = []
    dossier._history_user = by
    dossier.save(update_fields=["status", "submitted_at", "reopened_sections", "updated_at"])
    _notify_carrier(
        dossier,
        template="projects/email/dossier_receipt",
        reason=DOSSIER_RECEIPT,
        key=f"dossier-receipt:{dossier.pk}:{dossier.submitted_at.isoformat()}",
        extra={"resubmission": resubmission},
    )
    return dossier


def request_corrections(dossier: Dossier, *, sections: list[str], reason: str, by) -> Dossier:
    """Reopen named sections of a submitted dossier, with the reason, for the carrier to fix."""
    if dossier.status not in (DossierStatus.SUBMITTED, DossierStatus.ELIGIBLE, DossierStatus.INELIGIBLE):
        raise DossierError(_("Corrections can be requested only on a submitted dossier."))
    sections = [s for s in SECTION_ORDER if s in sections]
    if not sections:
        raise DossierError(_("Choose at least one section to reopen."))
    if not reason.strip():
        raise DossierError(_("Say what must be corrected."))
    dossier.status = DossierStatus.CORRECTIONS
    dossier.reopened_sections = sections
    dossier.correction_reason = reason.strip()
    dossier._history_user = by
    dossier.save(update_fields=["status", "reopened_sections", "correction_reason", "updated_at"])
    labels = dict(DossierSection.choices)
    _notify_carrier(
        dossier,
        template="projects/email/dossier_corrections",
        reason=DOSSIER_CORRECTIONS,
        key=f"dossier-corrections:{dossier.pk}:{dossier.history.latest().history_id}",
        extra={"sections": [labels[s] for s in sections]},
    )
    return dossier


def decide_eligibility(dossier: Dossier, *, eligible: bool, reason: str = "", by) -> Dossier:
    """Record the first-look decision; a dossier found not eligible needs a reason.
    The carrier is told by e-mail."""
    if dossier.status not in (DossierStatus.SUBMITTED, DossierStatus.ELIGIBLE, DossierStatus.INELIGIBLE):
        raise DossierError(_("Eligibility is decided on a submitted dossier."))
    if not eligible and not reason.strip():
        raise DossierError(_("Give the reason why the dossier is not eligible: the carrier will read it."))
    dossier.status = DossierStatus.ELIGIBLE if eligible else DossierStatus.INELIGIBLE
    dossier.eligibility_reason = reason.strip()
    dossier.decided_at = timezone.now()
    dossier.decided_by = by
    dossier._history_user = by
    dossier.save(update_fields=["status", "eligibility_reason", "decided_at", "decided_by", "updated_at"])
    _notify_carrier(
        dossier,
        template="projects/email/dossier_eligibility",
        reason=DOSSIER_ELIGIBILITY,
        key=f"dossier-eligibility:{dossier.pk}:{dossier.decided_at.isoformat()}",
    )
    return dossier


def add_internal_note(dossier: Dossier, *, text: str, by) -> InternalNote:
    if not text.strip():
        raise DossierError(_("The note is empty."))
    return InternalNote.objects.create(dossier=dossier, author=by, text=text.strip())


def remind_unsubmitted_drafts(*, now=None) -> int:
    """Remind carriers of drafts not submitted, ``reminder_days`` before the call
    closes. The e-mail's key holds the call's closing date, so each draft is
    reminded once per closing date, however often the sweep runs."""
    now = now or timezone.now()
    count = 0
    calls = Call.objects.open_now().filter(reminder_days__gt=0)
    for call in calls:
        if call.closes_at - timezone.timedelta(days=call.reminder_days) > now:
            continue
        drafts = call.dossiers.filter(status=DossierStatus.DRAFT).select_related("call", "created_by")
        for dossier in drafts:
            for email in _carrier_recipients(dossier):
                _email, created = queue_templated_email(
                    recipient=email,
                    template="projects/email/dossier_reminder",
                    context={"dossier": dossier, "call": call, "url": _dossier_url(dossier)},
                    reason=DOSSIER_REMINDER,
                    dedup_key=f"dossier-reminder:{dossier.pk}:{call.closes_at.isoformat()}:{email}",
                    related_object=dossier,
                )
                count += created
    return count


def _dossier_url(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("projects:dossier_detail", args=[dossier.pk])
