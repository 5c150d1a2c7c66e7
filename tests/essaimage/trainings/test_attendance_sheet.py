"""The attendance sheet to sign (PDF): one page per day, with the training's title,
the trainees, their structure and job title, and the day's date."""

import datetime

import pytest
from django.urls import reverse

from tests.essaimage.factories import TrainingFactory
from tests.essaimage.trainings.conftest import pdf_pages_text


def _sheet(client, training, **params):
    return client.get(reverse("essaimage:attendance_sheet", args=[training.pk]), params)


def test_attendance_sheet_has_one_page_per_day_with_title_trainees_and_date(manager_client, training):
    response = _sheet(manager_client, training)

    pages = pdf_pages_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="emargement-formation-action-parcours-gardien-normandie.pdf"'
    )
    assert len(pages) == training.days.count() == 2
    for page, date in zip(pages, ["10 mars 2025", "14 avril 2025"], strict=True):
        assert "AIS#Emploi" in page
        assert "Formation-action Parcours Gardien – Normandie" in page
        assert "Parcours Gardien" in page
        assert "Maison des associations, Rouen" in page
        assert "Claire Martin (porteur)" in page
        assert date in page
        for name in ("Morgane Leroy", "Karim Benali", "Sophie Durand", "Lucie Martin"):
            assert name in page
        assert "Régie de quartier Rouen Nord" in page and "ACI Le Havre Solidaire" in page
        assert "Conseillère en insertion" in page  # the factory's job title


def test_attendance_sheet_of_one_day(manager_client, training):
    day = training.days.get(date=datetime.date(2025, 4, 14))

    pages = pdf_pages_text(_sheet(manager_client, training, jour=day.pk).content)

    assert len(pages) == 1
    assert "14 avril 2025" in pages[0]
    assert "10 mars 2025" not in pages[0]


@pytest.mark.parametrize("day", ["999999", "abc"])
def test_attendance_sheet_of_an_unknown_day_is_404(manager_client, training, day):
    assert _sheet(manager_client, training, jour=day).status_code == 404


def test_attendance_sheet_of_another_trainings_day_is_404(manager_client, training):
    other_day = TrainingFactory().days.create(date=datetime.date(2025, 6, 2))

    assert _sheet(manager_client, training, jour=other_day.pk).status_code == 404


def test_attendance_sheet_without_days_is_one_blank_sheet(manager_client, innovation):
    training = TrainingFactory(innovation=innovation, title="Formation sans date")

    pages = pdf_pages_text(_sheet(manager_client, training).content)

    assert len(pages) == 1
    assert "Formation sans date" in pages[0]


def test_attendance_sheet_for_the_innovations_carrier(client, training, carrier):
    client.force_login(carrier)

    response = _sheet(client, training)

    assert response.status_code == 200
    assert "Morgane Leroy" in pdf_pages_text(response.content)[0]


def test_attendance_sheet_refused_to_a_structure_contact(client, training, rouen_contact):
    client.force_login(rouen_contact)

    assert _sheet(client, training).status_code == 403
