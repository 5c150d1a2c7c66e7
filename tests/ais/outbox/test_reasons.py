"""E-mail reasons: the outbox knows only the core's; each app registers its own,
without a migration; an unregistered reason is refused; the pages show the labels."""

import html
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

import ais.outbox
import essaimage.emails
import evaluation.emails
import events.emails
import projects.emails
from ais.accounts.models import Role
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from ais.outbox.services import queue_email, queue_emails
from tests.ais.factories import OutgoingEmailFactory
from tests.conftest import make_user

APP_REASONS = [projects.emails.REASONS, essaimage.emails.REASONS, evaluation.emails.REASONS, events.emails.REASONS]


@pytest.fixture
def registry(monkeypatch):
    """The registry, restored after the test (a reason registered here does not leak)."""
    monkeypatch.setattr(reasons, "_labels", dict(reasons._labels))
    return reasons


def _queue(**kwargs):
    defaults = {"recipient": "camille.martin@exemple.fr", "subject": "Objet", "body": "Bonjour,\n", "dedup_key": "k:1"}
    return queue_email(**{**defaults, **kwargs})


# The core names no domain ----------------------------------------------------------
def test_the_core_registers_only_its_own_reasons():
    assert set(reasons.CORE_REASONS) == {
        "password_reset",
        "welcome",
        "signup_confirmation",
        "account_invitation",
        "account_unlock",
        "two_factor_enrolment",
        "test",
        "other",
    }
    with translation.override(None):
        assert {code: str(label) for code, label in reasons.CORE_REASONS.items()} == {
            "password_reset": "Password reset",
            "welcome": "Welcome",
            "signup_confirmation": "Account confirmation",
            "account_invitation": "Invitation to create an account",
            "account_unlock": "Account unlock link",
            "two_factor_enrolment": "Code to set up two-step verification",
            "test": "Test message",
            "other": "Other",
        }


def test_each_app_registers_its_reasons_when_django_starts():
    """What the registry holds: the core's reasons and those of the apps' ready(), no other."""
    expected = dict(reasons.CORE_REASONS)
    for app_reasons in APP_REASONS:
        assert not set(app_reasons) & set(expected), "two apps register the same code"
        expected |= app_reasons
    assert reasons.registered_reasons() == expected
    # The codes stored before the registry existed, unchanged.
    assert set(expected) == {
        *reasons.CORE_REASONS,
        "dossier_receipt",
        "dossier_corrections",
        "dossier_eligibility",
        "dossier_reminder",
        "review_reminder",
        "selection_decision",
        "structure_application",
        "structure_decision",
        "evaluation_reminder",
        "evaluation_alert",
        "event_registration",
        "event_waitlist",
        "event_cancellation",
        "event_already_registered",
    }


def test_outbox_source_names_no_domain():
    """ais/outbox is the core layer: neither its code nor its migrations name a domain."""
    root = Path(ais.outbox.__file__).parent
    sources = sorted(root.rglob("*.py"))
    assert root / "reasons.py" in sources and root / "migrations" / "0001_initial.py" in sources
    words = ["dossier", "evaluation", "event", "structure", "projects", "essaimage", "committee"]
    found = [
        f"{path.relative_to(root)}: {word}"
        for path in sources
        for word in words
        if word in path.read_text(encoding="utf-8").lower()
    ]
    assert not found


# Registering --------------------------------------------------------------------------
@pytest.mark.django_db
def test_registering_a_reason_needs_no_migration(registry, django_capture_on_commit_callbacks):
    registry.register_reason("newsletter", gettext_lazy("Newsletter"))

    call_command("makemigrations", "outbox", "--check", "--dry-run", verbosity=0)  # SystemExit(1) on a change

    with django_capture_on_commit_callbacks():
        email, created = _queue(reason="newsletter")
    assert created
    assert OutgoingEmail.objects.get(pk=email.pk).reason == "newsletter"
    assert email.reason_label() == "Newsletter"


def test_registering_again_is_harmless_but_two_labels_for_one_code_are_refused(registry):
    registry.register_reason("newsletter", gettext_lazy("Newsletter"))
    registry.register_reason("newsletter", gettext_lazy("Newsletter"))
    registry.register_reasons(projects.emails.REASONS)  # what a second ready() would do

    with pytest.raises(ValueError, match="'newsletter' is already registered"):
        registry.register_reason("newsletter", gettext_lazy("Weekly letter"))
    with pytest.raises(ValueError, match="'password_reset' is already registered"):
        registry.register_reason(reasons.PASSWORD_RESET, gettext_lazy("Other"))
    assert str(reasons.reason_label("newsletter")) == "Newsletter"


@pytest.mark.parametrize("code", ["", "Newsletter", "lettre d'info", "news-letter", "1st", "x" * 51, None])
def test_a_reason_code_fits_the_column(registry, code):
    with pytest.raises(ValueError, match="Invalid e-mail reason code"):
        registry.register_reason(code, "Label")
    assert code not in reasons.registered_reasons()


def test_label_of_an_unknown_code_is_the_code():
    assert reasons.reason_label("gone_reason") == "gone_reason"
    assert OutgoingEmail(reason="gone_reason").reason_label() == "gone_reason"


# Queueing -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_queue_email_refuses_an_unregistered_reason(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValueError) as error:
        _queue(reason="newsletter")

    assert "Unknown e-mail reason 'newsletter'" in str(error.value)
    assert "register_reason" in str(error.value)
    assert not OutgoingEmail.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_queue_emails_refuses_an_unregistered_reason_before_inserting_anything(django_capture_on_commit_callbacks):
    good = {"recipient": "a@exemple.fr", "subject": "A", "body": "A", "reason": reasons.TEST, "dedup_key": "a"}
    bad = {**good, "recipient": "b@exemple.fr", "reason": "newsletter", "dedup_key": "b"}

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValueError, match="'newsletter'"):
        queue_emails([good, bad])

    assert not OutgoingEmail.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_queue_email_default_reason_is_other(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        email, _created = _queue()
    assert email.reason == reasons.OTHER


# What an administrator reads ------------------------------------------------------------
@pytest.fixture
def emails(db):
    return {
        "core": OutgoingEmailFactory(reason=reasons.PASSWORD_RESET, subject="Message du cœur"),
        "app": OutgoingEmailFactory(reason="dossier_receipt", subject="Message d'une application"),
        "gone": OutgoingEmailFactory(reason="gone_reason", subject="Motif disparu"),
    }


def test_outbox_pages_show_the_reason_labels_in_french(client, emails):
    client.force_login(make_user(Role.ADMIN))

    page = html.unescape(client.get(reverse("outbox:list")).content.decode())
    detail = html.unescape(client.get(reverse("outbox:detail", kwargs={"pk": emails["app"].pk})).content.decode())

    assert "Réinitialisation du mot de passe" in page
    assert "Accusé de réception de dossier" in page
    assert "gone_reason" in page  # no app registers it any more: its code is shown
    assert "password_reset" not in page and "dossier_receipt" not in page
    assert '<dt class="col-sm-3">Motif</dt><dd class="col-sm-9">Accusé de réception de dossier</dd>' in detail


def test_admin_lists_and_filters_by_the_reason_labels_in_french(client, emails):
    client.force_login(make_user(Role.ADMIN))
    url = reverse("admin:outbox_outgoingemail_changelist")

    page = html.unescape(client.get(url).content.decode())
    filtered = html.unescape(client.get(url, {"reason": "dossier_receipt"}).content.decode())
    change = html.unescape(
        client.get(reverse("admin:outbox_outgoingemail_change", args=[emails["core"].pk])).content.decode()
    )

    assert "Par motif" in page  # the filter, with the labels of the registered reasons
    assert "Réinitialisation du mot de passe" in page
    assert "Accusé de réception de dossier" in page
    assert "Inscription à un événement" in page  # registered by the events app, no e-mail yet
    assert "Message d'une application" in filtered
    assert "Message du cœur" not in filtered and "Motif disparu" not in filtered
    assert "Réinitialisation du mot de passe" in change
