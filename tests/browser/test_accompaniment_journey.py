"""An innovation's accompaniment in a real browser, from stage I to stage III
(issue 5, "done when" 3): the programme manager uploads the stage I deliverables
(feasibility study with its conclusion, signed commitment charter) and moves the
innovation on; records its governance and an awareness action; creates and
publishes a call for spread structures, to which three organisations apply as
anonymous visitors; selects the three applicants, uploads their signed
partnership agreements and moves the innovation to stage III with every
deliverable there (no exception). Then a training of two days: its structures,
trainees, the attendance of the first day and the attendance sheet as a PDF.
Finally the programme map counts the three structures in their departments.

Selectors use element ids, names and URLs rather than visible text.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Membership, Organisation, OrganisationType, Role, User
from ais.outbox.models import OutgoingEmail
from essaimage.emails import STRUCTURE_APPLICATION, STRUCTURE_DECISION
from essaimage.models import (
    ApplicationStatus,
    Attendance,
    SpreadStructure,
    StructureApplication,
    StructureCall,
    StructureStatus,
    Training,
)
from projects.models import Deliverable, DeliverableKind, FeasibilityConclusion, Innovation, Stage, StageTransition
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import load_demo_territories
from tests.browser.journey_helpers import (
    PASSWORD,
    download,
    expect_success,
    log_in,
    new_page,
    pdf_file,
    pdf_text,
    visit,
)

__all__ = ["new_page"]  # a fixture, used by name

pytestmark = pytest.mark.browser

MANAGER_EMAIL = "lea.moreau@ansa.fr"
INNOVATION_NAME = "Passerelle Emploi Rennes"

# (organisation, kind, commune code, department code, contact e-mail, capacity)
APPLICANTS = [
    ("Régie de quartier Grammont", OrganisationType.REGIE, "76540", "76", "nadia.haddad@regie-grammont.fr", 30),
    ("Chantier d'insertion Océane", OrganisationType.ACI, "76351", "76", "yves.leroux@chantier-oceane.fr", 18),
    ("Mission locale Nîmes Garrigue", OrganisationType.MISSION_LOCALE, "30189", "30", "ines.roux@ml-nimes.fr", 45),
]
TRAINEES = ["Sonia Bellamy", "Marc Quentin", "Aïcha Traoré"]  # one per structure, in APPLICANTS' order


@pytest.fixture
def stage_one_innovation(transactional_db, settings):
    """An innovation just selected (stage I, no deliverable) and a programme manager."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    load_demo_territories()  # Rennes, Rouen, Le Havre, Nîmes…
    manager = User.objects.create_user(MANAGER_EMAIL, PASSWORD, first_name="Léa", last_name="Moreau")
    Membership.objects.create(user=manager, role=Role.MANAGER)
    carrier = Organisation.objects.create(
        name="Association Passerelle", kind=OrganisationType.ASSOCIATION, commune_id="35238"
    )
    return Innovation.objects.create(
        name=INNOVATION_NAME,
        slug="passerelle-emploi-rennes",
        summary="Un accompagnement renforcé des chômeurs de longue durée vers les entreprises du bassin.",
        carrier=carrier,
        origin_commune_id="35238",
        stage=Stage.FEASIBILITY,
        year_selected=timezone.localdate().year,
        is_published=True,
    )


def open_innovation(page, innovation) -> None:
    """From the list of innovations in accompaniment to the innovation's page."""
    visit(page, "/suivi/innovations/")
    page.locator(f"main a[href='/suivi/innovations/{innovation.pk}/']").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(INNOVATION_NAME)


def add_deliverable(page, innovation, tmp_path, *, kind, title, dated, file_name, conclusion="") -> None:
    page.locator(f"#livrables a[href^='/suivi/innovations/{innovation.pk}/livrables/ajouter/']").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/livrables/ajouter/")
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_dated").fill(dated.isoformat())
    page.locator("#id_title").fill(title)
    page.locator("#id_file").set_input_files(pdf_file(tmp_path, file_name, title))
    if conclusion:
        page.locator("#id_conclusion").select_option(conclusion)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/#livrables")
    expect_success(page, title)


def checklist_all_met(page, count: int) -> None:
    expect(page.locator(".stage-checklist .requirement")).to_have_count(count)
    expect(page.locator(".stage-checklist .requirement-missing")).to_have_count(0)
    expect(page.locator(".stage-checklist .requirement-met")).to_have_count(count)


def advance(page, innovation, to_stage: int) -> None:
    """Move on with every deliverable there: the plain button, no exception reason."""
    expect(page.locator("form.advance-form textarea")).to_have_count(0)  # no exception asked for
    page.locator("form.advance-form button[type=submit]").click()
    page.locator("#confirm-dialog [data-confirm-ok]").click()  # a move cannot be undone: the dialog asks
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/#etapes")
    expect(page.locator(f"main .stage-badge.stage-{to_stage}")).to_be_visible()
    innovation.refresh_from_db()
    assert innovation.stage == to_stage


def apply(page, call, name, kind, commune, email, capacity) -> None:
    """An organisation applies to the call with the public form (no account)."""
    visit(page, f"/essaimage/appels/{call.pk}/")
    form = page.locator("form.application-form")
    form.locator("#id_organisation_name").fill(name)
    form.locator("#id_organisation_kind").select_option(kind)
    control = page.locator("#id_commune-ts-control")  # the commune picker (tom-select)
    control.click()
    code_name = {"76540": "Rouen", "76351": "Le Havre", "30189": "Nîmes"}[commune]
    control.press_sequentially(code_name, delay=20)
    page.locator(f"#id_commune-ts-dropdown .option[data-value='{commune}']").click()
    expect(page.locator("#id_commune")).to_have_value(commune)
    form.locator("#id_capacity").fill(str(capacity))
    form.locator("#id_motivation").fill(
        f"{name} accompagne déjà des demandeurs d'emploi de longue durée "
        "et veut renforcer le lien avec les entreprises."
    )
    first, last = email.split("@")[0].split(".")
    form.locator("#id_contact_first_name").fill(first.title())
    form.locator("#id_contact_last_name").fill(last.title())
    form.locator("#id_contact_email").fill(email)
    form.locator("#id_contact_function").fill("Directrice")
    form.locator("#id_consent").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/essaimage/appels/{call.pk}/merci/")
    expect(page.locator("main")).to_contain_text(email)


@pytest.mark.long
def test_manager_takes_an_innovation_from_stage_one_to_three_and_sees_it_on_the_map(
    page, new_page, stage_one_innovation, tmp_path
):
    innovation = stage_one_innovation
    manager = User.objects.get(email=MANAGER_EMAIL)
    today = timezone.localdate()

    # 1. Stage I: the feasibility study (go) and the signed charter ----------------------
    log_in(page, MANAGER_EMAIL)
    open_innovation(page, innovation)
    expect(page.locator("main .stage-badge.stage-1")).to_be_visible()
    expect(page.locator(".stage-checklist .requirement-missing")).to_have_count(2)
    page.shot("01-stage-one-nothing-yet")
    check_axe(page, "01-stage-one-nothing-yet")
    add_deliverable(
        page,
        innovation,
        tmp_path,
        kind=DeliverableKind.FEASIBILITY_STUDY,
        title="Étude de faisabilité – bassin rennais",
        dated=today - timedelta(days=20),
        file_name="etude-faisabilite.pdf",
        conclusion=FeasibilityConclusion.GO_WITH_CONDITIONS,
    )
    add_deliverable(
        page,
        innovation,
        tmp_path,
        kind=DeliverableKind.CHARTER,
        title="Charte d'engagement signée",
        dated=today - timedelta(days=10),
        file_name="charte-engagement.pdf",
    )
    checklist_all_met(page, 2)
    expect(page.locator("#livrables")).to_contain_text("Étude de faisabilité – bassin rennais")
    page.shot("02-stage-one-deliverables")
    check_axe(page, "02-stage-one-deliverables")
    study = Deliverable.objects.get(innovation=innovation, kind=DeliverableKind.FEASIBILITY_STUDY)
    assert study.conclusion == FeasibilityConclusion.GO_WITH_CONDITIONS
    assert study.original_name == "etude-faisabilite.pdf"
    advance(page, innovation, Stage.MOBILISATION)

    # 2. Stage II: governance, an awareness action ---------------------------------------
    governance = page.locator("#gouvernance")
    governance.locator("summary").click()
    governance.locator("#id_governance-full_name").fill("Hélène Carpentier")
    governance.locator("#id_governance-organisation_name").fill("Conseil départemental d'Ille-et-Vilaine")
    governance.locator("#id_governance-function").fill("Vice-présidente insertion")
    governance.locator("#id_governance-joined_on").fill((today - timedelta(days=3)).isoformat())
    governance.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/#gouvernance")
    expect(page.locator("#gouvernance table")).to_contain_text("Hélène Carpentier")

    awareness = page.locator("#sensibilisation")
    awareness.locator("summary").click()
    awareness.locator("#id_awareness-held_on").fill((today - timedelta(days=2)).isoformat())
    awareness.locator("#id_awareness-title").fill("Webinaire de présentation aux réseaux de l'IAE")
    awareness.locator("#id_awareness-channel").select_option("webinar")
    awareness.locator("#id_awareness-audience").fill("Têtes de réseau régionales")
    awareness.locator("#id_awareness-people_reached").fill("42")
    awareness.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/#sensibilisation")
    expect(page.locator("#sensibilisation table")).to_contain_text("Webinaire de présentation")
    expect(page.locator(".stage-checklist .requirement-missing")).to_have_count(3)  # call, structures, agreements

    # 3. A call for spread structures, created then published -----------------------------
    page.locator(f"main a[href='/suivi/innovations/{innovation.pk}/appel-structures/nouveau/']").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/appel-structures/nouveau/")
    page.locator("#id_description").fill(
        "Trois structures recevront une formation-action de six mois, les outils et un appui téléphonique. "
        "Elles s'engagent à répondre aux questionnaires d'évaluation à 3, 9 et 18 mois."
    )
    page.locator("#id_closes_on").fill((today + timedelta(days=30)).isoformat())
    page.locator("#id_places").fill("3")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/suivi/appels-structures/*/modifier/")
    call = StructureCall.objects.get(innovation=innovation)
    assert call.published_at is None
    page.locator(f"form[action='/suivi/appels-structures/{call.pk}/publier/'] button[type=submit]").click()
    expect(page.locator(f"main a[href='/essaimage/appels/{call.pk}/']")).to_be_visible()  # the public page
    page.shot("03-call-published")
    check_axe(page, "03-call-published")
    call.refresh_from_db()
    assert call.published_at is not None

    # 4. Three organisations apply, as anonymous visitors ----------------------------------
    visitor = new_page("applicants")
    visit(visitor, "/essaimage/appels/")
    expect(visitor.locator(f"main a[href='/essaimage/appels/{call.pk}/']").first).to_be_visible()
    for index, (name, kind, commune, _department, email, capacity) in enumerate(APPLICANTS):
        apply(visitor, call, name, kind, commune, email, capacity)
        if index == 0:
            page.shot("04-application-sent", target=visitor)
            check_axe(visitor, "04-application-sent")
    assert StructureApplication.objects.filter(call=call, status=ApplicationStatus.RECEIVED).count() == 3
    assert OutgoingEmail.objects.filter(reason=STRUCTURE_APPLICATION).count() == 3

    # 5. The manager selects the three applicants from the applications page --------------
    open_innovation(page, innovation)
    page.locator(f"main a[href='/suivi/appels-structures/{call.pk}/']").click()
    page.wait_for_url(f"**/suivi/appels-structures/{call.pk}/")
    expect(page.locator(".applications-table tbody tr")).to_have_count(3)
    page.shot("05-applications")
    check_axe(page, "05-applications")
    for name, *_rest in APPLICANTS:
        application = StructureApplication.objects.get(call=call, organisation_name=name)
        page.locator(f"#app-{application.pk} button[data-bs-target='#select-{application.pk}']").click()
        modal = page.locator(f"#select-{application.pk}")
        expect(modal).to_be_visible()
        modal.locator(f"#id_select-{application.pk}-note").fill("Bienvenue dans la première vague !")
        modal.locator("button[type=submit]").click()
        page.wait_for_url(f"**/suivi/appels-structures/{call.pk}/#app-{application.pk}")
        expect(page.locator(f"#app-{application.pk} a[href^='/suivi/structures/']")).to_be_visible()
    page.shot("06-applications-selected")
    check_axe(page, "06-applications-selected")
    structures = {s.organisation.name: s for s in SpreadStructure.objects.filter(innovation=innovation)}
    assert sorted(structures) == sorted(a[0] for a in APPLICANTS)
    assert {s.status for s in structures.values()} == {StructureStatus.SELECTED}
    for name, _kind, commune, *_rest in APPLICANTS:
        assert structures[name].organisation.commune_id == commune
    # Each contact got an account (structure role) and the decision e-mail.
    for *_rest, email, _capacity in APPLICANTS:
        assert User.objects.get(email=email).has_role(Role.STRUCTURE)
    assert OutgoingEmail.objects.filter(reason=STRUCTURE_DECISION).count() == 3

    # 6. The signed partnership agreements, one per structure -----------------------------
    for index, (name, *_rest) in enumerate(APPLICANTS):
        structure = structures[name]
        application = StructureApplication.objects.get(call=call, organisation_name=name)
        visit(page, f"/suivi/appels-structures/{call.pk}/")
        page.locator(f"#app-{application.pk} a[href='/suivi/structures/{structure.pk}/']").click()
        page.wait_for_url(f"**/suivi/structures/{structure.pk}/")
        page.locator(f"main a[href='/suivi/structures/{structure.pk}/convention/']").click()
        page.wait_for_url(f"**/suivi/structures/{structure.pk}/convention/")
        page.locator("#id_file").set_input_files(pdf_file(tmp_path, f"convention-{index + 1}.pdf", "Convention"))
        page.locator("#id_signed_on").fill((today - timedelta(days=1)).isoformat())
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/suivi/structures/{structure.pk}/")
        expect(page.locator(f"main a[href='/suivi/structures/{structure.pk}/convention.pdf']")).to_be_visible()
        if index == 0:
            page.shot("07-structure-agreement-signed")
            check_axe(page, "07-structure-agreement-signed")

    # 7. Every stage II deliverable is there: the innovation moves to stage III ------------
    open_innovation(page, innovation)
    checklist_all_met(page, 5)
    page.shot("08-stage-two-complete")
    check_axe(page, "08-stage-two-complete")
    advance(page, innovation, Stage.ESSAIMAGE)
    moves = list(StageTransition.objects.filter(innovation=innovation).order_by("moved_at", "pk"))
    assert [(m.from_stage, m.to_stage, m.is_exception, m.moved_by) for m in moves] == [
        (Stage.FEASIBILITY, Stage.MOBILISATION, False, manager),
        (Stage.MOBILISATION, Stage.ESSAIMAGE, False, manager),
    ]
    expect(page.locator(f"main .stage-badge.stage-{Stage.ESSAIMAGE}")).to_be_visible()

    # 8. A training: two days, three trainees, the attendance of the first day -------------
    page.locator(f"main a[href='/suivi/formations/?innovation={innovation.pk}']").click()
    page.wait_for_url(f"**/suivi/formations/?innovation={innovation.pk}")
    page.locator("main .dropdown-toggle").click()
    page.locator(f"main .dropdown-menu a[href='/suivi/innovations/{innovation.pk}/formations/nouvelle/']").click()
    page.wait_for_url(f"**/suivi/innovations/{innovation.pk}/formations/nouvelle/")
    title = "Formation-action Passerelle – promotion 1"
    page.locator("#id_title").fill(title)
    page.locator("input[name=mode][value=on_site]").check()
    page.locator("#id_place").fill("Maison des associations, 6 cours des Alliés, Rennes")
    page.locator("#id_trainers").fill("Équipe de l'Association Passerelle et Ansa")
    page.locator("#id_wave").fill("1")
    for structure in structures.values():
        page.locator(f"input[name=structures][value='{structure.pk}']").check()
    page.shot("09-training-form")
    check_axe(page, "09-training-form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/suivi/formations/*/")
    training = Training.objects.get(innovation=innovation)
    assert page.url.endswith(f"/suivi/formations/{training.pk}/")

    first_day, second_day = today - timedelta(days=7), today + timedelta(days=21)
    for day, topic in ((first_day, "Les fondamentaux du modèle"), (second_day, "Premiers retours d'expérience")):
        page.locator("#id_date").fill(day.isoformat())
        page.locator("#id_starts_at").fill("09:30")
        page.locator("#id_ends_at").fill("17:00")
        page.locator("#id_topic").fill(topic)
        page.locator(f"form[action='/suivi/formations/{training.pk}/jours/'] button[type=submit]").click()
        page.wait_for_url(f"**/suivi/formations/{training.pk}/")
        expect_success(page)
    expect(page.locator("table.training-days tbody tr")).to_have_count(2)

    for name, trainee in zip((a[0] for a in APPLICANTS), TRAINEES, strict=True):
        form = page.locator(f"form[action='/suivi/formations/{training.pk}/stagiaires/']")
        form.locator("#id_structure").select_option(str(structures[name].pk))
        form.locator("#id_full_name").fill(trainee)
        form.locator("#id_function").fill("Conseillère en insertion professionnelle")
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"**/suivi/formations/{training.pk}/")
        expect_success(page, trainee)
    expect(page.locator(".trainee-list li")).to_have_count(3)

    day = training.days.get(date=first_day)
    page.locator(f"main a[href='/suivi/formations/jours/{day.pk}/presences/']").click()
    page.wait_for_url(f"**/suivi/formations/jours/{day.pk}/presences/")
    participants = {p.full_name: p for p in training.participants.all()}
    for trainee in TRAINEES[:2]:  # the third one was absent
        page.locator(f"#present-{participants[trainee].pk}").check()
    page.shot("10-attendance")
    check_axe(page, "10-attendance")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/suivi/formations/{training.pk}/")
    expect(page.locator("table.training-days .attendance-count")).to_have_text("2 / 3")
    page.shot("11-training")
    check_axe(page, "11-training")
    present = Attendance.objects.filter(day=day, present=True).values_list("participant__full_name", flat=True)
    assert sorted(present) == sorted(TRAINEES[:2])
    assert Attendance.objects.filter(day=day, present=False).get().participant.full_name == TRAINEES[2]
    for structure in structures.values():
        structure.refresh_from_db()
        assert structure.status == StructureStatus.TRAINING

    name, data = download(
        page,
        lambda: page.locator(f"main a[href='/suivi/formations/{training.pk}/emargement.pdf']").click(),
        tmp_path,
    )
    assert name.startswith("emargement-") and name.endswith(".pdf")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (title, *TRAINEES):
        assert expected in text, text[:600]

    # 9. The trained structures start spreading today; the programme map counts them (the
    # structures active on its date: started, not withdrawn) in their departments -------
    for structure in structures.values():
        visit(page, f"/suivi/structures/{structure.pk}/")
        form = page.locator(f"form[action='/suivi/structures/{structure.pk}/date-de-demarrage/']")
        form.locator("#id_start_date").fill(today.isoformat())
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"**/suivi/structures/{structure.pk}/")
        expect_success(page)
    visit(page, "/suivi/carte/")
    rows = page.locator("#map-figures tbody tr")
    expect(rows).to_have_count(2)  # Seine-Maritime (2), Gard (1)
    expect(rows.nth(0).locator("th")).to_contain_text("(30)")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("1")
    expect(rows.nth(1).locator("th")).to_contain_text("(76)")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("2")
    expect(page.locator("#programme-map path.leaflet-interactive").first).to_be_attached()  # drawn by Leaflet
    page.shot("12-map")
    check_axe(page, "12-map")
    response = page.request.get(f"/suivi/carte/donnees.json?innovation={innovation.pk}")
    assert response.ok
    figures = response.json()
    assert {code: d["count"] for code, d in figures["departments"].items()} == {"30": 1, "76": 2}
    assert figures["departments"]["76"]["innovations"] == [INNOVATION_NAME]
    assert (figures["totals"]["structures"], figures["totals"]["departments"], figures["totals"]["regions"]) == (
        3,
        2,
        2,
    )
