"""An event in a real browser: a visitor registers from the public page and chooses
their speed-dating rounds, the confirmation e-mail is in the outbox; on the day the
manager checks them in from a phone-sized screen, then writes and publishes a
workshop's restitution, which shows on the event's public page.

Selectors use ids, names and URLs rather than visible text (the French catalogue of
the events' strings is being written while the app is built).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from events.emails import EVENT_REGISTRATION
from events.models import Event, EventKind, Registration, Restitution, Session, SessionKind
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import CSP_LISTENER
from tests.conftest import make_user

pytestmark = pytest.mark.browser

PASSWORD = "Journee-Nationale-2026"
ROOMS = ["Salle Jaurès", "Salle Curie"]


@pytest.fixture
def national_day(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    event = Event.objects.create(
        kind=EventKind.NATIONAL_DAY,
        title="Journée nationale d'échanges",
        slug="journee-nationale",
        date=timezone.localdate() + datetime.timedelta(days=20),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(17, 0),
        place="Cité internationale universitaire, Paris",
        description="Tables rondes, speed-dating des innovations et ateliers.",
        capacity=80,
        is_published=True,
    )
    Session.objects.create(
        event=event,
        kind=SessionKind.ROUND_TABLE,
        title="Table ronde : essaimer sans dénaturer",
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 0),
        room="Grand amphithéâtre",
        speakers="Nadia Haddad, Association VITA-Air",
    )
    slots = [(datetime.time(11, 15), datetime.time(11, 45)), (datetime.time(11, 45), datetime.time(12, 15))]
    slots.append((datetime.time(12, 15), datetime.time(12, 45)))
    for number, (start, end) in enumerate(slots, start=1):
        for room in ROOMS:
            Session.objects.create(
                event=event,
                kind=SessionKind.SPEED_DATING,
                title=f"Speed-dating {number} – {room}",
                starts_at=start,
                ends_at=end,
                room=room,
                capacity=10,
                round_number=number,
            )
    manager = make_user(Role.MANAGER, email="camille.martin@ansa.fr")
    manager.set_password(PASSWORD)
    manager.save()
    return event


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"
    return response


def test_visitor_registers_and_manager_checks_in_and_publishes_restitution(page, browser, live_server, national_day):
    event = national_day
    # The visitor registers from the public page.
    visit(page, "/evenements/")
    page.locator(f"a[href='/evenements/{event.slug}/']").first.click()
    page.wait_for_url(f"**/evenements/{event.slug}/")
    expect(page.locator("#programme-title")).to_be_visible()
    page.shot("1-event-page")
    check_axe(page, "1-event-page")
    page.locator(f"a[href='/evenements/{event.slug}/inscription/']").first.click()
    page.locator("#id_full_name").fill("Lucie Martin")
    page.locator("#id_email").fill("lucie.martin@mission-locale-rouen.fr")
    page.locator("#id_organisation").fill("Mission locale de Rouen")
    page.locator("#id_job_title").fill("Conseillère en insertion")
    chosen = {
        1: Session.objects.get(event=event, round_number=1, room="Salle Curie"),
        2: Session.objects.get(event=event, round_number=2, room="Salle Jaurès"),
        3: Session.objects.get(event=event, round_number=3, room="Salle Curie"),
    }
    for number, session in chosen.items():
        page.locator(f"#round_{number}-{session.pk}").check()
    page.locator("#id_consent").check()
    page.shot("2-registration-form")
    check_axe(page, "2-registration-form")
    page.locator("form.registration-form button[type=submit]").click()
    # The same « check your mailbox » page whether the address was registered or not; the
    # participant's page is reached through the link of the confirmation e-mail.
    page.wait_for_url(f"**/evenements/{event.slug}/inscription/envoyee/")
    registration = Registration.objects.get(email="lucie.martin@mission-locale-rouen.fr")
    assert registration.is_confirmed
    assert {c.round_number: c.session for c in registration.choices.all()} == chosen
    visit(page, f"/inscriptions/{registration.token}/")
    expect(
        page.locator(f"a[href='/evenements/{event.slug}/calendrier.ics?inscription={registration.token}']")
    ).to_be_visible()
    page.shot("3-confirmation")
    check_axe(page, "3-confirmation")
    email = OutgoingEmail.objects.get(recipient=registration.email, reason=EVENT_REGISTRATION)
    assert "Journée nationale d'échanges" in email.subject
    assert f"/inscriptions/{registration.token}/" in email.body
    assert "Speed-dating 2 – Salle Jaurès" in email.body

    # On the day, the manager checks her in from a phone.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, locale="fr-FR", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(10_000)
    phone.add_init_script(CSP_LISTENER)
    manager = phone.new_page()
    errors = []
    manager.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    manager.on("pageerror", lambda error: errors.append(str(error)))
    try:
        visit(manager, "/compte/connexion/")
        manager.locator("#id_username").fill("camille.martin@ansa.fr")
        manager.locator("#id_password").fill(PASSWORD)
        manager.locator("main form button[type=submit]").click()
        manager.wait_for_url("**/tableau-de-bord/")
        visit(manager, f"/suivi/evenements/{event.pk}/accueil/")
        manager.locator("#checkin-q").fill("lucie")
        row = manager.locator("[data-checkin-row]").filter(has_text="Lucie Martin")
        expect(row).to_be_visible()
        row.locator("button[type=submit]").click()
        expect(row).to_have_class("checkin-row is-present")
        page.shot("4-checkin-phone", target=manager)
        check_axe(manager, "4-checkin-phone")
        registration.refresh_from_db()
        assert registration.checked_in_at is not None

        # Afterwards, the restitution of a speed-dating room, published.
        session = chosen[1]
        visit(manager, f"/suivi/evenements/sessions/{session.pk}/restitution/")
        manager.locator("#id_text").fill("Les participants retiennent trois conditions pour essaimer.")
        manager.locator("#id_is_published").check()
        manager.locator("main form button[type=submit]").first.click()
        manager.wait_for_url(f"**/suivi/evenements/sessions/{session.pk}/restitution/")
        assert Restitution.objects.get(session=session).is_published
    finally:
        phone.close()
    assert not errors, errors

    visit(page, f"/evenements/{event.slug}/")
    restitution = page.locator(f"#restitution-{session.pk}")
    expect(restitution).to_contain_text("Les participants retiennent trois conditions pour essaimer.")
    page.shot("5-restitution-published")
    check_axe(page, "5-restitution-published")
