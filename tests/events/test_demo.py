"""The events' demo data: a past national day, an upcoming thematic day, resources."""

import pytest
from django.urls import reverse

from devtools import events_demo as demo
from events.models import Event, EventKind, Resource
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_pages_show_it(client, manager):
    innovations = {name: InnovationFactory(name=name) for name in ("Parcours Gardien", "Soleni", "Tremplin")}

    demo.load(innovations, manager)
    demo.load(innovations, manager)

    national = Event.objects.get(kind=EventKind.NATIONAL_DAY)
    thematic = Event.objects.get(kind=EventKind.THEMATIC_DAY)
    assert national.sessions.filter(round_number__in=(1, 2, 3)).count() == 12
    assert national.registrations.filter(checked_in_at__isnull=False).exists()
    assert thematic.registration_state() == "open"
    assert Resource.objects.count() == 8
    page = client.get(reverse("events:event_detail", kwargs={"slug": national.slug})).content.decode()
    assert "questionnaires à 3, 9 et 18 mois" in page
    assert client.get(reverse("events:register", kwargs={"slug": thematic.slug})).status_code == 200
    library = client.get(reverse("events:resource_list"), {"q": "evaluation"}).content.decode()
    assert "Boîte à outils : évaluer l&#x27;essaimage (démonstration)" in library
