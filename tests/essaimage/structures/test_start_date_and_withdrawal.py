"""The issue's "done when" #2: a structure's start date of spreading and its withdrawal
tell the rest of the product (``essaimage.signals``) what changed, after commit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from essaimage import services
from essaimage.models import SpreadStructure, StructureStatus
from essaimage.services import SpreadingError
from tests.essaimage.factories import SpreadStructureFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 2)
APRIL = datetime.date(2026, 4, 6)


def test_set_start_date_sends_signal_with_no_previous_date(
    manager, start_date_calls, django_capture_on_commit_callbacks
):
    structure = SpreadStructureFactory(selected=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.set_start_date(structure, MARCH, by=manager)

    structure.refresh_from_db()
    assert structure.start_date == MARCH
    assert structure.status == StructureStatus.SPREADING  # a selected structure with a start date spreads
    assert start_date_calls == [
        {
            "signal": start_date_calls[0]["signal"],
            "structure_id": structure.pk,
            "previous": None,
            "start_date": MARCH,
            "by_id": manager.pk,
        }
    ]


def test_change_start_date_sends_previous_and_new_dates(manager, start_date_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(start_date=MARCH)

    with django_capture_on_commit_callbacks(execute=True):
        services.set_start_date(structure, APRIL, by=manager)

    assert [(c["structure_id"], c["previous"], c["start_date"]) for c in start_date_calls] == [
        (structure.pk, MARCH, APRIL)
    ]
    assert structure.history.first().history_user == manager


def test_clear_start_date_sends_none_as_new_date(manager, start_date_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(start_date=MARCH)

    with django_capture_on_commit_callbacks(execute=True):
        services.set_start_date(structure, None, by=manager)

    structure.refresh_from_db()
    assert structure.start_date is None
    assert [(c["previous"], c["start_date"]) for c in start_date_calls] == [(MARCH, None)]


def test_same_start_date_sends_nothing(manager, start_date_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(start_date=MARCH)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.set_start_date(structure, MARCH, by=manager)

    assert callbacks == []
    assert start_date_calls == []


def test_start_date_signal_waits_for_commit(manager, start_date_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(start_date=MARCH)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.set_start_date(structure, APRIL, by=manager)

    assert start_date_calls == []  # nothing is sent before the transaction commits
    for callback in callbacks:  # the commit
        callback()
    assert len(start_date_calls) == 1


def test_withdrawn_structure_start_date_cannot_change(manager, start_date_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(withdrawn=True, start_date=MARCH)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SpreadingError):
        services.set_start_date(structure, APRIL, by=manager)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SpreadingError):
        services.set_start_date(structure, None, by=manager)

    structure.refresh_from_db()
    assert structure.start_date == MARCH
    assert start_date_calls == []


def test_candidate_structure_gets_no_start_date(manager, start_date_calls):
    structure = SpreadStructureFactory(candidate=True)

    with pytest.raises(SpreadingError):
        services.set_start_date(structure, MARCH, by=manager)

    structure.refresh_from_db()
    assert structure.start_date is None


def test_start_date_view_sets_date_and_sends_signal(
    manager_client, start_date_calls, django_capture_on_commit_callbacks
):
    structure = SpreadStructureFactory(selected=True)
    url = reverse("essaimage:structure_start_date", kwargs={"pk": structure.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"start_date": "2026-03-02"})

    assert response.status_code == 302
    assert response.url == reverse("essaimage:structure_detail", kwargs={"pk": structure.pk})
    assert [(c["previous"], c["start_date"], c["by_id"]) for c in start_date_calls] == [
        (None, MARCH, manager_client.user.pk)
    ]
    page = manager_client.get(response.url).content.decode()
    assert "2 mars 2026" in page  # the date, and the questionnaires scheduled from it
    assert "2 juin 2026" in page and "2 décembre 2026" in page and "2 septembre 2027" in page


def test_start_date_view_clears_date(manager_client, start_date_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(start_date=MARCH)
    url = reverse("essaimage:structure_start_date", kwargs={"pk": structure.pk})

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url, {"clear": "on"})

    structure.refresh_from_db()
    assert structure.start_date is None
    assert [(c["previous"], c["start_date"]) for c in start_date_calls] == [(MARCH, None)]


def test_start_date_view_without_date_changes_nothing(manager_client, start_date_calls):
    structure = SpreadStructureFactory(start_date=MARCH)
    url = reverse("essaimage:structure_start_date", kwargs={"pk": structure.pk})

    response = manager_client.post(url, {"start_date": ""})

    assert response.status_code == 400
    assert 'name="start_date"' in response.content.decode()
    structure.refresh_from_db()
    assert structure.start_date == MARCH


# Withdrawal ------------------------------------------------------------------------


def test_withdraw_records_date_reason_and_history_user(manager, withdrawn_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory(start_date=MARCH)
    day = timezone.localdate() - datetime.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_structure(structure, on=day, reason="La référente a quitté la structure.", by=manager)

    structure = SpreadStructure.objects.get(pk=structure.pk)
    assert structure.status == StructureStatus.WITHDRAWN
    assert structure.withdrawn_on == day
    assert structure.withdrawal_reason == "La référente a quitté la structure."
    last = structure.history.first()
    assert last.status == StructureStatus.WITHDRAWN
    assert last.withdrawal_reason == "La référente a quitté la structure."
    assert last.history_user == manager
    assert [(c["structure_id"], c["by_id"]) for c in withdrawn_calls] == [(structure.pk, manager.pk)]


@pytest.mark.parametrize(
    ("on", "reason"),
    [(None, "Fin du financement"), (datetime.date(2026, 1, 5), ""), (datetime.date(2026, 1, 5), "   ")],
    ids=["no-date", "no-reason", "blank-reason"],
)
def test_withdraw_refused_without_date_or_reason(
    manager, withdrawn_calls, django_capture_on_commit_callbacks, on, reason
):
    structure = SpreadStructureFactory()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SpreadingError):
        services.withdraw_structure(structure, on=on, reason=reason, by=manager)

    structure.refresh_from_db()
    assert structure.status == StructureStatus.SPREADING
    assert withdrawn_calls == []


def test_withdraw_refused_in_the_future(manager, withdrawn_calls):
    structure = SpreadStructureFactory()

    with pytest.raises(SpreadingError):
        services.withdraw_structure(
            structure, on=timezone.localdate() + datetime.timedelta(days=1), reason="Déménagement", by=manager
        )

    structure.refresh_from_db()
    assert structure.status == StructureStatus.SPREADING


def test_withdraw_view_records_withdrawal(manager_client, withdrawn_calls, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory()
    url = reverse("essaimage:structure_withdraw", kwargs={"pk": structure.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"withdrawn_on": "2026-01-05", "reason": "Fin du financement FSE."})

    assert response.status_code == 302
    structure.refresh_from_db()
    assert (structure.status, structure.withdrawn_on) == (StructureStatus.WITHDRAWN, datetime.date(2026, 1, 5))
    assert structure.history.first().history_user == manager_client.user
    assert len(withdrawn_calls) == 1
    page = manager_client.get(reverse("essaimage:structure_detail", kwargs={"pk": structure.pk})).content.decode()
    assert "Fin du financement FSE." in page
    assert reverse("essaimage:structure_withdraw", kwargs={"pk": structure.pk}) not in page


def test_withdraw_view_without_reason_keeps_the_date(manager_client, withdrawn_calls):
    structure = SpreadStructureFactory()
    url = reverse("essaimage:structure_withdraw", kwargs={"pk": structure.pk})

    response = manager_client.post(url, {"withdrawn_on": "2026-01-05", "reason": ""})

    assert response.status_code == 400
    assert 'value="2026-01-05"' in response.content.decode()
    structure.refresh_from_db()
    assert structure.status == StructureStatus.SPREADING
    assert withdrawn_calls == []
