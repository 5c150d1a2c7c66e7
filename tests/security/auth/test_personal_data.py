"""Personal data: a user downloads everything kept about them; an administrator
anonymises an account (names, e-mail, phone replaced everywhere, login closed, what
they did kept); inactive accounts are warned, then anonymised by the daily sweep."""

import json
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from ais.accounts import services
from ais.accounts.models import Role, User
from ais.accounts.tasks import sweep_inactive_accounts
from ais.outbox.models import OutgoingEmail
from ais.outbox.services import queue_email
from projects.emails import DOSSIER_RECEIPT
from tests.ais.factories import PASSWORD, UserFactory
from tests.conftest import make_user
from tests.essaimage.factories import StructureApplicationFactory
from tests.projects.factories import DossierFactory
from tests.security.auth.conftest import login


def download(client):
    response = client.get(reverse("accounts:my_data_download"))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_download_holds_own_account_roles_records_and_emails(client, db):
    dossier = DossierFactory()
    carrier = dossier.created_by
    carrier.phone = "01 23 45 67 89"
    carrier.save()
    queue_email(
        recipient=carrier.email,
        subject="Accusé de réception",
        body="secret-link",
        dedup_key="t1",
        reason=DOSSIER_RECEIPT,
    )
    client.force_login(carrier)

    response, data = download(client)

    assert response["Content-Disposition"].startswith('attachment; filename="ais-emploi-mes-donnees-')
    assert data["account"]["email"] == carrier.email
    assert data["account"]["phone"] == "01 23 45 67 89"
    assert data["roles"][0]["organisation"] == dossier.organisation.name
    assert any(
        row["id"] == dossier.pk
        for key, rows in data["records"].items()
        if key.startswith("projects.Dossier")
        for row in rows
    )
    assert data["emails"][0]["subject"] == "Accusé de réception"
    assert "secret-link" not in response.content.decode()


def test_download_holds_no_secret_and_nobody_elses_data(client, db):
    user = UserFactory(email="moi@exemple.fr")
    other = UserFactory(email="quelquun@exemple.fr", phone="06 00 00 00 00")
    queue_email(recipient=other.email, subject="Pour quelqu'un d'autre", body="x", dedup_key="t2")
    client.force_login(user)

    response, data = download(client)
    content = response.content.decode()

    assert "password" not in data["account"]
    assert user.password not in content
    assert "quelquun@exemple.fr" not in content
    assert "Pour quelqu'un d'autre" not in content


def test_my_data_page_links_to_download(client, db):
    client.force_login(UserFactory())

    page = client.get(reverse("accounts:my_data")).content.decode()

    assert f'href="{reverse("accounts:my_data_download")}"' in page


def test_anonymise_replaces_identity_everywhere_and_keeps_records(client, db):
    dossier = DossierFactory()
    carrier = dossier.created_by
    old_email = carrier.email
    carrier.first_name, carrier.phone = "Dominique", "01 23 45 67 89"
    carrier.save()
    queue_email(recipient=old_email, subject="Bienvenue", body="Bonjour Dominique", dedup_key="t3")
    application = StructureApplicationFactory(contact_email=old_email, contact_first_name="Dominique")
    admin = make_user(Role.ADMIN)

    services.anonymise_user(carrier, by=admin)

    carrier.refresh_from_db()
    dossier.refresh_from_db()
    application.refresh_from_db()
    assert carrier.email == f"anonyme-{carrier.pk}@anonyme.invalid"
    assert (carrier.first_name, carrier.phone, carrier.is_active) == ("Anonyme", "", False)
    assert not carrier.has_usable_password()
    assert dossier.created_by_id == carrier.pk  # what they did stays
    assert not carrier.history.filter(email=old_email).exists()
    assert not carrier.history.filter(first_name="Dominique").exists()
    assert carrier.history.count() >= 2  # the history is kept, without the old identity
    email = OutgoingEmail.objects.get(dedup_key="t3")
    assert (email.recipient, email.body) == (carrier.email, "")
    assert application.contact_email == carrier.email
    assert application.contact_first_name == "Anonyme"
    assert login(client, old_email, PASSWORD).status_code == 200  # the login form again: refused


def test_anonymised_user_session_ends(client, db):
    user = UserFactory()
    client.force_login(user)

    services.anonymise_user(user)

    assert client.get("/tableau-de-bord/").status_code == 302


def test_administrator_anonymises_from_admin_after_confirmation(client, db):
    target = UserFactory(first_name="Dominique")
    client.force_login(make_user(Role.ADMIN))
    url = reverse("admin:accounts_user_changelist")

    confirm = client.post(url, {"action": "anonymise", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert confirm.status_code == 200
    assert target.email in confirm.content.decode()
    assert target.anonymised_at is None

    done = client.post(url, {"action": "anonymise", "_selected_action": [target.pk], "confirmed": "yes"})

    target.refresh_from_db()
    assert done.status_code == 302
    assert target.anonymised_at is not None
    assert target.first_name == "Anonyme"


def test_non_administrator_cannot_reach_anonymisation(client, db):
    target = UserFactory()
    client.force_login(make_user(Role.MANAGER))

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "anonymise", "_selected_action": [target.pk], "confirmed": "yes"},
    )

    target.refresh_from_db()
    assert target.anonymised_at is None


def test_inactive_account_warned_once_then_anonymised(db, settings):
    settings.GDPR_INACTIVE_DAYS, settings.GDPR_WARNING_DAYS = 1095, 30
    now = timezone.now()
    idle = UserFactory()
    User.objects.filter(pk=idle.pk).update(last_login=now - timedelta(days=1095 - 29))
    active = UserFactory()
    User.objects.filter(pk=active.pk).update(last_login=now - timedelta(days=10))

    with time_machine.travel(now, tick=False):
        first = sweep_inactive_accounts()
        second = sweep_inactive_accounts()
    with time_machine.travel(now + timedelta(days=31), tick=False):
        last = sweep_inactive_accounts()

    idle.refresh_from_db()
    active.refresh_from_db()
    assert first == {"warned": 1, "anonymised": 0}
    assert second == {"warned": 0, "anonymised": 0}
    assert last["anonymised"] == 1
    assert idle.anonymised_at is not None
    assert active.anonymised_at is None
    warning = OutgoingEmail.objects.get(dedup_key__startswith="inactivity-warning")
    assert warning.recipient == idle.email  # the anonymised address now: no personal data left


def test_inactive_account_that_logs_in_after_warning_is_kept(client, db, settings):
    now = timezone.now()
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(last_login=now - timedelta(days=settings.GDPR_INACTIVE_DAYS))
    with time_machine.travel(now, tick=False):
        assert services.warn_inactive_accounts() == 1
    with time_machine.travel(now + timedelta(days=5), tick=False):
        login(client, user.email, PASSWORD)
    with time_machine.travel(now + timedelta(days=31), tick=False):
        anonymised = services.anonymise_inactive_accounts()

    user.refresh_from_db()
    assert anonymised == 0
    assert user.anonymised_at is None
    assert user.inactivity_warned_at is None
