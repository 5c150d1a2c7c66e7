"""Two people taking the last place at the same moment: one gets it, the other waits.

Real concurrency: two threads, each with its own database connection, start
registering at the same instant (a barrier); the event's row lock makes them run
one after the other.
"""

import threading

import pytest
from django.db import connections

from events import services
from events.models import RegistrationStatus
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory


def _race(event, sessions=()):
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def register(n):
        try:
            barrier.wait(timeout=10)
            results[n] = services.register(
                event,
                full_name=f"Personne {n}",
                email=f"course{n}@example.org",
                organisation="Structure",
                sessions=sessions,
            ).status
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_people_take_last_place_at_same_moment_one_waits():
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event)

    results, errors = _race(event)

    assert not errors
    assert sorted(results.values()) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]
    assert event.registrations.confirmed().count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_people_take_last_room_place_at_same_moment_one_refused():
    event = EventFactory(capacity=10)
    room = SessionFactory(event=event, speed_dating=True, capacity=1)

    results, errors = _race(event, sessions=[room])

    assert list(results.values()) == [RegistrationStatus.CONFIRMED]
    assert len(errors) == 1 and isinstance(errors[0], services.EventError)
    assert room.choices.count() == 1
