"""Who sees which training: a carrier its innovations', a structure contact those its
structures take part in (read-only, its own trainees only), anyone else's is a 404.
Query budgets of the list and the detail."""

import datetime
import html

import pytest
from django.urls import reverse

from ais.accounts.models import Role
from ais.core.uploads import DOWNLOAD_CSP
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.essaimage.factories import (
    AttendanceFactory,
    SpreadStructureFactory,
    TrainingDayFactory,
    TrainingDocumentFactory,
    TrainingFactory,
    TrainingParticipantFactory,
)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _urls(training):
    document = TrainingDocumentFactory(training=training)
    return {
        "detail": reverse("essaimage:training_detail", args=[training.pk]),
        "document": reverse("essaimage:training_document_download", args=[document.pk]),
        "sheet": reverse("essaimage:attendance_sheet", args=[training.pk]),
    }


# Structure contacts ----------------------------------------------------------------


@pytest.mark.parametrize("page", ["detail", "document"])
def test_training_of_another_structure_is_404_for_a_structure_contact(client, training, innovation, page):
    elsewhere = SpreadStructureFactory(innovation=innovation, organisation__name="Structure non inscrite")
    contact = UserFactory(roles=[(Role.STRUCTURE, elsewhere.organisation)])
    client.force_login(contact)

    response = client.get(_urls(training)[page])

    assert response.status_code == 404
    assert "Morgane Leroy" not in _text(response)


def test_structure_contact_sees_the_training_read_only_with_its_own_trainees(client, training, rouen_contact):
    client.force_login(rouen_contact)

    response = client.get(reverse("essaimage:training_detail", args=[training.pk]))

    text = _text(response)
    assert response.status_code == 200
    assert "Formation-action Parcours Gardien – Normandie" in text
    assert "Morgane Leroy" in text and "Karim Benali" in text
    assert "Sophie Durand" not in text and "Lucie Martin" not in text  # the other structure's trainees
    assert "ACI Le Havre Solidaire" in text  # the participating structures are listed
    assert 'method="post"' not in text.split('id="contenu"')[1].split("</main>")[0]  # nothing to change
    assert reverse("essaimage:attendance_sheet", args=[training.pk]) not in text


def test_structure_contact_lists_only_the_trainings_of_its_structures(client, training, rouen_contact, innovation):
    TrainingFactory(innovation=innovation, title="Formation d'une autre promotion")
    client.force_login(rouen_contact)

    text = _text(client.get(reverse("essaimage:training_list")))

    assert "Formation-action Parcours Gardien – Normandie" in text
    assert "Formation d'une autre promotion" not in text


def test_structure_contact_day_counts_are_of_its_own_trainees(client, training, rouen_contact):
    day = training.days.order_by("date").first()
    for participant in training.participants.all():
        AttendanceFactory(day=day, participant=participant, present=True)
    client.force_login(rouen_contact)

    response = client.get(reverse("essaimage:training_detail", args=[training.pk]))

    assert [d.recorded_count for d in response.context["days"]] == [2, 0]


# Carriers ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["detail", "document", "sheet"])
def test_training_of_another_innovation_is_404_for_a_carrier(client, training, page):
    other_carrier = UserFactory(roles=[(Role.CARRIER, OrganisationFactory(name="Autre porteur"))])
    client.force_login(other_carrier)

    response = client.get(_urls(training)[page])

    assert response.status_code == 404
    assert "Morgane Leroy" not in _text(response)


def test_carrier_sees_every_trainee_of_its_innovations_training_read_only(client, training, carrier):
    client.force_login(carrier)

    text = _text(client.get(reverse("essaimage:training_detail", args=[training.pk])))

    for name in ("Morgane Leroy", "Karim Benali", "Sophie Durand", "Lucie Martin"):
        assert name in text
    assert reverse("essaimage:attendance_sheet", args=[training.pk]) in text
    assert reverse("essaimage:training_edit", args=[training.pk]) not in text


def test_carrier_cannot_change_the_training(client, training, carrier):
    client.force_login(carrier)

    add = client.post(reverse("essaimage:participant_add", args=[training.pk]), {"full_name": "Intrus"})
    day = client.post(reverse("essaimage:attendance", args=[training.days.first().pk]), {"present": []})

    assert (add.status_code, day.status_code) == (403, 403)
    assert not training.participants.filter(full_name="Intrus").exists()


# Documents ---------------------------------------------------------------------------


def test_document_served_as_download_with_nosniff_to_a_structure_contact(client, training, rouen_contact):
    document = TrainingDocumentFactory(training=training)
    client.force_login(rouen_contact)

    response = client.get(reverse("essaimage:training_document_download", args=[document.pk]))
    content = b"".join(response.streaming_content)
    response.close()

    assert response.status_code == 200
    assert content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="support-journee-1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DOWNLOAD_CSP  # default-src 'none'; … sandbox


# Query budgets ---------------------------------------------------------------------------


def _add_trainings(innovation):
    counter = iter(range(1000))

    def make_rows(n):
        for _ in range(n):
            i = next(counter)
            training = TrainingFactory(innovation=innovation, title=f"Formation {i:03}")
            structure = SpreadStructureFactory(innovation=innovation)
            training.structures.add(structure)
            day = TrainingDayFactory(training=training, date=datetime.date(2025, 1, 6) + datetime.timedelta(days=i))
            AttendanceFactory(day=day, participant=TrainingParticipantFactory(training=training, structure=structure))

    return make_rows


# 25 trainings a page: the paginator counts them (one query).
@pytest.mark.parametrize(("role", "budget"), [(Role.MANAGER, 9), (Role.CARRIER, 8)])
def test_training_list_query_budget(client, innovation, carrier, assert_constant_queries, role, budget):
    user = carrier if role == Role.CARRIER else make_user(role)
    client.force_login(user)

    one, many = assert_constant_queries(client, reverse("essaimage:training_list"), _add_trainings(innovation), budget)

    assert "Formation 000" in one
    assert "Formation 019" in many
    assert "100 %" in many


def test_training_detail_query_budget(manager_client, training, assert_constant_queries):
    counter = iter(range(1000))
    structure = training.structures.first()

    def make_rows(n):
        for _ in range(n):
            i = next(counter)
            participant = TrainingParticipantFactory(
                training=training, structure=structure, full_name=f"Stagiaire {i:03}"
            )
            day = TrainingDayFactory(training=training, date=datetime.date(2026, 1, 5) + datetime.timedelta(days=i))
            AttendanceFactory(day=day, participant=participant)
            TrainingDocumentFactory(training=training, title=f"Support {i:03}")
            extra = SpreadStructureFactory(innovation=training.innovation)
            training.structures.add(extra)

    url = reverse("essaimage:training_detail", args=[training.pk])
    one, many = assert_constant_queries(manager_client, url, make_rows, 9)

    assert "Stagiaire 000" in one
    assert "Stagiaire 019" in many and "Support 019" in many


def test_training_detail_query_budget_for_a_structure_contact(
    client, training, rouen, rouen_contact, assert_constant_queries
):
    counter = iter(range(1000))

    def make_rows(n):
        for _ in range(n):
            i = next(counter)
            TrainingParticipantFactory(training=training, structure=rouen, full_name=f"Stagiaire {i:03}")
            TrainingDayFactory(training=training, date=datetime.date(2026, 1, 5) + datetime.timedelta(days=i))

    client.force_login(rouen_contact)
    one, many = assert_constant_queries(client, reverse("essaimage:training_detail", args=[training.pk]), make_rows, 8)

    assert "Stagiaire 019" in many
