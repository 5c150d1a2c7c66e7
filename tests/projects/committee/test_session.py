"""The selection session: pending decisions for the eligible dossiers, motivated
decisions, closing (which makes innovations of the selected dossiers), the
release of the decisions to carriers (once), and the minutes in PDF."""

import re
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext
from pypdf import PdfReader

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from projects import committee
from projects.emails import SELECTION_DECISION
from projects.models import Decision, Innovation, SelectionSession, SessionDecision, SessionStatus, Stage
from projects.services import DossierError
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.projects.committee.conftest import page
from tests.projects.factories import CallFactory, DossierFactory, EligibleDossierFactory, InnovationFactory

PARIS = ZoneInfo("Europe/Paris")
HELD_ON = datetime(2026, 6, 12, 14, 0, tzinfo=PARIS)

CONFIRMED = {"confirm": "yes"}  # the irreversible steps, confirmed (page or dialog)


@pytest.fixture
def call(db):
    return CallFactory(closed=True, title="Appel à projets 2026")


@pytest.fixture
def dossiers(call):
    """Two eligible dossiers (Parcours Gardien, TAPAJ), one submitted, one found not eligible."""
    eligible = [
        EligibleDossierFactory(call=call, innovation_name=name, organisation=OrganisationFactory(name=org))
        for name, org in [("Parcours Gardien", "Association Gardiens"), ("TAPAJ", "Association TAPAJ France")]
    ]
    DossierFactory(call=call, submitted=True, innovation_name="Dossier en cours d'examen")
    DossierFactory(call=call, submitted=True, status="ineligible", innovation_name="Hors champ")
    return eligible


@pytest.fixture
def session(call, dossiers, manager):
    return committee.open_session(call, held_on=HELD_ON, place="Paris", by=manager)


def _decide(session, manager, **values):
    """``_decide(session, manager, gardien=("selected", "motivation"), tapaj=...)``."""
    names = {"gardien": "Parcours Gardien", "tapaj": "TAPAJ"}
    for key, (value, motivation) in values.items():
        decision = session.decisions.get(dossier__innovation_name=names[key])
        committee.record_decision(decision, value=value, motivation=motivation, by=manager)


@pytest.fixture
def decided(session, manager):
    _decide(
        session,
        manager,
        gardien=(Decision.SELECTED, "Très transférable, résultats solides."),
        tapaj=(Decision.WAITING, "À revoir l'an prochain."),
    )
    return session


# Opening -----------------------------------------------------------------------------


def test_open_session_creates_pending_decision_for_each_eligible_dossier(session, dossiers):
    decisions = list(session.decisions.order_by("dossier__innovation_name"))

    assert [d.dossier for d in decisions] == dossiers
    assert {d.decision for d in decisions} == {Decision.PENDING}
    assert (session.status, session.place) == (SessionStatus.OPEN, "Paris")


def test_session_create_view_saves_members_and_email_template(client, call, dossiers, manager):
    member = UserFactory(roles=[Role.COMMITTEE], last_name="Aubert")
    call.committee_members.add(member)
    client.force_login(manager)

    response = client.post(
        reverse("projects:session_create", args=[call.pk]),
        {
            "held_on": "2026-06-12T14:00",
            "place": "Ministère du Travail",
            "members_present": [member.pk],
            "email_subject": "Décision du comité",
            "email_body": "Bonjour, décision pour {dossier} : {decision}.",
        },
    )

    session = SelectionSession.objects.get()
    assert response["Location"] == reverse("projects:session", args=[session.pk])
    assert session.held_on == HELD_ON
    assert list(session.members_present.all()) == [member]
    assert (session.email_subject, session.email_body) == (
        "Décision du comité",
        "Bonjour, décision pour {dossier} : {decision}.",
    )
    assert session.decisions.count() == 2


@pytest.mark.parametrize("body", ["Bonjour {", "Décision {0}", "Dossier {dossier.nom}"])
def test_session_create_view_refuses_unreadable_placeholders(client, call, dossiers, manager, body):
    client.force_login(manager)

    response = client.post(
        reverse("projects:session_create", args=[call.pk]),
        {"held_on": "2026-06-12T14:00", "email_subject": "Décision", "email_body": body},
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("email_body")
    assert not SelectionSession.objects.exists()


# Decisions -----------------------------------------------------------------------------


def test_record_decision_without_motivation_raises(session, manager):
    decision = session.decisions.first()

    with pytest.raises(DossierError):
        committee.record_decision(decision, value=Decision.SELECTED, motivation="   ", by=manager)

    decision.refresh_from_db()
    assert (decision.decision, decision.motivation) == (Decision.PENDING, "")


def test_session_page_saves_motivated_decisions(client, session, manager):
    gardien, tapaj = session.decisions.order_by("dossier__innovation_name")
    client.force_login(manager)

    response = client.post(
        reverse("projects:session", args=[session.pk]),
        {
            f"d{gardien.pk}-decision": Decision.SELECTED,
            f"d{gardien.pk}-motivation": "Résultats solides",
            f"d{tapaj.pk}-decision": Decision.NOT_SELECTED,
            f"d{tapaj.pk}-motivation": "Trop récent",
        },
    )

    assert response["Location"] == reverse("projects:session", args=[session.pk])
    assert list(session.decisions.order_by("dossier__innovation_name").values_list("decision", "motivation")) == [
        (Decision.SELECTED, "Résultats solides"),
        (Decision.NOT_SELECTED, "Trop récent"),
    ]


def test_session_page_refuses_decision_without_motivation(client, session, manager):
    gardien, tapaj = session.decisions.order_by("dossier__innovation_name")
    client.force_login(manager)

    response = client.post(
        reverse("projects:session", args=[session.pk]),
        {
            f"d{gardien.pk}-decision": Decision.SELECTED,
            f"d{gardien.pk}-motivation": "",
            f"d{tapaj.pk}-decision": Decision.PENDING,
            f"d{tapaj.pk}-motivation": "",
        },
    )

    assert response.status_code == 200
    assert gettext("Give the motivation of the decision: the carrier will read it.") in page(response)
    gardien.refresh_from_db()
    assert gardien.decision == Decision.PENDING


def test_session_page_with_one_invalid_row_saves_no_row(client, session, manager):
    gardien, tapaj = session.decisions.order_by("dossier__innovation_name")
    client.force_login(manager)

    response = client.post(
        reverse("projects:session", args=[session.pk]),
        {
            f"d{gardien.pk}-decision": Decision.SELECTED,
            f"d{gardien.pk}-motivation": "Résultats solides",
            f"d{tapaj.pk}-decision": Decision.NOT_SELECTED,
            f"d{tapaj.pk}-motivation": "",
        },
    )

    assert response.status_code == 200
    assert "Résultats solides" in page(response)  # what was typed is kept
    assert list(session.decisions.values_list("decision", flat=True)) == [Decision.PENDING, Decision.PENDING]


def test_committee_settings_after_closing_are_locked(client, decided, call, manager):
    committee.close_session(decided, by=manager)
    client.force_login(manager)

    response = client.post(
        reverse("projects:committee", args=[call.pk]),
        {"setup-reviewers_per_dossier": "9", "setup-committee_members": []},
        follow=True,
    )

    call.refresh_from_db()
    assert call.reviewers_per_dossier != 9
    assert gettext("The selection session of this call is closed: scores and decisions are locked.") in page(response)


# Closing -------------------------------------------------------------------------------


def test_close_session_with_a_pending_decision_is_refused(session, manager):
    _decide(session, manager, gardien=(Decision.SELECTED, "Oui"))

    with pytest.raises(DossierError):
        committee.close_session(session, by=manager)

    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN
    assert not Innovation.objects.exists()


def test_close_view_with_a_pending_decision_shows_why(client, session, manager):
    client.force_login(manager)

    response = client.post(reverse("projects:session_close", args=[session.pk]), CONFIRMED, follow=True)

    assert gettext("Some dossiers have no decision yet.") in page(response)
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN


def test_close_session_makes_an_innovation_of_each_selected_dossier(decided, dossiers, manager):
    gardien = dossiers[0]

    committee.close_session(decided, by=manager)

    decided.refresh_from_db()
    assert decided.status == SessionStatus.CLOSED and decided.closed_at is not None
    innovation = Innovation.objects.get()
    assert innovation.name == "Parcours Gardien"
    assert innovation.carrier == gardien.organisation
    assert (innovation.stage, innovation.is_published, innovation.year_selected) == (Stage.FEASIBILITY, False, 2026)
    assert (innovation.summary, innovation.publics) == (gardien.summary, gardien.publics)
    assert SessionDecision.objects.get(dossier=gardien).innovation == innovation
    assert SessionDecision.objects.get(dossier=dossiers[1]).innovation is None


def test_close_session_twice_is_refused_and_creates_nothing_more(decided, manager):
    committee.close_session(decided, by=manager)

    with pytest.raises(DossierError):
        committee.close_session(decided, by=manager)

    assert Innovation.objects.count() == 1


def test_close_session_innovation_name_taken_gets_a_suffix(decided, manager):
    InnovationFactory(name="Parcours Gardien")

    committee.close_session(decided, by=manager)

    created = SessionDecision.objects.exclude(innovation=None).get().innovation
    assert (created.name, created.slug) == ("Parcours Gardien (2)", "parcours-gardien-2")


def test_close_view_then_page_shows_locked_and_innovation(client, decided, manager):
    client.force_login(manager)

    response = client.post(reverse("projects:session_close", args=[decided.pk]), CONFIRMED, follow=True)

    content = page(response)
    assert gettext("The session is closed: scores and decisions are locked.") in content
    assert gettext("Innovation created") in content
    assert reverse("projects:session_release", args=[decided.pk]) in content


# Releasing the decisions ------------------------------------------------------------------


def test_release_before_closing_is_refused(decided, manager):
    with pytest.raises(DossierError):
        committee.release_decisions(decided, by=manager)

    decided.refresh_from_db()
    assert decided.released_at is None
    assert not OutgoingEmail.objects.exists()


def test_release_queues_one_email_per_carrier_and_dossier_from_the_template(decided, dossiers, manager):
    gardien, tapaj = dossiers
    second_carrier = UserFactory(email="deuxieme@gardiens.fr", roles=[(Role.CARRIER, gardien.organisation)])
    UserFactory(email="parti@gardiens.fr", is_active=False, roles=[(Role.CARRIER, gardien.organisation)])
    decided.email_subject = "Décision du comité"
    decided.email_body = "{dossier} : {decision}. {motivation} ({call}, {date}){unknown}"
    decided.save()
    committee.close_session(decided, by=manager)

    count = committee.release_decisions(decided, by=manager)

    emails = OutgoingEmail.objects.order_by("recipient")
    assert count == 3
    assert sorted(e.recipient for e in emails) == sorted(
        [gardien.created_by.email, second_carrier.email, tapaj.created_by.email]
    )
    assert {e.subject for e in emails} == {"Décision du comité"}
    assert {e.reason for e in emails} == {SELECTION_DECISION}
    when = date_format(HELD_ON, "DATE_FORMAT")
    assert emails.get(recipient=second_carrier.email).body == (
        f"Parcours Gardien : {pgettext('decision', 'Selected').lower()}. Très transférable, résultats solides. "
        f"(Appel à projets 2026, {when})"
    )
    assert emails.get(recipient=tapaj.created_by.email).body == (
        f"TAPAJ : {gettext('Waiting list').lower()}. À revoir l'an prochain. (Appel à projets 2026, {when})"
    )
    decided.refresh_from_db()
    assert decided.released_at is not None


def test_release_twice_is_refused_and_sends_nothing_more(decided, manager):
    committee.close_session(decided, by=manager)
    committee.release_decisions(decided, by=manager)

    with pytest.raises(DossierError):
        committee.release_decisions(decided, by=manager)

    assert OutgoingEmail.objects.count() == 2


def test_release_view_queues_emails_and_hides_the_button(client, decided, manager):
    committee.close_session(decided, by=manager)
    client.force_login(manager)

    response = client.post(reverse("projects:session_release", args=[decided.pk]), CONFIRMED, follow=True)
    again = client.post(reverse("projects:session_release", args=[decided.pk]), CONFIRMED, follow=True)

    assert ngettext(
        "%(n)s e-mail is on its way to the carriers.", "%(n)s e-mails are on their way to the carriers.", 2
    ) % {"n": 2} in page(response)
    assert reverse("projects:session_release", args=[decided.pk]) not in page(response)
    assert gettext("The decisions were already released.") in page(again)
    assert OutgoingEmail.objects.count() == 2


def test_release_view_before_closing_shows_why(client, decided, manager):
    client.force_login(manager)

    response = client.post(reverse("projects:session_release", args=[decided.pk]), CONFIRMED, follow=True)

    assert gettext("Close the session before releasing its decisions.") in page(response)
    assert not OutgoingEmail.objects.exists()


# Minutes ---------------------------------------------------------------------------------


def _pdf_text(response) -> str:
    reader = PdfReader(BytesIO(response.content))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_minutes_pdf_lists_call_dossiers_and_decisions(client, decided, manager):
    committee.close_session(decided, by=manager)
    client.force_login(manager)

    response = client.get(reverse("projects:session_minutes", args=[decided.pk]))

    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response)
    assert "Appel à projets 2026" in text
    assert f"Parcours Gardien – {pgettext('decision', 'Selected')}" in text
    assert f"TAPAJ – {gettext('Waiting list')}" in text
    assert "Très transférable, résultats solides." in text
    assert "Association Gardiens" in text


def test_minutes_pdf_of_open_session_shows_pending_decisions(client, session, manager):
    client.force_login(manager)
    session.place = "Salle Ambroise Croizat"
    session.save()

    response = client.get(reverse("projects:session_minutes", args=[session.pk]))

    text = _pdf_text(response)
    assert "Salle Ambroise Croizat" in text
    assert f"TAPAJ – {gettext('To be decided')}" in text


def test_session_page_lists_decisions_with_scores(client, session, manager):
    client.force_login(manager)

    response = client.get(reverse("projects:session", args=[session.pk]))

    content = page(response)
    assert [row["decision"].dossier.innovation_name for row in response.context["rows"]] == [
        "Parcours Gardien",
        "TAPAJ",
    ]
    assert "Dossier en cours d'examen" not in content
    assert "Hors champ" not in content
    assert timezone.localtime(session.held_on).strftime("%Y") in content


# Confirmations of the irreversible steps (without JavaScript) ----------------------------


def test_close_unconfirmed_shows_what_it_will_do_and_changes_nothing(client, decided, manager):
    client.force_login(manager)
    url = reverse("projects:session_close", args=[decided.pk])
    innovations = Innovation.objects.count()

    shown = client.get(url)
    unconfirmed = client.post(url)

    for response in (shown, unconfirmed):
        content = page(response)
        assert response.status_code == 200
        assert "Cette étape est définitive." in content
        assert "Le dossier retenu devient une innovation à l'étape I." in content
        assert 'name="confirm" value="yes"' in content
        assert f'href="{reverse("projects:session", args=[decided.pk])}"' in content  # « Annuler »
    decided.refresh_from_db()
    assert decided.status != SessionStatus.CLOSED
    assert Innovation.objects.count() == innovations


def test_close_confirmed_from_the_confirmation_page_closes(client, decided, manager):
    client.force_login(manager)
    url = reverse("projects:session_close", args=[decided.pk])
    form = re.search(r'<form method="post" class="d-flex[^"]*">(.*?)</form>', page(client.get(url)), re.S).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))

    response = client.post(url, fields)

    assert fields.keys() == {"csrfmiddlewaretoken", "confirm"}
    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.status == SessionStatus.CLOSED


def test_release_unconfirmed_says_who_gets_an_email_and_sends_nothing(client, decided, manager):
    committee.close_session(decided, by=manager)
    client.force_login(manager)

    response = client.post(reverse("projects:session_release", args=[decided.pk]))

    assert "2 porteurs reçoivent la décision sur leur dossier par e-mail" in page(response)
    decided.refresh_from_db()
    assert decided.released_at is None
    assert not OutgoingEmail.objects.filter(reason=SELECTION_DECISION).exists()


def test_session_page_buttons_carry_the_dialog_text(client, decided, manager):
    client.force_login(manager)

    content = page(client.get(reverse("projects:session", args=[decided.pk])))

    assert 'data-confirm-step="Les notes et les décisions seront verrouillées' in content
    assert 'id="confirm-dialog"' in content
