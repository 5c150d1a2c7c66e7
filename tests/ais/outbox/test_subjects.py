"""E-mail subjects are plain text: a name holding ' " < > & reaches the mailbox as typed,
never HTML-escaped (« Maison de l'emploi », not « Maison de l&#x27;emploi »).

Every reason of the outbox registry is tied here to the subject templates its e-mails
use (a new reason without a line fails ``test_every_reason_has_its_subject_templates``);
each template is rendered with a name full of such characters, and the e-mails of the
reasons named in issue 18 are queued through their real domain functions."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils import translation
from django.utils.translation import gettext

from ais.accounts.forms import OutboxPasswordResetForm
from ais.accounts.models import Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from ais.outbox.services import render_subject
from essaimage import services as essaimage_services
from projects import services as project_services
from projects.models import DossierSection
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import CallFactory, DossierFactory, InnovationFactory

HOSTILE = 'Maison de l\'emploi "Dijon" <Est> & Co'
ENTITY = re.compile(r"&(?:#x?[0-9a-fA-F]+|quot|lt|gt|amp|apos);")

# Reason → the subject templates of its e-mails; ``[]``: a subject without a template
# (a fixed translated text, or one written by a person), checked by the tests below it.
REASON_SUBJECTS = {
    reasons.PASSWORD_RESET: ["accounts/email/password_reset_subject.txt"],
    reasons.WELCOME: [],  # registered, sent by nothing today
    reasons.SIGNUP_CONFIRMATION: [
        "accounts/email/activation_subject.txt",
        "accounts/email/already_registered_subject.txt",
    ],
    reasons.ACCOUNT_INVITATION: ["essaimage/email/contact_invitation_subject.txt"],
    reasons.TEST: [],  # registered, sent by nothing today
    reasons.OTHER: ["accounts/email/inactivity_warning_subject.txt"],  # and the conflict alert (a gettext text)
    "evaluation_reminder": ["evaluation/email/questionnaire_subject.txt"],
    "evaluation_alert": ["evaluation/email/manager_alert_subject.txt"],
    "dossier_receipt": ["projects/email/dossier_receipt_subject.txt"],
    "dossier_corrections": ["projects/email/dossier_corrections_subject.txt"],
    "dossier_eligibility": ["projects/email/dossier_eligibility_subject.txt"],
    "dossier_reminder": ["projects/email/dossier_reminder_subject.txt"],
    "review_reminder": ["projects/email/review_assigned_subject.txt", "projects/email/review_reminder_subject.txt"],
    "selection_decision": [],  # the session's subject, typed by the manager: stored as typed
    "structure_application": ["essaimage/email/application_receipt_subject.txt"],
    "structure_decision": ["essaimage/email/application_decision_subject.txt"],
    "event_registration": ["events/email/registration_subject.txt"],
    "event_waitlist": ["events/email/promoted_subject.txt"],
    "event_cancellation": ["events/email/cancellation_subject.txt"],
}


class Hostile:
    """Whatever a template asks of it (``call.title``, ``response.get_phase_display``,
    ``registration.is_confirmed``), the answer is the hostile name again."""

    def __str__(self):
        return HOSTILE

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __call__(self):
        return self


def _context():
    return dict.fromkeys(
        ["dossier", "call", "innovation", "structure", "response", "event", "registration", "application", "user"],
        Hostile(),
    ) | {"purpose": "opening", "site_name": HOSTILE}


def _subject_templates() -> set[str]:
    root = Path(settings.BASE_DIR) / "templates"
    return {str(path.relative_to(root)) for path in root.glob("*/email/*_subject.txt")}


def assert_plain(subject: str, *, name: str = HOSTILE):
    assert not ENTITY.search(subject), f"HTML-escaped subject: {subject!r}"
    assert name in subject, f"{name!r} not in {subject!r}"


def test_every_reason_has_its_subject_templates():
    assert set(REASON_SUBJECTS) == set(reasons.registered_reasons())


def test_every_subject_template_belongs_to_a_reason():
    listed = {template for templates in REASON_SUBJECTS.values() for template in templates}

    assert listed == _subject_templates()


@pytest.mark.parametrize(
    ("reason", "template"),
    [(reason, template) for reason, templates in REASON_SUBJECTS.items() for template in templates],
)
def test_subject_template_renders_names_as_plain_text(reason, template):
    subject = render_subject(template, _context())

    assert not ENTITY.search(subject), f"{reason}: HTML-escaped subject {subject!r}"
    assert "\n" not in subject
    if "blocktranslate with" in Path(settings.BASE_DIR, "templates", template).read_text():  # it names something
        assert HOSTILE in subject, f"{reason}: {subject!r}"


# Through the domain functions (the subjects of issue 18) ------------------------------


@pytest.fixture
def carrier(db):
    organisation = OrganisationFactory(name=HOSTILE)
    return UserFactory(roles=[(Role.CARRIER, organisation)])


@pytest.fixture
def submitted(carrier):
    dossier = DossierFactory(
        complete=True,
        organisation=carrier.organisations_for(Role.CARRIER).first(),
        created_by=carrier,
        innovation_name=HOSTILE,
        call=CallFactory(title=f"Appel {HOSTILE}"),
    )
    project_services.submit_dossier(dossier, by=carrier)
    dossier.refresh_from_db()
    return dossier


def _subject(reason) -> str:
    return OutgoingEmail.objects.filter(reason=reason).latest("pk").subject


def test_dossier_receipt_corrections_and_eligibility_subjects_are_plain(submitted):
    manager = make_user(Role.MANAGER)
    receipt = _subject("dossier_receipt")
    project_services.request_corrections(submitted, sections=[DossierSection.RESULTS], reason="Précisez.", by=manager)
    corrections = _subject("dossier_corrections")

    assert receipt == f"Dossier reçu – Appel {HOSTILE}"
    assert_plain(corrections)


def test_eligibility_subject_is_plain(submitted):
    project_services.decide_eligibility(submitted, eligible=True, reason="", by=make_user(Role.MANAGER))

    assert_plain(_subject("dossier_eligibility"))


def test_contact_invitation_subject_is_plain(db):
    structure = SpreadStructureFactory(innovation=InnovationFactory(name=HOSTILE, spreading=True))

    essaimage_services.add_contact(
        structure, email="contact@exemple.fr", first_name="Léa", last_name="O'Brien", by=make_user(Role.MANAGER)
    )

    assert _subject(reasons.ACCOUNT_INVITATION) == f"Votre accès à AIS#Emploi pour {HOSTILE}"


def test_password_reset_subject_is_plain_through_the_form(db, settings):
    user = UserFactory(email="reset@exemple.fr")
    form = OutboxPasswordResetForm({"email": user.email})
    assert form.is_valid()

    form.save(
        domain_override="ais-emploi.fr",
        subject_template_name="accounts/email/password_reset_subject.txt",
        email_template_name="accounts/email/password_reset_body.txt",
        token_generator=default_token_generator,
    )

    subject = _subject(reasons.PASSWORD_RESET)
    with translation.override("fr"):
        assert subject == gettext("AIS#Emploi: reset your password")
