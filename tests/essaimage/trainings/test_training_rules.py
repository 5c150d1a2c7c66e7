"""The rules of trainings, at the domain level: participating structures, days,
trainees, attendance, and the figures the programme dashboard reuses."""

import datetime

import pytest
from django.utils import timezone

from essaimage import services, training_services
from essaimage.models import Attendance, StructureStatus, Training, TrainingDay, TrainingParticipant
from essaimage.services import SpreadingError
from tests.essaimage.factories import (
    AttendanceFactory,
    SpreadStructureFactory,
    TrainingDayFactory,
    TrainingFactory,
    TrainingParticipantFactory,
)

# Participating structures ------------------------------------------------------------


def test_update_structures_moves_selected_structures_to_training(innovation, rouen, manager):
    spreading = SpreadStructureFactory(innovation=innovation, status=StructureStatus.SPREADING)
    training = TrainingFactory(innovation=innovation)

    training_services.update_training_structures(training, [rouen, spreading], by=manager)

    rouen.refresh_from_db()
    spreading.refresh_from_db()
    assert set(training.structures.all()) == {rouen, spreading}
    assert rouen.status == StructureStatus.TRAINING
    assert spreading.status == StructureStatus.SPREADING  # further along: unchanged
    assert rouen.history.first().history_user == manager


@pytest.mark.parametrize("kind", ["foreign", "withdrawn"])
def test_update_structures_refuses_foreign_or_withdrawn_structure(innovation, rouen, manager, kind):
    training = TrainingFactory(innovation=innovation)
    other = (
        SpreadStructureFactory(status=StructureStatus.SELECTED)
        if kind == "foreign"
        else SpreadStructureFactory(innovation=innovation, withdrawn=True)
    )

    with pytest.raises(SpreadingError):
        training_services.update_training_structures(training, [rouen, other], by=manager)

    rouen.refresh_from_db()
    assert not training.structures.exists()
    assert rouen.status == StructureStatus.SELECTED  # all or nothing


def test_update_structures_keeps_a_structure_that_withdrew_since(training, rouen, havre, manager):
    services.withdraw_structure(havre, on=datetime.date(2025, 5, 1), reason="Fin du financement", by=manager)

    training_services.update_training_structures(training, [rouen, havre], by=manager)

    assert set(training.structures.all()) == {rouen, havre}


def test_update_structures_refuses_to_remove_a_structure_with_trainees(training, rouen, manager):
    with pytest.raises(SpreadingError, match="ACI Le Havre Solidaire"):
        training_services.update_training_structures(training, [rouen], by=manager)

    assert training.structures.count() == 2


# Days and trainees --------------------------------------------------------------------


def test_add_day_refuses_the_same_date_and_time_twice(training, manager):
    day = training.days.first()

    with pytest.raises(SpreadingError):
        training_services.add_day(training, date=day.date, starts_at=day.starts_at, by=manager)

    assert training.days.count() == 2


def test_delete_day_refused_once_attendance_recorded(training, manager):
    day = training.days.first()
    services.record_attendance(day, [], by=manager)

    with pytest.raises(SpreadingError):
        training_services.delete_day(day, by=manager)

    assert TrainingDay.objects.filter(pk=day.pk).exists()


def test_delete_day_without_attendance_removes_it(training, manager):
    day = training.days.first()

    training_services.delete_day(day, by=manager)

    assert not TrainingDay.objects.filter(pk=day.pk).exists()


def test_add_participant_refuses_a_structure_outside_the_training(training, innovation, manager):
    outside = SpreadStructureFactory(innovation=innovation)

    with pytest.raises(SpreadingError):
        training_services.add_participant(training, structure=outside, full_name="Paul Hamel", by=manager)

    assert not TrainingParticipant.objects.filter(full_name="Paul Hamel").exists()


def test_add_participant_refuses_the_same_person_twice(training, rouen, manager):
    with pytest.raises(SpreadingError, match="Morgane Leroy"):
        training_services.add_participant(training, structure=rouen, full_name="  Morgane   Leroy ", by=manager)


def test_delete_participant_refused_once_recorded_present(training, manager):
    participant = training.participants.first()
    services.record_attendance(training.days.first(), [participant.pk], by=manager)

    with pytest.raises(SpreadingError):
        training_services.delete_participant(participant, by=manager)

    assert TrainingParticipant.objects.filter(pk=participant.pk).exists()


# Attendance -------------------------------------------------------------------------


def _state(day):
    return dict(Attendance.objects.filter(day=day).values_list("participant__full_name", "present"))


def test_record_attendance_marks_ticked_present_and_others_absent(training, manager):
    day = training.days.first()
    morgane, karim = training.participants.filter(full_name__in=["Morgane Leroy", "Karim Benali"])

    count = training_services.record_day_attendance(day, [morgane.pk, karim.pk], by=manager)

    assert count == 2
    assert _state(day) == {"Morgane Leroy": True, "Karim Benali": True, "Sophie Durand": False, "Lucie Martin": False}
    assert _state(training.days.last()) == {}  # the other day is untouched


def test_record_attendance_again_changes_only_what_changed(training, manager):
    day = training.days.first()
    morgane, sophie = (training.participants.get(full_name=name) for name in ("Morgane Leroy", "Sophie Durand"))
    training_services.record_day_attendance(day, [morgane.pk], by=manager)
    history_before = Attendance.history.count()

    training_services.record_day_attendance(day, [morgane.pk, sophie.pk], by=manager)

    assert _state(day)["Sophie Durand"] is True
    assert Attendance.history.count() == history_before + 1  # only Sophie's row changed
    change = Attendance.history.order_by("-history_date").first()
    assert change.participant_id == sophie.pk
    assert change.history_type == "~"
    assert change.history_user == manager


def test_record_attendance_refuses_a_person_outside_the_training(training, manager):
    day = training.days.first()
    stranger = TrainingParticipantFactory(full_name="Nina Extérieure")  # another training's trainee

    with pytest.raises(SpreadingError):
        training_services.record_day_attendance(day, [stranger.pk], by=manager)

    assert not Attendance.objects.filter(day=day).exists()


def test_record_attendance_refused_for_a_day_to_come(training, manager):
    day = TrainingDayFactory(training=training, date=timezone.localdate() + datetime.timedelta(days=7))

    with pytest.raises(SpreadingError):
        training_services.record_day_attendance(day, [], by=manager)


# Figures -------------------------------------------------------------------------------


def test_with_training_stats_counts_days_structures_trainees_and_attendance(training, manager):
    first, second = training.days.order_by("date")
    ids = list(training.participants.values_list("pk", flat=True))
    services.record_attendance(first, ids[:3], by=manager)  # 3 of 4
    services.record_attendance(second, ids, by=manager)  # 4 of 4
    TrainingDayFactory(training=training, date=timezone.localdate() + datetime.timedelta(days=30))
    empty = TrainingFactory(innovation=training.innovation)

    rows = {t.pk: t for t in training_services.with_training_stats(Training.objects.all())}

    stats = rows[training.pk]
    assert (stats.day_count, stats.held_day_count, stats.structure_count, stats.participant_count) == (3, 2, 2, 4)
    assert (stats.first_day, stats.last_day) == (first.date, timezone.localdate() + datetime.timedelta(days=30))
    assert (stats.attendance_count, stats.present_count) == (8, 7)
    assert training_services.attendance_rate(stats.present_count, stats.attendance_count) == 88
    assert (rows[empty.pk].day_count, rows[empty.pk].participant_count, rows[empty.pk].first_day) == (0, 0, None)
    assert training_services.attendance_rate(0, 0) is None


def test_trained_people_count_counts_each_person_present_once(training, rouen, manager):
    ids = dict(training.participants.values_list("full_name", "pk"))
    services.record_attendance(training.days.first(), [ids["Morgane Leroy"], ids["Karim Benali"]], by=manager)
    services.record_attendance(training.days.last(), [ids["Morgane Leroy"]], by=manager)  # Sophie, Lucie: never
    # Morgane follows a second training of the innovation: still one person trained.
    second = TrainingFactory(innovation=training.innovation)
    second.structures.set([rouen])
    again = TrainingParticipantFactory(training=second, structure=rouen, full_name="morgane leroy")
    AttendanceFactory(participant=again, day=TrainingDayFactory(training=second), present=True)
    TrainingParticipantFactory(training=second, structure=rouen, full_name="Absent Toujours")

    assert training_services.trained_people_count(Training.objects.all()) == 2
    assert training_services.trained_people_count(Training.objects.filter(pk=second.pk)) == 1
    assert training_services.present_participants(Training.objects.filter(pk=training.pk)).count() == 2


def test_update_structures_refuses_a_candidate_structure(innovation, manager):
    training = TrainingFactory(innovation=innovation)
    candidate = SpreadStructureFactory(innovation=innovation, candidate=True)

    with pytest.raises(SpreadingError):
        training_services.update_training_structures(training, [candidate], by=manager)

    assert not training.structures.exists()
