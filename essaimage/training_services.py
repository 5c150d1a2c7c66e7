"""Trainings of the essaimage: state changes and the figures they feed.

State changes (one documented function each) complete those of
``essaimage.services`` (``set_training_structures``, ``record_attendance``): days,
trainees and documents of a training. Each checks its rule, records the acting
user for the audit history and raises ``SpreadingError`` with a message for the
person who tried.

Figures, for the training pages and the programme dashboard:

- ``with_training_stats(trainings)`` annotates a ``Training`` queryset with its
  number of days, first and last day, structures, trainees and the attendance of
  the days held, in one query (correlated subqueries: no join multiplies rows).
- ``trained_people_count(trainings)`` is the number of people trained: distinct
  trainees present at least one day of those trainings.
- ``present_participants(trainings)`` is the queryset of those trainees, for
  other groupings (per innovation, per structure...).
"""

from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from ais.core.uploads import store_upload

from . import services
from .models import (
    Attendance,
    SpreadStructure,
    StructureStatus,
    Training,
    TrainingDay,
    TrainingDocument,
    TrainingParticipant,
)
from .services import SpreadingError

# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


class SubqueryCount(Subquery):
    """``COUNT(*)`` of a correlated subquery (0 when empty): no join, no GROUP BY."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS _counted)"
    output_field = IntegerField()


def _count(queryset):
    return SubqueryCount(queryset.order_by().values("pk"))


def with_training_stats(trainings: QuerySet, *, today=None) -> QuerySet:
    """Annotate trainings with, for each one:

    ``day_count``, ``first_day``, ``last_day``; ``structure_count``;
    ``participant_count`` (trainees); ``held_day_count`` (days up to ``today``);
    ``attendance_count`` and ``present_count`` (attendance rows recorded for the
    days held, and those marked present). The attendance rate of the days held is
    ``present_count / attendance_count`` (see ``attendance_rate``): a trainee added
    after a day has no row for it, so it does not lower that day's rate.
    """
    today = today or timezone.localdate()
    days = TrainingDay.objects.filter(training=OuterRef("pk"))
    held = Attendance.objects.filter(day__training=OuterRef("pk"), day__date__lte=today)
    return trainings.annotate(
        day_count=_count(days),
        held_day_count=_count(days.filter(date__lte=today)),
        first_day=Subquery(days.order_by().values("training").annotate(d=Min("date")).values("d")[:1]),
        last_day=Subquery(days.order_by().values("training").annotate(d=Max("date")).values("d")[:1]),
        structure_count=_count(SpreadStructure.objects.filter(trainings=OuterRef("pk"))),
        participant_count=_count(TrainingParticipant.objects.filter(training=OuterRef("pk"))),
        attendance_count=_count(held),
        present_count=_count(held.filter(present=True)),
    )


def attendance_rate(present: int, recorded: int) -> int | None:
    """Whole percentage present among the attendances recorded (None when nothing was recorded)."""
    if not recorded:
        return None
    return round(100 * present / recorded)


def present_participants(trainings: QuerySet) -> QuerySet:
    """Trainees of these trainings present at least one day."""
    return TrainingParticipant.objects.filter(
        training__in=trainings.values("pk"),
        pk__in=Attendance.objects.filter(present=True).values("participant_id"),
    )


def trained_people_count(trainings: QuerySet) -> int:
    """People trained by these trainings (one query): trainees present at least one
    day, each person counted once even when they followed several trainings. A
    person is their structure's organisation and their name (case-insensitive):
    trainees are professionals of the structures, named per organisation.

    ``trained_people_count(Training.objects.all())`` gives the programme's figure;
    pass ``Training.objects.filter(innovation=...)`` for one innovation.
    """
    return (
        present_participants(trainings)
        .order_by()
        .values("structure__organisation_id", name=Lower("full_name"))
        .distinct()
        .count()
    )


def participant_stats(day_queryset: QuerySet, participants: QuerySet) -> QuerySet:
    """Annotate training days with ``present_count`` and ``recorded_count`` among ``participants``."""
    rows = Attendance.objects.filter(day=OuterRef("pk"), participant__in=participants.values("pk"))
    return day_queryset.annotate(present_count=_count(rows.filter(present=True)), recorded_count=_count(rows))


# --------------------------------------------------------------------------
# State changes
# --------------------------------------------------------------------------


def update_training_structures(training: Training, structures, *, by) -> None:
    """The structures taking part in a training, for its creation and its changes.

    Like ``services.set_training_structures`` (which it calls for the new
    structures), with the rules that one lacks: a candidate (not yet selected)
    structure cannot join; a structure already taking part stays possible even if
    it has withdrawn since (its trainees and their attendance remain); a structure
    whose trainees are registered cannot be removed (remove the trainees first).
    """
    structures = list(structures)
    current = {s.pk: s for s in training.structures.all()}
    chosen = {s.pk for s in structures}
    removed = [s for pk, s in current.items() if pk not in chosen]
    busy = (
        TrainingParticipant.objects.filter(training=training, structure__in=removed)
        .values_list("structure__organisation__name", flat=True)
        .distinct()
    )
    busy = sorted(busy) if removed else []
    if busy:
        raise SpreadingError(
            _("%(names)s cannot leave the training: remove their trainees first.") % {"names": ", ".join(busy)}
        )
    new = [s for s in structures if s.pk not in current]
    kept = [s for s in structures if s.pk in current]
    if any(s.status == StructureStatus.CANDIDATE for s in new):
        raise SpreadingError(_("A candidate structure takes part in trainings once it is selected."))
    with transaction.atomic():
        services.set_training_structures(training, new, by=by)  # checks: the innovation's, not withdrawn
        training.structures.add(*kept)


def add_day(training: Training, *, date, starts_at=None, ends_at=None, topic: str = "", by) -> TrainingDay:
    """Schedule a day of the training (one per date and start time)."""
    if starts_at and ends_at and ends_at <= starts_at:
        raise SpreadingError(_("The end time must come after the start time."))
    day = TrainingDay(training=training, date=date, starts_at=starts_at, ends_at=ends_at, topic=topic)
    day._history_user = by
    try:
        with transaction.atomic():
            day.save()
    except IntegrityError as error:
        raise SpreadingError(_("This training already has a day on this date at this time.")) from error
    return day


def delete_day(day: TrainingDay, *, by) -> None:
    """Remove a scheduled day; refused once attendance was recorded for it."""
    if day.attendances.exists():
        raise SpreadingError(
            _("Attendance was recorded for this day: it cannot be deleted. Correct the attendance instead.")
        )
    day._history_user = by
    day.delete()


def add_participant(
    training: Training, *, structure: SpreadStructure, full_name: str, function: str = "", email: str = "", by
) -> TrainingParticipant:
    """Register a professional of a participating structure as a trainee."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise SpreadingError(_("Give the trainee's name."))
    if not training.structures.filter(pk=structure.pk).exists():
        raise SpreadingError(_("This structure does not take part in the training."))
    if structure.status == StructureStatus.WITHDRAWN:
        raise SpreadingError(_("This structure has withdrawn: it cannot register new trainees."))
    participant = TrainingParticipant(
        training=training, structure=structure, full_name=full_name, function=function.strip(), email=email.strip()
    )
    participant._history_user = by
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as error:
        raise SpreadingError(_("%(name)s is already registered for this structure.") % {"name": full_name}) from error
    return participant


def delete_participant(participant: TrainingParticipant, *, by) -> None:
    """Remove a trainee; refused once they were recorded present (they count as trained)."""
    if participant.attendances.filter(present=True).exists():
        raise SpreadingError(
            _("%(name)s was recorded present at a day of the training: they cannot be removed.")
            % {"name": participant.full_name}
        )
    participant._history_user = by
    participant.delete()


def record_day_attendance(day: TrainingDay, present_ids, *, by) -> int:
    """Record who attended a day that has taken place (``services.record_attendance``)."""
    if day.date > timezone.localdate():
        raise SpreadingError(_("This day has not taken place yet: attendance is recorded from the day itself."))
    return services.record_attendance(day, present_ids, by=by)


def add_document(training: Training, *, title: str, upload, by) -> TrainingDocument:
    """Attach a document (programme, slides, booklet) already checked by ``DocumentValidator``."""
    document = TrainingDocument(training=training, title=title.strip() or upload.name)
    store_upload(document, upload, by=by)
    document.save()
    return document


def structures_choices(training: Training) -> QuerySet:
    """Structures that may take part in the training: the innovation's selected ones
    (not candidates, not withdrawn), and those already taking part (even if they
    have withdrawn since)."""
    query = Q(innovation_id=training.innovation_id) & ~Q(
        status__in=[StructureStatus.WITHDRAWN, StructureStatus.CANDIDATE]
    )
    if training.pk:
        query |= Q(trainings=training)
    return SpreadStructure.objects.filter(query).select_related("organisation").distinct()
