"""Managers create and run a training from its pages: the training and its
structures, days, trainees, documents and attendance."""

import datetime
import html

import pytest
from django.urls import reverse

from essaimage.models import Attendance, StructureStatus, Training, TrainingDay, TrainingDocument, TrainingParticipant
from tests.essaimage.factories import AttendanceFactory, SpreadStructureFactory, TrainingParticipantFactory


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _training_data(**overrides):
    data = {
        "title": "Formation-action Parcours Gardien – Bretagne",
        "kind": "formation_action",
        "mode": "on_site",
        "place": "Maison de l'emploi, Rennes",
        "online_link": "",
        "trainers": "Claire Martin (porteur)",
        "description": "Six journées, une par mois.",
        "wave": "2",
    }
    data.update(overrides)
    return data


# Create and edit ---------------------------------------------------------------------


def test_create_training_with_structures_moves_them_to_training(manager_client, innovation, rouen, havre, manager):
    url = reverse("essaimage:training_create", args=[innovation.pk])

    response = manager_client.post(url, _training_data(structures=[rouen.pk, havre.pk]))

    training = Training.objects.get(title="Formation-action Parcours Gardien – Bretagne")
    assert response.status_code == 302
    assert response.url == reverse("essaimage:training_detail", args=[training.pk])
    assert training.innovation == innovation
    assert set(training.structures.all()) == {rouen, havre}
    rouen.refresh_from_db()
    assert rouen.status == StructureStatus.TRAINING
    assert training.history.first().history_user == manager


def test_create_form_offers_only_the_innovations_structures_not_withdrawn(manager_client, innovation, rouen):
    SpreadStructureFactory(innovation=innovation, withdrawn=True, organisation__name="Structure partie")
    SpreadStructureFactory(organisation__name="Structure d'une autre innovation")

    text = _text(manager_client.get(reverse("essaimage:training_create", args=[innovation.pk])))

    assert "Régie de quartier Rouen Nord" in text
    assert "Structure partie" not in text
    assert "Structure d'une autre innovation" not in text


@pytest.mark.parametrize("kind", ["foreign", "withdrawn"])
def test_create_training_refuses_foreign_or_withdrawn_structure(manager_client, innovation, rouen, kind):
    other = (
        SpreadStructureFactory(status=StructureStatus.SELECTED)
        if kind == "foreign"
        else SpreadStructureFactory(innovation=innovation, withdrawn=True)
    )

    response = manager_client.post(
        reverse("essaimage:training_create", args=[innovation.pk]), _training_data(structures=[rouen.pk, other.pk])
    )

    assert response.status_code == 400
    assert not Training.objects.exists()
    assert response.context["form"].errors["structures"]
    assert 'value="Formation-action Parcours Gardien – Bretagne"' in _text(response)  # what was typed stays
    rouen.refresh_from_db()
    assert rouen.status == StructureStatus.SELECTED


def test_create_online_training_without_link_refused(manager_client, innovation):
    response = manager_client.post(
        reverse("essaimage:training_create", args=[innovation.pk]), _training_data(mode="online", place="")
    )

    assert response.status_code == 400
    assert not Training.objects.exists()
    assert list(response.context["form"].errors) == ["online_link"]


def test_create_on_site_training_without_place_refused(manager_client, innovation):
    response = manager_client.post(
        reverse("essaimage:training_create", args=[innovation.pk]), _training_data(place="  ")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["place"]


def test_create_online_training_with_link_needs_no_place(manager_client, innovation):
    manager_client.post(
        reverse("essaimage:training_create", args=[innovation.pk]),
        _training_data(mode="online", place="", online_link="https://visio.exemple.fr/parcours"),
    )

    assert Training.objects.get().online_link == "https://visio.exemple.fr/parcours"


def test_edit_training_changes_fields_and_keeps_structures(manager_client, training, rouen, havre):
    response = manager_client.post(
        reverse("essaimage:training_edit", args=[training.pk]),
        _training_data(title="Formation-action – promotion 2", structures=[rouen.pk, havre.pk]),
    )

    training.refresh_from_db()
    assert response.status_code == 302
    assert training.title == "Formation-action – promotion 2"
    assert training.structures.count() == 2


def test_edit_training_refuses_removing_a_structure_with_trainees(manager_client, training, rouen):
    response = manager_client.post(
        reverse("essaimage:training_edit", args=[training.pk]),
        _training_data(title="Nouveau titre", structures=[rouen.pk]),
    )

    training.refresh_from_db()
    assert response.status_code == 400
    assert "ACI Le Havre Solidaire" in str(response.context["form"].errors["structures"])
    assert training.title == "Formation-action Parcours Gardien – Normandie"  # all or nothing
    assert training.structures.count() == 2


# Detail, days, trainees ----------------------------------------------------------------


def test_detail_shows_programme_days_structures_and_trainees_by_structure(manager_client, training):
    day = training.days.order_by("date").first()
    morgane = training.participants.get(full_name="Morgane Leroy")
    AttendanceFactory(day=day, participant=morgane, present=True)
    AttendanceFactory(day=day, participant=training.participants.get(full_name="Karim Benali"), present=False)

    text = _text(manager_client.get(reverse("essaimage:training_detail", args=[training.pk])))

    assert "Maison des associations, Rouen" in text
    assert "Claire Martin (porteur)" in text
    assert "Les fondamentaux" in text and "Premiers retours" in text
    assert "1 / 2" in text  # present / recorded for the first day
    assert text.index("ACI Le Havre Solidaire") < text.index("Lucie Martin")
    assert text.index("Régie de quartier Rouen Nord") < text.index("Morgane Leroy")
    assert reverse("essaimage:attendance", args=[day.pk]) in text
    assert 'name="structure"' in text and 'name="date"' in text and 'name="file"' in text


def test_participant_form_offers_only_the_trainings_structures(manager_client, training, innovation):
    SpreadStructureFactory(innovation=innovation, organisation__name="Structure hors formation")

    response = manager_client.get(reverse("essaimage:training_detail", args=[training.pk]))

    choices = [label for _value, label in response.context["participant_form"].fields["structure"].choices]
    assert choices[1:] == ["ACI Le Havre Solidaire", "Régie de quartier Rouen Nord"]


def test_add_day_from_the_page(manager_client, training):
    response = manager_client.post(
        reverse("essaimage:training_day_add", args=[training.pk]),
        {"date": "2025-05-12", "starts_at": "09:00", "ends_at": "17:00", "topic": "Partenaires employeurs"},
    )

    assert response.status_code == 302
    assert training.days.filter(date=datetime.date(2025, 5, 12), topic="Partenaires employeurs").exists()


def test_add_day_ending_before_it_starts_refused_with_what_was_typed(manager_client, training):
    response = manager_client.post(
        reverse("essaimage:training_day_add", args=[training.pk]),
        {"date": "2025-05-12", "starts_at": "17:00", "ends_at": "09:00", "topic": "Partenaires employeurs"},
    )

    assert response.status_code == 400
    assert "ends_at" in response.context["day_form"].errors
    assert 'value="Partenaires employeurs"' in _text(response)
    assert training.days.count() == 2


def test_delete_day_refused_once_attendance_recorded(manager_client, training):
    day = training.days.first()
    AttendanceFactory(day=day, participant=training.participants.first())

    response = manager_client.post(reverse("essaimage:training_day_delete", args=[day.pk]), follow=True)

    assert TrainingDay.objects.filter(pk=day.pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_delete_day_without_attendance(manager_client, training):
    day = training.days.first()

    manager_client.post(reverse("essaimage:training_day_delete", args=[day.pk]))

    assert not TrainingDay.objects.filter(pk=day.pk).exists()


def test_add_participant_from_the_page(manager_client, training, rouen):
    response = manager_client.post(
        reverse("essaimage:participant_add", args=[training.pk]),
        {"structure": rouen.pk, "full_name": "Paul Hamel", "function": "Encadrant technique", "email": ""},
    )

    assert response.status_code == 302
    assert training.participants.filter(structure=rouen, full_name="Paul Hamel").exists()


def test_add_participant_of_a_structure_outside_the_training_refused(manager_client, training, innovation):
    outside = SpreadStructureFactory(innovation=innovation)

    response = manager_client.post(
        reverse("essaimage:participant_add", args=[training.pk]), {"structure": outside.pk, "full_name": "Paul Hamel"}
    )

    assert response.status_code == 400
    assert "structure" in response.context["participant_form"].errors
    assert not TrainingParticipant.objects.filter(full_name="Paul Hamel").exists()


def test_add_same_participant_twice_refused_with_message(manager_client, training, rouen):
    response = manager_client.post(
        reverse("essaimage:participant_add", args=[training.pk]), {"structure": rouen.pk, "full_name": "Morgane Leroy"}
    )

    assert response.status_code == 400
    assert "Morgane Leroy" in str(response.context["participant_form"].non_field_errors())
    assert training.participants.filter(full_name="Morgane Leroy").count() == 1


def test_delete_participant(manager_client, training):
    participant = training.participants.get(full_name="Lucie Martin")

    manager_client.post(reverse("essaimage:participant_delete", args=[participant.pk]))

    assert not TrainingParticipant.objects.filter(pk=participant.pk).exists()


# Documents --------------------------------------------------------------------------


def test_document_upload_and_download_as_attachment(manager_client, training, pdf_upload):
    response = manager_client.post(
        reverse("essaimage:training_document_add", args=[training.pk]),
        {"title": "Programme de la formation", "file": pdf_upload("programme.pdf")},
    )
    document = TrainingDocument.objects.get()

    download = manager_client.get(reverse("essaimage:training_document_download", args=[document.pk]))
    content = b"".join(download.streaming_content)
    download.close()

    assert response.status_code == 302
    assert (document.title, document.original_name, document.mime_type) == (
        "Programme de la formation",
        "programme.pdf",
        "application/pdf",
    )
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert content.startswith(b"%PDF-")


def test_document_upload_refuses_a_disguised_file(manager_client, training, pdf_upload):
    response = manager_client.post(
        reverse("essaimage:training_document_add", args=[training.pk]),
        {"title": "Faux PDF", "file": pdf_upload("programme.pdf", data=b"<html><script>alert(1)</script>")},
    )

    assert response.status_code == 400
    assert "file" in response.context["document_form"].errors
    assert not TrainingDocument.objects.exists()


# Attendance page ---------------------------------------------------------------------


def test_attendance_page_lists_trainees_by_structure_with_their_checkbox(manager_client, training):
    day = training.days.first()

    text = _text(manager_client.get(reverse("essaimage:attendance", args=[day.pk])))

    for participant in training.participants.all():
        assert f'name="present" value="{participant.pk}"' in text
    assert text.index("ACI Le Havre Solidaire") < text.index("Sophie Durand")
    assert "data-attendance-all" in text
    assert "js/trainings.js" in text


def test_attendance_post_records_presence_then_shows_it(manager_client, training):
    day = training.days.first()
    ids = dict(training.participants.values_list("full_name", "pk"))

    response = manager_client.post(
        reverse("essaimage:attendance", args=[day.pk]), {"present": [ids["Morgane Leroy"], ids["Sophie Durand"]]}
    )
    page = _text(manager_client.get(reverse("essaimage:attendance", args=[day.pk])))

    assert response.status_code == 302
    assert dict(Attendance.objects.filter(day=day).values_list("participant__full_name", "present")) == {
        "Morgane Leroy": True,
        "Sophie Durand": True,
        "Karim Benali": False,
        "Lucie Martin": False,
    }
    assert f'value="{ids["Morgane Leroy"]}" id="present-{ids["Morgane Leroy"]}" checked' in page
    assert f'value="{ids["Karim Benali"]}" id="present-{ids["Karim Benali"]}">' in page


def test_attendance_post_with_someone_outside_the_training_refused(manager_client, training):
    day = training.days.first()
    stranger = TrainingParticipantFactory(full_name="Nina Extérieure")

    response = manager_client.post(reverse("essaimage:attendance", args=[day.pk]), {"present": [stranger.pk]})

    assert response.status_code == 400
    assert not Attendance.objects.exists()
