"""Access-matrix entries of the events and the resources library (see
tests/matrix/__init__.py).

The public pages (events, registration, the participant's secret link, the library)
are everyone's; a draft event is a 404 except for managers and administrators, who
alone run events, registrations, check-in, badges, restitutions and the library.
A members-only resource asks anonymous visitors to log in.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from ais.accounts.models import Role
from ais.core.uploads import PDF, store_upload
from events import services
from events.models import RestitutionDocument
from tests.access_matrix import Access, everyone, logged_in, only
from tests.ais.factories import tiny_pdf_bytes
from tests.events.factories import EventFactory, RegistrationFactory, ResourceFactory, SessionFactory

STAFF = (Role.MANAGER, Role.ADMIN)
TITLE = "Journée nationale d'échanges"
PARTICIPANT = "Morgane Leroy"
DRAFT = {**everyone(404), Role.MANAGER: 200, Role.ADMIN: 200}


def _event(o):
    """A published upcoming event with a speed-dating session, a registration and a
    published restitution with a document; remembered as ``o.event`` etc."""
    if getattr(o, "event", None) is None:
        o.event = EventFactory(title=TITLE, slug="journee-nationale", capacity=50)
        o.session = SessionFactory(event=o.event, speed_dating=True, title="Speed-dating Parcours Gardien")
        o.session.innovations.add(o.innovation)
        o.registration = RegistrationFactory(event=o.event, full_name=PARTICIPANT, organisation="Régie Saint-Nicaise")
        o.registration.choices.create(session=o.session, round_number=1)
        restitution = services.save_restitution(
            o.session, text="Ce que les participants retiennent.", is_published=True, by=None
        )
        o.document = RestitutionDocument(restitution=restitution, title="Synthèse")
        store_upload(o.document, SimpleUploadedFile("synthese.pdf", tiny_pdf_bytes(), content_type=PDF.mime), by=None)
        o.document.save()
    return o.event


def _draft(o):
    return EventFactory(title="Journée en préparation", slug="journee-en-preparation", draft=True)


def _resource(o, **kwargs):
    if getattr(o, "resource", None) is None:
        o.resource = ResourceFactory(title="Guide de l'évaluation", slug="guide-evaluation", **kwargs)
    return o.resource


def _reserved(o):
    return ResourceFactory(title="Note réservée aux membres", slug="note-reservee", is_public=False)


def _with_document(o):
    resource = _resource(o)
    services.save_resource(
        resource, upload=SimpleUploadedFile("guide.pdf", tiny_pdf_bytes(), content_type=PDF.mime), by=None
    )
    return {"slug": resource.slug}


def _slug(o):
    return {"slug": _event(o).slug}


def _pk(o):
    return {"pk": _event(o).pk}


def _session(o):
    return {"pk": _event(o) and o.session.pk}


def _registration(o):
    return {"pk": _event(o) and o.registration.pk}


def _token(o):
    return {"token": _event(o) and o.registration.token}


def _document(o):
    return {"pk": _event(o) and o.document.pk}


def _waiting_token(o):
    """A registration of a past event (cannot be cancelled any more)."""
    event = EventFactory(slug="journee-passee", past=True)
    return {"token": RegistrationFactory(event=event, full_name="Paul Hamel").token}


BACK_TO_EVENT = "/suivi/evenements/{o.event.pk}/"
BACK_TO_CHECKIN = "/suivi/evenements/{o.event.pk}/accueil/"

MATRIX: dict = {
    # Public pages
    "events:event_list": Access(lambda o: _event(o) and {}, everyone(200), TITLE),
    "events:event_detail": Access(_slug, everyone(200), "Ce que les participants retiennent."),
    "events:event_detail [draft]": Access(lambda o: {"slug": _draft(o).slug}, DRAFT, "Journée en préparation"),
    "events:register": Access(_slug, everyone(200), 'name="round_1"'),
    "events:registration_sent": Access(_slug, everyone(200), "Vérifiez votre messagerie"),
    "events:register [draft]": Access(lambda o: {"slug": _draft(o).slug}, everyone(404)),
    "events:event_ics": Access(_slug, everyone(200), "BEGIN:VCALENDAR"),
    "events:restitution_document_download": Access(_document, everyone(200), "%PDF-"),
    "events:registration_done": Access(_token, everyone(200), PARTICIPANT),
    "events:registration_done [invalid token]": Access(lambda o: {"token": "jeton-invalide"}, everyone(400)),
    "events:registration_cancel": Access(_token, everyone(200), 'method="post"'),
    "events:registration_cancel [past event]": Access(_waiting_token, everyone(200), "journee-passee"),
    "events:registration_cancel [invalid token]": Access(lambda o: {"token": "jeton-invalide"}, everyone(400)),
    # Managers
    "events:manage_list": Access(lambda o: _event(o) and _draft(o) and {}, only(*STAFF), "Journée en préparation"),
    "events:event_create": Access(None, only(*STAFF), 'name="capacity"'),
    "events:manage_event": Access(_pk, only(*STAFF), "Speed-dating Parcours Gardien"),
    "events:event_edit": Access(_pk, only(*STAFF), f'value="{TITLE}"'),
    "events:session_create": Access(_pk, only(*STAFF), 'name="round_number"'),
    "events:session_edit": Access(_session, only(*STAFF), 'value="Speed-dating Parcours Gardien"'),
    "events:session_delete": Access(_session, logged_in(405)),  # require_POST
    "events:registration_list": Access(_pk, only(*STAFF), PARTICIPANT),
    "events:registration_cancel_manage": Access(_registration, logged_in(405)),  # require_POST
    "events:checkin": Access(_pk, only(*STAFF), PARTICIPANT),
    "events:checkin_toggle": Access(_registration, logged_in(405)),  # require_POST
    "events:badges": Access(_pk, only(*STAFF), "%PDF-"),
    "events:attendance_sheet": Access(_pk, only(*STAFF), "%PDF-"),
    "events:restitution_edit": Access(_session, only(*STAFF), "Ce que les participants retiennent."),
    "events:restitution_document_delete": Access(_document, logged_in(405)),  # require_POST
    # Resources library
    "events:resource_list": Access(lambda o: _resource(o) and {}, everyone(200), "Guide de l'évaluation"),
    "events:resource_detail": Access(lambda o: {"slug": _resource(o).slug}, everyone(200), "Guide de l'évaluation"),
    "events:resource_detail [reserved]": Access(
        lambda o: {"slug": _reserved(o).slug}, logged_in(200), "Note réservée aux membres"
    ),
    "events:resource_download": Access(_with_document, everyone(200), "%PDF-"),
    "events:resource_download [reserved]": Access(lambda o: {"slug": _reserved(o).slug}, logged_in(404)),
    "events:resource_manage_list": Access(lambda o: _resource(o) and {}, only(*STAFF), "Guide de l'évaluation"),
    "events:resource_create": Access(None, only(*STAFF), 'name="summary"'),
    "events:resource_edit": Access(lambda o: {"pk": _resource(o).pk}, only(*STAFF), 'value="Guide de l'),
}

POST_MATRIX: dict = {
    # Registering with a missing e-mail: the form comes back with what was typed.
    "events:register": Access(_slug, everyone(400), 'value="Lucie Martin"'),
    "events:registration_cancel": Access(_token, everyone("/inscriptions/{o.registration.token}/")),
    "events:event_create": Access(None, only(*STAFF, ok=400), 'value="Nouvelle journée"'),
    "events:session_delete": Access(_session, only(*STAFF, ok=BACK_TO_EVENT)),  # refused: it has a restitution
    "events:registration_cancel_manage": Access(
        _registration, only(*STAFF, ok="/suivi/evenements/{o.event.pk}/inscriptions/")
    ),
    "events:checkin_toggle": Access(_registration, only(*STAFF, ok=BACK_TO_CHECKIN)),
    "events:restitution_edit": Access(_session, only(*STAFF, ok=400), "Synthèse"),  # empty text
    "events:restitution_document_delete": Access(
        _document, only(*STAFF, ok="/suivi/evenements/sessions/{o.session.pk}/restitution/")
    ),
    "events:resource_create": Access(None, only(*STAFF, ok=400), 'value="Nouvelle ressource"'),
}

POST_DATA: dict = {
    "events:register": {"full_name": "Lucie Martin", "organisation": "Mission locale", "round_1": ""},
    "events:event_create": {"title": "Nouvelle journée"},
    "events:checkin_toggle": {"present": "1"},
    "events:restitution_edit": {"text": ""},
    "events:resource_create": {"title": "Nouvelle ressource"},
}
