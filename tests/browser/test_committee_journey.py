"""The steering committee's work on a call in a real browser, from the assignment
of the eligible dossiers to the release of the decisions: the programme manager
assigns reviewers, two members declare they have no conflict of interest and
score both dossiers (each sees the other's scores only after submitting their
own), then the manager ranks the dossiers, holds the selection session, closes
it and releases the decisions; the minutes come out as a PDF.

Three people work at once, each in their own browser context. Selectors use
element ids, names and URLs rather than visible text (the French catalogue of
the committee's strings is being written while the app is built).
"""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Membership, Organisation, OrganisationType, Role, User
from ais.outbox.models import OutgoingEmail
from projects import services
from projects.emails import SELECTION_DECISION
from projects.models import (
    DEFAULT_REQUIRED_QUESTIONS,
    Call,
    Decision,
    Dossier,
    DossierStatus,
    Innovation,
    Recommendation,
    Review,
    ReviewAssignment,
    SelectionSession,
    SessionDecision,
    SessionStatus,
    Stage,
)
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import CSP_LISTENER, load_demo_territories

pytestmark = pytest.mark.browser

PASSWORD = "Comite-Pilotage-AIS-2025"
MANAGER_EMAIL = "paul.renard@ansa.fr"
MEMBER_A_EMAIL = "helene.garnier@dgefp.gouv.fr"
MEMBER_B_EMAIL = "karim.benali@fondation-emploi.fr"

# (innovation name, organisation, commune code, carrier's e-mail); the first sorts first.
DOSSIERS = [
    ("Boussole Emploi Rouen", "Régie de quartier Saint-Nicaise", "76540", "claire.martin@regie-saint-nicaise.fr"),
    ("Cap Métiers Bordeaux", "Association Cap Métiers", "33063", "julien.dupuy@cap-metiers.fr"),
]

# Scores per dossier and member, one per criterion of the default grid (six criteria).
SCORES = {
    ("A", 0): [4, 5, 3, 4, 4, 5],
    ("A", 1): [2, 1, 2, 3, 2, 1],
    ("B", 0): [5, 4, 4, 5, 3, 4],
    ("B", 1): [1, 2, 3, 2, 2, 2],
}
RECOMMENDATIONS = {
    ("A", 0): Recommendation.SELECT,
    ("A", 1): Recommendation.REJECT,
    ("B", 0): Recommendation.SELECT,
    ("B", 1): Recommendation.DISCUSS,
}
COMMENTS = {
    ("A", 0): "Résultats solides et mesurés : 45 % de sorties en emploi durable.",
    ("A", 1): "Démarche intéressante mais encore peu formalisée.",
    ("B", 0): "Méthode écrite et outillée, prête à être transmise à d'autres régies.",
    ("B", 1): "Le public visé n'est pas assez celui des chômeurs de longue durée.",
}
B_DRAFT_COMMENT = "Brouillon : à relire avant de soumettre."


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"
    return response


def log_in(page, email: str, password: str = PASSWORD) -> None:
    visit(page, "/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")


@pytest.fixture
def new_page(browser, live_server):
    """Opens more browser contexts (other people), guarded like ``page``: any console
    error, page error or CSP violation in them fails the test."""
    opened = []

    def make(who: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        other = context.new_page()
        errors = []
        other.on(
            "console",
            lambda m: errors.append(f"{who}: console.{m.type}: {m.text}") if m.type == "error" else None,
        )
        other.on("pageerror", lambda error: errors.append(f"{who}: page error: {error}"))
        opened.append((context, errors))
        return other

    yield make
    failures = []
    for context, errors in opened:
        context.close()
        failures += errors
    if failures:
        pytest.fail("Errors in the browser console:\n" + "\n".join(failures), pytrace=False)


@pytest.fixture
def committee_call(transactional_db, settings):
    """A closed, published call with the default grid, two committee members (two
    reviewers per dossier), a manager and two eligible dossiers of two carriers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    load_demo_territories()  # Rouen (76540), Bordeaux (33063)…
    year = timezone.now().year
    call = Call.objects.create(
        title=f"Appel à projets {year} – Innovations pour l'emploi",
        slug=f"appel-a-projets-{year}",
        year=year,
        theme="Emploi des chômeurs de longue durée",
        description="Nous cherchons des innovations qui ont fait leurs preuves sur un territoire.",
        eligibility="Associations, SIAE et collectivités portant une innovation depuis au moins deux ans.",
        opens_at=timezone.now() - timedelta(days=40),
        closes_at=timezone.now() - timedelta(days=10),
        published_at=timezone.now() - timedelta(days=45),
        required_questions=list(DEFAULT_REQUIRED_QUESTIONS),
        reviewers_per_dossier=2,
        review_deadline=timezone.now() + timedelta(days=15),
    )
    services.add_default_grid(call)
    manager = User.objects.create_user(MANAGER_EMAIL, PASSWORD, first_name="Paul", last_name="Renard")
    Membership.objects.create(user=manager, role=Role.MANAGER)
    member_a = User.objects.create_user(MEMBER_A_EMAIL, PASSWORD, first_name="Hélène", last_name="Garnier")
    member_b = User.objects.create_user(MEMBER_B_EMAIL, PASSWORD, first_name="Karim", last_name="Benali")
    for member in (member_a, member_b):
        Membership.objects.create(user=member, role=Role.COMMITTEE)
    call.committee_members.set([member_a, member_b])
    for index, (name, organisation_name, commune, email) in enumerate(DOSSIERS):
        organisation = Organisation.objects.create(
            name=organisation_name, kind=OrganisationType.ASSOCIATION, commune_id=commune
        )
        first, last = email.split("@")[0].split(".")
        carrier = User.objects.create_user(email, PASSWORD, first_name=first.title(), last_name=last.title())
        Membership.objects.create(user=carrier, role=Role.CARRIER, organisation=organisation)
        Dossier.objects.create(
            call=call,
            organisation=organisation,
            created_by=carrier,
            status=DossierStatus.ELIGIBLE,
            submitted_at=timezone.now() - timedelta(days=12 + index),
            decided_at=timezone.now() - timedelta(days=5),
            decided_by=manager,
            innovation_name=name,
            summary=f"{name} : un accompagnement vers l'emploi qui marche.",
            description="Nous accompagnons chaque personne de la première rencontre jusqu'à six mois après l'embauche.",
            year_started=2017 + index,
            origin_commune_id=commune,
            territory_description="Quartiers prioritaires de la ville.",
            publics=["deld", "qpv"],
            keywords=["accompagnement_individuel"],
            people_accompanied=120,
            exits_to_employment=54,
            job_retention_rate=70,
            results_period="2023-2024",
            formalisation_level="documented",
            process_description="Accueil, diagnostic, immersion en entreprise, suivi dans l'emploi.",
            transposition_will="Partager la méthode avec d'autres territoires.",
            transposition_capacity="Deux personnes à mi-temps pour former les structures.",
            resources="5 ETP, budget de 300 000 euros.",
        )
    return call


def weighted(criteria, dossier_index: int) -> float:
    """What the ranking should show: Σ weight × criterion mean / Σ weights."""
    total = Decimal(0)
    for position, criterion in enumerate(criteria):
        mean = (SCORES[("A", dossier_index)][position] + SCORES[("B", dossier_index)][position]) / 2
        total += criterion.weight * Decimal(str(mean))
    return float(total / sum(c.weight for c in criteria))


def french(number: float) -> str:
    return f"{number:.2f}".replace(".", ",")


def fill_review(page, criteria, who: str, index: int) -> None:
    """Score every criterion, comment on the first one, recommend, comment overall."""
    for criterion, value in zip(criteria, SCORES[(who, index)], strict=True):
        page.locator(f"input[name=score_{criterion.pk}][value='{value}']").check()
    page.locator(f"textarea[name=comment_{criteria[0].pk}]").fill(COMMENTS[(who, index)])
    page.locator(f"input[name=recommendation][value={RECOMMENDATIONS[(who, index)]}]").check()
    page.locator("textarea[name=comment]").fill(f"Avis global de {who} sur le dossier {index + 1}.")


def declare_no_conflict(page, assignment: ReviewAssignment) -> None:
    expect(page.locator("input[name=has_conflict]")).to_have_count(2)
    expect(page.locator("input[name^=score_]")).to_have_count(0)  # the dossier is not shown yet
    page.locator("input[name=has_conflict][value=no]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form.review-form")).to_be_visible()  # back on the same URL, now the grid
    assert page.url.endswith(f"/comite/dossiers/{assignment.pk}/")
    assignment.refresh_from_db()
    assert assignment.has_conflict is False and assignment.declared_at is not None


def submit_review(page, assignment: ReviewAssignment) -> None:
    page.locator("form.review-form button[name=submit]").click()
    page.locator("#confirm-dialog [data-confirm-ok]").click()  # submitting is final: the dialog asks
    expect(page.locator("form.review-form > fieldset")).to_have_attribute("disabled", "")
    expect(page.locator("form.review-form button[name=submit]")).to_have_count(0)
    review = Review.objects.get(assignment=assignment)
    assert review.is_submitted


def open_from_my_reviews(page, row: int, assignment: ReviewAssignment) -> None:
    """The member's list of dossiers to review, then the dossier on the given row."""
    page.locator("#main-nav a[href='/comite/dossiers/']").click()
    page.wait_for_url("**/comite/dossiers/")
    link = page.locator("main table tbody tr").nth(row).locator("a")
    expect(link).to_have_attribute("href", f"/comite/dossiers/{assignment.pk}/")
    link.click()
    page.wait_for_url(f"**/comite/dossiers/{assignment.pk}/")


@pytest.mark.long
def test_committee_journey_from_assignment_to_released_decisions(page, new_page, committee_call, tmp_path):
    call = committee_call
    criteria = list(call.criteria.order_by("position", "pk"))
    assert len(criteria) == 6
    dossiers = [Dossier.objects.get(call=call, innovation_name=row[0]) for row in DOSSIERS]
    member_a = User.objects.get(email=MEMBER_A_EMAIL)
    member_b = User.objects.get(email=MEMBER_B_EMAIL)
    manager_page = page

    # 0. The manager assigns the eligible dossiers to the committee automatically ------
    log_in(manager_page, MANAGER_EMAIL)
    manager_page.locator("#main-nav a[href='/gestion/appels/']").click()
    manager_page.wait_for_url("**/gestion/appels/")
    manager_page.locator(f"main a[href='/gestion/appels/{call.pk}/dossiers/']").click()
    manager_page.wait_for_url(f"**/gestion/appels/{call.pk}/dossiers/")
    manager_page.locator(f"main .nav-tabs a[href='/gestion/appels/{call.pk}/comite/']").click()
    manager_page.wait_for_url(f"**/gestion/appels/{call.pk}/comite/")
    page.shot("01-committee-before-assignment", target=manager_page)
    check_axe(manager_page, "01-committee-before-assignment")
    with manager_page.expect_navigation():  # POST, then back on the same page
        manager_page.locator(f"form[action='/gestion/appels/{call.pk}/comite/attribuer/'] button[type=submit]").click()
    assert manager_page.url.endswith(f"/gestion/appels/{call.pk}/comite/")
    # Both members review both dossiers: a load of two each. (Not the status badges:
    # under the suite's strict ``string_if_invalid``, ``assignment.review.is_submitted``
    # of an assignment without a review renders as true.)
    loads = manager_page.locator("section[aria-labelledby=members-title] .committee-members .fw-semibold")
    expect(loads).to_have_text(["2", "2"])
    page.shot("02-committee-assigned", target=manager_page)
    check_axe(manager_page, "02-committee-assigned")
    assert ReviewAssignment.objects.filter(dossier__call=call).count() == 4
    assignment = {
        (who, index): ReviewAssignment.objects.get(dossier=dossier, member=member)
        for who, member in (("A", member_a), ("B", member_b))
        for index, dossier in enumerate(dossiers)
    }

    # 1. Member A declares no conflict and scores both dossiers --------------------------
    page_a = new_page("member A")
    log_in(page_a, MEMBER_A_EMAIL)
    for index in range(2):
        open_from_my_reviews(page_a, index, assignment[("A", index)])
        if index == 0:
            page.shot("03-member-a-declaration", target=page_a)
            check_axe(page_a, "03-member-a-declaration")
        declare_no_conflict(page_a, assignment[("A", index)])
        expect(page_a.get_by_role("heading", level=1)).to_have_text(DOSSIERS[index][0])
        fill_review(page_a, criteria, "A", index)
        if index == 0:
            page.shot("04-member-a-scoring", target=page_a)
            check_axe(page_a, "04-member-a-scoring")
        submit_review(page_a, assignment[("A", index)])
        # Nobody else has submitted: no other member's review, nor B's name.
        expect(page_a.locator(".other-review")).to_have_count(0)
        expect(page_a.locator("main")).not_to_contain_text(member_b.last_name)
    expect(page_a.locator(f"textarea[name=comment_{criteria[0].pk}]")).to_have_value(COMMENTS[("A", 1)])
    page.shot("05-member-a-submitted", target=page_a)
    check_axe(page_a, "05-member-a-submitted")

    # 2. Member B scores both; a draft of B's stays invisible to A -----------------------
    page_b = new_page("member B")
    log_in(page_b, MEMBER_B_EMAIL)
    open_from_my_reviews(page_b, 0, assignment[("B", 0)])
    declare_no_conflict(page_b, assignment[("B", 0)])
    fill_review(page_b, criteria, "B", 0)
    page_b.locator("textarea[name=comment]").fill(B_DRAFT_COMMENT)
    with page_b.expect_navigation():
        page_b.locator("form.review-form button[name=draft]").click()
    expect(page_b.locator("textarea[name=comment]")).to_have_value(B_DRAFT_COMMENT)  # saved, reloaded
    assert not Review.objects.get(assignment=assignment[("B", 0)]).is_submitted
    expect(page_b.locator(".other-review")).to_have_count(0)  # B has not submitted: A's review is hidden
    expect(page_b.locator("main")).not_to_contain_text(COMMENTS[("A", 0)])

    visit(page_a, f"/comite/dossiers/{assignment[('A', 0)].pk}/")  # A looks again: B's draft is not shown
    expect(page_a.locator(".other-review")).to_have_count(0)
    expect(page_a.locator("main")).not_to_contain_text(B_DRAFT_COMMENT)

    page_b.locator("textarea[name=comment]").fill("Avis global de B sur le dossier 1.")  # B reconsiders
    for index in range(2):
        if index == 1:
            open_from_my_reviews(page_b, 1, assignment[("B", 1)])
            declare_no_conflict(page_b, assignment[("B", 1)])
            fill_review(page_b, criteria, "B", 1)
        submit_review(page_b, assignment[("B", index)])
        # Now B sees A's scores and comment on this dossier.
        other = page_b.locator(".other-review")
        expect(other).to_have_count(1)
        expect(other).to_contain_text(str(member_a))
        expect(other).to_contain_text(COMMENTS[("A", index)])
        scores_a = [f"{value}/5" for value in SCORES[("A", index)]]
        expect(other.locator("li")).to_have_count(6)
        for item, score in zip(other.locator("li").all(), scores_a, strict=True):
            expect(item.locator("strong")).to_have_text(score)
        if index == 0:
            page.shot("06-member-b-sees-a", target=page_b)
            check_axe(page_b, "06-member-b-sees-a")

    # 3. Member A reopens the first dossier: B's scores are there now --------------------
    open_from_my_reviews(page_a, 0, assignment[("A", 0)])
    other = page_a.locator(".other-review")
    expect(other).to_have_count(1)
    expect(other).to_contain_text(str(member_b))
    expect(other).to_contain_text(COMMENTS[("B", 0)])
    expect(other).to_contain_text("Avis global de B sur le dossier 1.")  # the submitted text, not the draft's
    expect(page_a.locator("main")).not_to_contain_text(B_DRAFT_COMMENT)
    for item, value in zip(other.locator("li").all(), SCORES[("B", 0)], strict=True):
        expect(item.locator("strong")).to_have_text(f"{value}/5")
    page.shot("07-member-a-sees-b", target=page_a)
    check_axe(page_a, "07-member-a-sees-b")

    # 4. The manager ranks the dossiers, holds the session and releases the decisions -----
    manager_page.locator(f"main .nav-tabs a[href='/gestion/appels/{call.pk}/classement/']").click()
    manager_page.wait_for_url(f"**/gestion/appels/{call.pk}/classement/")
    rows = manager_page.locator(".ranking-table tbody tr")
    expect(rows).to_have_count(2)
    for rank, index in enumerate((0, 1)):  # the first dossier scored higher by both members
        expect(rows.nth(rank).locator("td").nth(1)).to_contain_text(DOSSIERS[index][0])
        expect(rows.nth(rank).locator("td").nth(2)).to_have_text(french(weighted(criteria, index)))
        expect(rows.nth(rank).locator("td").last).to_have_text(re.compile(r"2\s*/\s*2"))
    assert weighted(criteria, 0) > weighted(criteria, 1)
    page.shot("08-ranking", target=manager_page)
    check_axe(manager_page, "08-ranking")

    visit(manager_page, f"/gestion/appels/{call.pk}/comite/")
    manager_page.locator(f"main a[href='/gestion/appels/{call.pk}/seances/nouvelle/']").click()
    manager_page.wait_for_url(f"**/gestion/appels/{call.pk}/seances/nouvelle/")
    held_on = (timezone.localtime() + timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)
    manager_page.locator("#id_held_on").fill(held_on.strftime("%Y-%m-%dT%H:%M"))
    manager_page.locator("#id_place").fill("Ansa, 2 rue de Choiseul, Paris")
    for member in (member_a, member_b):
        manager_page.locator(f"input[name=members_present][value='{member.pk}']").check()
    page.shot("09-session-form", target=manager_page)
    check_axe(manager_page, "09-session-form")
    manager_page.locator("main form button[type=submit]").click()
    manager_page.wait_for_url(re.compile(r"/gestion/seances/\d+/$"))
    session = SelectionSession.objects.get(call=call)
    assert manager_page.url.endswith(f"/gestion/seances/{session.pk}/")
    assert timezone.localtime(session.held_on) == held_on
    assert set(session.members_present.all()) == {member_a, member_b}

    decisions = [SessionDecision.objects.get(session=session, dossier=dossier) for dossier in dossiers]
    motivations = [
        "Résultats mesurés et méthode écrite : le comité retient l'innovation pour l'essaimage.",
        "Le public visé n'est pas assez celui des chômeurs de longue durée.",
    ]
    for decision, value, motivation in zip(
        decisions, (Decision.SELECTED, Decision.NOT_SELECTED), motivations, strict=True
    ):
        manager_page.locator(f"select[name=d{decision.pk}-decision]").select_option(value)
        manager_page.locator(f"textarea[name=d{decision.pk}-motivation]").fill(motivation)
    page.shot("10-session-decisions", target=manager_page)
    check_axe(manager_page, "10-session-decisions")
    with manager_page.expect_navigation():
        manager_page.locator("main form:not([action]) button[type=submit]").click()
    assert manager_page.url.endswith(f"/gestion/seances/{session.pk}/")
    expect(manager_page.locator(f"select[name=d{decisions[0].pk}-decision]")).to_have_value(Decision.SELECTED)
    for decision in decisions:
        decision.refresh_from_db()
    assert [d.decision for d in decisions] == [Decision.SELECTED, Decision.NOT_SELECTED]
    assert not OutgoingEmail.objects.filter(reason=SELECTION_DECISION).exists()  # internal until released

    close = manager_page.locator(f"form[action='/gestion/seances/{session.pk}/cloturer/'] button[type=submit]")
    close.click()
    manager_page.locator("#confirm-dialog [data-confirm-ok]").click()
    release = manager_page.locator(f"form[action='/gestion/seances/{session.pk}/diffuser/'] button[type=submit]")
    expect(release).to_be_visible()
    expect(close).to_have_count(0)
    for decision in decisions:  # nothing can be changed any more
        expect(manager_page.locator(f"select[name=d{decision.pk}-decision]")).to_be_disabled()
        expect(manager_page.locator(f"textarea[name=d{decision.pk}-motivation]")).to_be_disabled()
    expect(manager_page.locator("main form:not([action]) button[type=submit]")).to_have_count(0)
    page.shot("11-session-closed", target=manager_page)
    check_axe(manager_page, "11-session-closed")
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED and session.closed_at is not None
    assert not OutgoingEmail.objects.filter(reason=SELECTION_DECISION).exists()

    release.click()
    expect(manager_page.locator("#confirm-dialog")).to_contain_text("par e-mail")
    manager_page.locator("#confirm-dialog [data-confirm-ok]").click()
    expect(manager_page.locator(f"form[action='/gestion/seances/{session.pk}/diffuser/']")).to_have_count(0)
    page.shot("12-decisions-released", target=manager_page)
    check_axe(manager_page, "12-decisions-released")
    session.refresh_from_db()
    assert session.released_at is not None

    # The selected dossier became an innovation in stage I; the other did not.
    for decision in decisions:
        decision.refresh_from_db()
    innovation = decisions[0].innovation
    assert innovation is not None
    assert (innovation.name, innovation.carrier, innovation.stage) == (
        DOSSIERS[0][0],
        dossiers[0].organisation,
        Stage.FEASIBILITY,
    )
    assert (innovation.origin_commune_id, innovation.year_selected, innovation.is_published) == (
        DOSSIERS[0][2],
        held_on.year,
        False,
    )
    assert decisions[1].innovation is None
    assert Innovation.objects.count() == 1
    # Each carrier is told, once, the decision on their dossier.
    for index, (name, _organisation, _commune, email) in enumerate(DOSSIERS):
        emails = OutgoingEmail.objects.filter(recipient=email, reason=SELECTION_DECISION)
        assert emails.count() == 1, email
        assert name in emails.get().body and motivations[index] in emails.get().body
    assert OutgoingEmail.objects.filter(reason=SELECTION_DECISION).count() == 2

    # The minutes, as a PDF, name both dossiers.
    with manager_page.expect_download() as download_info:
        manager_page.locator(f"main a[href='/gestion/seances/{session.pk}/proces-verbal.pdf']").click()
    download = download_info.value
    assert download.suggested_filename == f"proces-verbal-{call.slug}.pdf"
    saved = tmp_path / "proces-verbal.pdf"
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages).split())
    for name, *_rest in DOSSIERS:
        assert name in text, text[:800]

    # 5. After the session: a member's review is read-only, and a forged POST changes nothing
    url = f"/comite/dossiers/{assignment[('B', 1)].pk}/"
    visit(page_b, url)
    expect(page_b.locator("form.review-form > fieldset")).to_have_attribute("disabled", "")
    expect(page_b.locator("form.review-form button")).to_have_count(0)  # neither draft nor submit
    page.shot("13-member-review-locked", target=page_b)
    check_axe(page_b, "13-member-review-locked")
    token = page_b.locator("form.review-form input[name=csrfmiddlewaretoken]").input_value()
    before = sorted(Review.objects.get(assignment=assignment[("B", 1)]).scores.values_list("criterion_id", "value"))
    forged = {"csrfmiddlewaretoken": token, "submit": "", "recommendation": Recommendation.SELECT}
    forged |= {f"score_{criterion.pk}": "5" for criterion in criteria}
    response = page_b.request.post(url, form=forged)
    assert response.status == 200
    review = Review.objects.get(assignment=assignment[("B", 1)])
    assert sorted(review.scores.values_list("criterion_id", "value")) == before
    assert review.recommendation == Recommendation.DISCUSS
    # Nor can the manager assign again.
    visit(manager_page, f"/gestion/appels/{call.pk}/comite/")
    expect(manager_page.locator(f"form[action='/gestion/appels/{call.pk}/comite/attribuer/']")).to_have_count(0)
