"""Factories of the events and the resources library."""

import datetime

import factory
from django.utils import timezone

from events.models import (
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Resource,
    ResourceKind,
    Session,
    SessionKind,
)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = EventKind.NATIONAL_DAY
    title = factory.Sequence(lambda n: f"Journée nationale {n}")
    slug = factory.Sequence(lambda n: f"journee-{n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    starts_at = datetime.time(9, 30)
    ends_at = datetime.time(17, 0)
    place = "Cité internationale, Paris"
    capacity = 100
    is_published = True

    class Params:
        past = factory.Trait(date=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30)))
        draft = factory.Trait(is_published=False)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    kind = SessionKind.PLENARY
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = datetime.time(10, 0)
    ends_at = datetime.time(11, 0)
    room = "Grand amphithéâtre"

    class Params:
        speed_dating = factory.Trait(
            kind=SessionKind.SPEED_DATING,
            round_number=1,
            capacity=10,
            starts_at=datetime.time(11, 15),
            ends_at=datetime.time(11, 45),
        )


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    full_name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    organisation = factory.Sequence(lambda n: f"Organisation {n}")
    job_title = "Chargée de mission"
    status = RegistrationStatus.CONFIRMED


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Ressource {n}")
    slug = factory.Sequence(lambda n: f"ressource-{n}")
    kind = ResourceKind.GUIDE
    summary = "Un guide pour les structures."
    body = ""
    is_public = True
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
