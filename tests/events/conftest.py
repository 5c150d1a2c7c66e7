import datetime

import pytest

from tests.events.factories import EventFactory, SessionFactory


@pytest.fixture
def event(db):
    return EventFactory(title="Journée nationale d'échanges", slug="journee-nationale", capacity=2)


@pytest.fixture
def rounds(event):
    """Speed-dating: 2 rounds × 2 rooms of 1 place each."""
    return {
        (number, room): SessionFactory(
            event=event,
            speed_dating=True,
            round_number=number,
            room=room,
            capacity=1,
            title=f"Speed-dating {number} {room}",
            starts_at=[datetime.time(11, 15), datetime.time(11, 45)][number - 1],
            ends_at=[datetime.time(11, 45), datetime.time(12, 15)][number - 1],
        )
        for number in (1, 2)
        for room in ("Jaurès", "Curie")
    }
