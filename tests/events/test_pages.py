"""The events' pages: public list and page, registration form, the participant's
link, managers' pages (check-in, restitutions, PDFs) and the library."""

import datetime
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from events import services
from events.emails import EVENT_ALREADY_REGISTERED, EVENT_CANCELLATION, EVENT_REGISTRATION, EVENT_WAITLIST
from events.models import Registration, RegistrationStatus, Restitution
from tests.ais.factories import tiny_pdf_bytes
from tests.conftest import MANY, make_user
from tests.events.factories import EventFactory, RegistrationFactory, ResourceFactory, SessionFactory
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def manager_client(client):
    client.force_login(make_user(Role.MANAGER))
    return client


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


# --------------------------------------------------------------------------
# Public pages
# --------------------------------------------------------------------------


def test_event_page_shows_programme_places_and_innovations(client, event, rounds):
    innovation = InnovationFactory(name="Parcours Gardien")
    rounds[1, "Jaurès"].innovations.add(innovation)
    SessionFactory(event=event, title="Table ronde : essaimer", speakers="Nadia Haddad, VITA-Air")
    services.register(event, full_name="A", email="a@example.org", organisation="X", sessions=[rounds[1, "Jaurès"]])

    page = _text(client.get(reverse("events:event_detail", kwargs={"slug": event.slug})))

    assert "Table ronde : essaimer" in page
    assert "Nadia Haddad" in page and "(VITA-Air)" in page
    assert "Parcours Gardien" in page
    assert page.index("10\u00a0h") < page.index("11\u00a0h\u00a015") < page.index("11\u00a0h\u00a045")  # by time
    assert "Jaurès" in page and "Curie" in page


def test_event_page_shows_restitution_only_once_published(client, event, rounds, manager):
    session = rounds[1, "Curie"]
    url = reverse("events:event_detail", kwargs={"slug": event.slug})
    services.save_restitution(session, text="Les idées retenues par le groupe.", is_published=False, by=manager)

    assert "Les idées retenues" not in _text(client.get(url))

    services.save_restitution(session, text="Les idées retenues par le groupe.", is_published=True, by=manager)

    assert "Les idées retenues par le groupe." in _text(client.get(url))


def test_draft_event_is_404_for_visitors(client):
    event = EventFactory(draft=True)

    assert client.get(reverse("events:event_detail", kwargs={"slug": event.slug})).status_code == 404


def test_event_list_separates_upcoming_and_past(client):
    EventFactory(title="Journée à venir")
    EventFactory(title="Journée passée", past=True)
    EventFactory(title="Journée brouillon", draft=True)

    page = _text(client.get(reverse("events:event_list")))

    assert page.index("Journée à venir") < page.index("Journée passée")
    assert "Journée brouillon" not in page


# --------------------------------------------------------------------------
# Registration form
# --------------------------------------------------------------------------


def _form_data(**extra):
    return {
        "full_name": "Lucie Martin",
        "email": "lucie@example.org",
        "organisation": "Mission locale de Rouen",
        "job_title": "Conseillère",
        "consent": "on",
        **extra,
    }


def test_register_form_confirms_and_sends_email(client, event, rounds):
    url = reverse("events:register", kwargs={"slug": event.slug})

    response = client.post(url, _form_data(round_1=rounds[1, "Curie"].pk, round_2=rounds[2, "Jaurès"].pk), follow=True)

    registration = Registration.objects.get(email="lucie@example.org")
    assert response.redirect_chain[-1][0] == f"/evenements/{event.slug}/inscription/envoyee/"
    assert "Un e-mail a été envoyé à lucie@example.org." in _text(response)
    assert [c.session for c in registration.choices.all()] == [rounds[1, "Curie"], rounds[2, "Jaurès"]]
    email = OutgoingEmail.objects.get(recipient="lucie@example.org", reason=EVENT_REGISTRATION)
    assert f"/inscriptions/{registration.token}/" in email.body and "Speed-dating 1 Curie" in email.body


def _main(response) -> str:
    page = _text(response)
    return page[page.index("<main") : page.index("</main>")]


def test_register_twice_answers_the_same_page_and_emails_the_existing_link(client, event, rounds):
    """Issue 18: the form must not tell anyone whether an address is registered."""
    url = reverse("events:register", kwargs={"slug": event.slug})
    first = client.post(url, _form_data(round_1=rounds[1, "Curie"].pk, round_2=rounds[2, "Curie"].pk), follow=True)
    registration = Registration.objects.get(email="lucie@example.org")

    second = client.post(
        url,
        _form_data(
            full_name="Quelqu'un d'autre",
            email="Lucie@Example.org",
            round_1=rounds[1, "Jaurès"].pk,
            round_2=rounds[2, "Jaurès"].pk,
        ),
        follow=True,
    )

    assert first.redirect_chain == second.redirect_chain == [(f"/evenements/{event.slug}/inscription/envoyee/", 302)]
    assert second.status_code == 200
    assert _main(first) == _main(second)
    assert "Lucie Martin" not in _main(second) and registration.token not in second.content.decode()
    assert Registration.objects.count() == 1
    told = OutgoingEmail.objects.get(recipient="lucie@example.org", reason=EVENT_ALREADY_REGISTERED)
    assert f"/inscriptions/{registration.token}/" in told.body
    assert "Déjà inscrit" in told.subject or "déjà inscrit" in told.body.lower()


def test_register_bad_input_keeps_typed_data(client, event, rounds):
    url = reverse("events:register", kwargs={"slug": event.slug})

    response = client.post(url, _form_data(email="pas-un-courriel", round_1=rounds[1, "Curie"].pk))

    page = _text(response)
    assert response.status_code == 400
    assert 'value="Lucie Martin"' in page and 'value="Mission locale de Rouen"' in page
    assert f'value="{rounds[1, "Curie"].pk}" id="round_1-{rounds[1, "Curie"].pk}" checked' in page
    assert not Registration.objects.exists()


def test_register_full_room_cannot_be_chosen(client, event, rounds):
    services.register(event, full_name="A", email="a@example.org", organisation="X", sessions=[rounds[1, "Curie"]])
    url = reverse("events:register", kwargs={"slug": event.slug})

    page = _text(client.get(url))
    response = client.post(url, _form_data(round_1=rounds[1, "Curie"].pk, round_2=rounds[2, "Curie"].pk))

    assert f'value="{rounds[1, "Curie"].pk}" id="round_1-{rounds[1, "Curie"].pk}" disabled' in page
    assert response.status_code == 400
    assert Registration.objects.count() == 1


def test_register_when_full_goes_to_waiting_list_without_round_choice(client, event, rounds):
    for n in range(2):
        services.register(event, full_name=f"P{n}", email=f"p{n}@example.org", organisation="X")

    response = client.post(reverse("events:register", kwargs={"slug": event.slug}), _form_data(), follow=True)

    registration = Registration.objects.get(email="lucie@example.org")
    assert registration.status == RegistrationStatus.WAITING
    assert response.status_code == 200


# --------------------------------------------------------------------------
# The participant's link
# --------------------------------------------------------------------------


def test_cancel_link_cancels_and_promotes_waiting_person(client, event):
    first = services.register(event, full_name="A", email="a@example.org", organisation="X")
    services.register(event, full_name="B", email="b@example.org", organisation="X")
    waiting = services.register(event, full_name="C", email="c@example.org", organisation="X")
    url = reverse("events:registration_cancel", kwargs={"token": first.token})

    response = client.post(url)

    first.refresh_from_db()
    waiting.refresh_from_db()
    assert response.url == f"/inscriptions/{first.token}/"
    assert first.is_cancelled and waiting.is_confirmed
    assert OutgoingEmail.objects.filter(recipient="c@example.org", reason=EVENT_WAITLIST).exists()


def test_cancel_link_used_twice_says_already_cancelled(client, event):
    registration = services.register(event, full_name="A", email="a@example.org", organisation="X")
    url = reverse("events:registration_cancel", kwargs={"token": registration.token})
    client.post(url)

    response = client.post(url)

    assert response.status_code == 200
    assert 'class="btn btn-danger"' not in _text(response)
    assert OutgoingEmail.objects.filter(reason=EVENT_CANCELLATION).count() == 1


def test_cancel_link_invalid_explains_what_to_do(client):
    response = client.get(reverse("events:registration_cancel", kwargs={"token": "abcdef"}))

    assert response.status_code == 400
    assert reverse("events:event_list") in _text(response)


# --------------------------------------------------------------------------
# Managers
# --------------------------------------------------------------------------


def test_manager_pages_refused_to_carrier(client, event):
    client.force_login(make_user(Role.CARRIER))

    for name in ("events:manage_event", "events:checkin", "events:registration_list", "events:badges"):
        assert client.get(reverse(name, kwargs={"pk": event.pk})).status_code == 403


def test_checkin_marks_present_then_absent(manager_client, event):
    registration = RegistrationFactory(event=event, full_name="Morgane Leroy")
    url = reverse("events:checkin_toggle", kwargs={"pk": registration.pk})

    manager_client.post(url, {"present": "1"})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    response = manager_client.post(url, {"present": "0"}, headers={"X-Requested-With": "fetch"})
    registration.refresh_from_db()
    assert response.json() == {"present": False}
    assert registration.checked_in_at is None


def test_checkin_refused_for_waiting_person(manager_client, event):
    registration = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    response = manager_client.post(
        reverse("events:checkin_toggle", kwargs={"pk": registration.pk}),
        {"present": "1"},
        headers={"X-Requested-With": "fetch"},
    )

    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_checkin_search_by_name_or_organisation(manager_client, event):
    RegistrationFactory(event=event, full_name="Morgane Leroy", organisation="Régie")
    RegistrationFactory(event=event, full_name="Paul Hamel", organisation="Mission locale")

    page = _text(manager_client.get(reverse("events:checkin", kwargs={"pk": event.pk}), {"q": "mission"}))

    assert "Paul Hamel" in page and "Morgane Leroy" not in page


def test_restitution_publish_with_document(manager_client, client, event, rounds):
    session = rounds[1, "Curie"]
    upload = SimpleUploadedFile("synthese.pdf", tiny_pdf_bytes(), content_type="application/pdf")

    manager_client.post(
        reverse("events:restitution_edit", kwargs={"pk": session.pk}),
        {"text": "Trois pistes d'action.", "is_published": "on", "document_title": "Synthèse", "document": upload},
    )

    restitution = Restitution.objects.get(session=session)
    assert restitution.is_published and restitution.published_at
    document = restitution.documents.get()
    page = _text(client.get(reverse("events:event_detail", kwargs={"slug": event.slug})))
    assert "Trois pistes d'action." in page and "Synthèse" in page
    download = client.get(reverse("events:restitution_document_download", kwargs={"pk": document.pk}))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    download.close()


def test_unpublished_restitution_document_is_404_for_visitors(client, event, rounds, manager):
    restitution = services.save_restitution(rounds[1, "Curie"], text="Brouillon", is_published=False, by=manager)
    document = restitution.documents.create(
        title="Notes", original_name="notes.pdf", mime_type="application/pdf", size=10, file="restitutions/x.pdf"
    )

    response = client.get(reverse("events:restitution_document_download", kwargs={"pk": document.pk}))

    assert response.status_code == 404


def test_badges_and_attendance_sheet_pdfs_list_participants(manager_client, event):
    RegistrationFactory(event=event, full_name="Morgane Leroy", organisation="Régie Saint-Nicaise")
    RegistrationFactory(event=event, full_name="Paul Hamel", status=RegistrationStatus.WAITING)

    badges = _pdf_text(manager_client.get(reverse("events:badges", kwargs={"pk": event.pk})))
    sheet = _pdf_text(manager_client.get(reverse("events:attendance_sheet", kwargs={"pk": event.pk})))

    assert "Morgane Leroy" in badges and "Régie Saint-Nicaise" in badges
    assert "Paul Hamel" not in badges
    assert "Morgane Leroy" in sheet and "Journée nationale d'échanges" in sheet


def test_event_create_then_session_with_round(manager_client):
    response = manager_client.post(
        reverse("events:event_create"),
        {
            "kind": "thematic_day",
            "title": "Journée domicile",
            "date": "2030-03-10",
            "starts_at": "09:00",
            "ends_at": "17:00",
            "place": "Rouen",
            "capacity": "40",
            "is_published": "on",
        },
    )
    event = services.Event.objects.get(slug="journee-domicile")
    assert response.url == reverse("events:manage_event", kwargs={"pk": event.pk})

    bad = manager_client.post(
        reverse("events:session_create", kwargs={"pk": event.pk}),
        {"kind": "plenary", "title": "Plénière tardive", "starts_at": "18:00", "ends_at": "19:00", "round_number": "1"},
    )
    assert bad.status_code == 400 and 'value="Plénière tardive"' in _text(bad)
    manager_client.post(
        reverse("events:session_create", kwargs={"pk": event.pk}),
        {"kind": "workshop", "title": "Atelier A", "starts_at": "10:00", "ends_at": "11:00", "round_number": "1"},
    )
    assert list(event.sessions.values_list("title", "round_number")) == [("Atelier A", 1)]


# --------------------------------------------------------------------------
# Resources library
# --------------------------------------------------------------------------


def test_resource_list_search_and_reserved(client):
    ResourceFactory(title="Guide de l'évaluation")
    ResourceFactory(title="Comment évaluer", summary="Outils.")
    ResourceFactory(title="Gouvernance locale")
    ResourceFactory(title="Note réservée sur l'évaluation", is_public=False)
    url = reverse("events:resource_list")

    anonymous = _text(client.get(url, {"q": "evaluer"}))
    client.force_login(make_user(Role.STRUCTURE))
    member = _text(client.get(url, {"q": "evaluation"}))

    assert "Guide de l'évaluation" in anonymous and "Comment évaluer" in anonymous
    assert "Gouvernance locale" not in anonymous and "Note réservée" not in anonymous
    assert "Note réservée sur l'évaluation" in member


def test_resource_filters_by_kind_theme_and_event(client):
    event = EventFactory(slug="journee-filtre")
    linked = ResourceFactory(title="Restitution liée", kind="restitution", themes=["evaluation"])
    linked.events.add(event)
    ResourceFactory(title="Guide isolé", kind="guide", themes=["spreading"])
    url = reverse("events:resource_list")

    by_kind = _text(client.get(url, {"kind": "restitution"}))
    by_theme = _text(client.get(url, {"theme": "spreading"}))
    by_event = _text(client.get(url, {"event": "journee-filtre"}))

    assert "Restitution liée" in by_kind and "Guide isolé" not in by_kind
    assert "Guide isolé" in by_theme and "Restitution liée" not in by_theme
    assert "Restitution liée" in by_event and "Guide isolé" not in by_event


def test_reserved_resource_asks_anonymous_to_log_in(client):
    resource = ResourceFactory(is_public=False)

    response = client.get(reverse("events:resource_detail", kwargs={"slug": resource.slug}))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_resource_create_with_document_and_search_it(manager_client, client):
    upload = SimpleUploadedFile("guide.pdf", tiny_pdf_bytes(), content_type="application/pdf")

    manager_client.post(
        reverse("events:resource_create"),
        {
            "title": "Évaluer l'essaimage",
            "kind": "guide",
            "summary": "Méthodes.",
            "is_public": "on",
            "published_at": (timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "themes": ["evaluation"],
            "document": upload,
        },
    )

    page = _text(client.get(reverse("events:resource_list"), {"q": "evaluation"}))
    assert "Évaluer l'essaimage" in page
    download = client.get(reverse("events:resource_download", kwargs={"slug": "evaluer-lessaimage"}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    download.close()


# --------------------------------------------------------------------------
# Query budgets
# --------------------------------------------------------------------------


def test_event_list_query_budget(client, assert_constant_queries):
    def make(n):
        for _ in range(n):
            RegistrationFactory(event=EventFactory())

    one, many = assert_constant_queries(client, reverse("events:event_list"), make, 2)
    assert many.count("event-card") == MANY


def test_past_events_are_paged(client, assert_constant_queries):
    def make(n):
        for _ in range(n):
            EventFactory(past=True)

    EventFactory(past=True, title="La plus ancienne", date=timezone.localdate() - datetime.timedelta(days=400))
    _one, many = assert_constant_queries(client, reverse("events:event_list"), make, 3)
    assert "Page 1 sur 2" in many  # 21 past events, 20 a page
    assert "La plus ancienne" not in many
    second = _text(client.get(reverse("events:event_list") + "?page=2"))
    assert "Page 2 sur 2" in second and "La plus ancienne" in second
    assert client.get(reverse("events:event_list") + "?page=999").status_code == 200


def test_event_page_query_budget(client, event, manager, assert_constant_queries):
    innovation = InnovationFactory()

    def make(n):
        for i in range(n):
            session = SessionFactory(event=event, speed_dating=True, round_number=i + 1, speakers="A, B")
            session.innovations.add(innovation)
            services.save_restitution(session, text=f"Restitution {i}", is_published=True, by=manager)
            RegistrationFactory(event=event).choices.create(session=session, round_number=i + 1)

    one, many = assert_constant_queries(client, reverse("events:event_detail", kwargs={"slug": event.slug}), make, 5)
    assert many.count('class="card card-body mb-3 restitution"') == MANY


def test_registration_list_query_budget(manager_client, event, rounds, assert_constant_queries):
    def make(n):
        for _ in range(n):
            RegistrationFactory(event=event).choices.create(session=rounds[1, "Curie"], round_number=1)

    one, many = assert_constant_queries(
        manager_client, reverse("events:registration_list", kwargs={"pk": event.pk}), make, 6
    )
    assert many.count("Speed-dating 1 Curie") == MANY


def test_checkin_list_query_budget(manager_client, event, assert_constant_queries):
    def make(n):
        RegistrationFactory.create_batch(n, event=event)

    one, many = assert_constant_queries(manager_client, reverse("events:checkin", kwargs={"pk": event.pk}), make, 5)
    assert many.count("data-checkin-row") == MANY


def test_resource_list_query_budget(client, assert_constant_queries):
    innovation = InnovationFactory()
    event = EventFactory()

    def make(n):
        for _ in range(n):
            resource = ResourceFactory(summary="Évaluation des effets.")
            resource.innovations.add(innovation)
            resource.events.add(event)

    one, many = assert_constant_queries(client, reverse("events:resource_list") + "?q=evaluer", make, 4)
    assert many.count("list-group-item-action") == MANY


def test_event_video_link_only_for_registered_people_and_managers(client, db, manager):
    """The video-call link is not shown to every visitor (issue 16): registered people
    and the programme team see it; the public page and the public calendar file do not."""
    link = "https://visio.exemple.fr/journee-2026"
    event = EventFactory(title="Journée en ligne", slug="journee-en-ligne", online_link=link)
    registered = make_user(Role.CARRIER, email="claire@regie.fr")
    registration = RegistrationFactory(event=event, email="claire@regie.fr")
    outsider = make_user(Role.CARRIER, email="paul@ailleurs.fr")
    page_url = reverse("events:event_detail", kwargs={"slug": event.slug})
    ics_url = reverse("events:event_ics", kwargs={"slug": event.slug})

    anonymous = _text(client.get(page_url))
    public_ics = client.get(ics_url).content.decode()
    personal_ics = client.get(ics_url, {"inscription": registration.token}).content.decode()
    seen = {}
    for user in (registered, outsider, manager):
        client.force_login(user)
        seen[user.email] = link in _text(client.get(page_url))

    assert link not in anonymous
    assert "Le lien de la visioconférence est envoyé aux personnes inscrites." in anonymous
    assert link not in public_ics.replace("\r\n ", "")
    assert link in personal_ics.replace("\r\n ", "")
    assert seen == {"claire@regie.fr": True, "paul@ailleurs.fr": False, manager.email: True}


def test_resource_without_document_or_text_says_so(client, db):
    """A resource page with neither document nor text explained nothing (issue 16)."""
    resource = ResourceFactory(title="Guide de l'essaimage", body="")

    text = _text(client.get(reverse("events:resource_detail", kwargs={"slug": resource.slug})))

    assert "Guide de l'essaimage" in text
    assert "Pas encore de document ni de texte pour cette ressource" in text
