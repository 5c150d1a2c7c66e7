"""A carrier's whole journey in a real browser, from the public call to the
eligibility decision: sign-up and e-mail confirmation, a dossier filled in over
two visits (autosave between them), an attachment, submission, the PDF, then the
programme manager's screening.

Selectors use element ids, names and URLs rather than visible text (the French
catalogue changes while the app is built); visible text is asserted in French.
"""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Membership, Role, User
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from projects import services
from projects.emails import DOSSIER_ELIGIBILITY, DOSSIER_RECEIPT
from projects.models import DEFAULT_REQUIRED_QUESTIONS, Call, Dossier, DossierStatus
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import CSP_LISTENER, load_demo_territories

pytestmark = pytest.mark.browser

CARRIER_EMAIL = "claire.martin@regie-saint-nicaise.fr"
CARRIER_PASSWORD = "Seine-Emploi-Rouen-2025!"
MANAGER_EMAIL = "paul.renard@ansa.fr"
MANAGER_PASSWORD = "Programme-Ansa-Gestion-7"
INNOVATION_NAME = "Passerelle Seine Emploi"
DESCRIPTION = (
    "Un binôme conseiller et employeur accompagne chaque personne du premier rendez-vous "
    "jusqu'à six mois après l'embauche."
)
AUTOSAVED = re.compile(r"\d{1,2}:\d{2}")  # « Enregistré à 14:05. »


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"
    return response


def log_in(page, email: str, password: str) -> None:
    visit(page, "/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")


def log_out(page) -> None:
    page.locator("#account-menu").click()
    page.locator(".navbar form[action$='/deconnexion/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    expect(page.locator(".navbar a[href^='/compte/connexion/']")).to_be_visible()


def pick_commune(page, select_id: str, text: str, code: str) -> None:
    """Type in the tom-select picker and choose the commune from the suggestions."""
    control = page.locator(f"#{select_id}-ts-control")
    control.click()
    control.press_sequentially(text, delay=30)
    option = page.locator(f"#{select_id}-ts-dropdown .option[data-value='{code}']")
    option.click()
    expect(page.locator(f"#{select_id}")).to_have_value(code)


def is_autosave(response) -> bool:
    return response.request.method == "POST" and response.request.headers.get("hx-request") == "true"


def autosave(page, fill) -> None:
    """Run ``fill`` (typing into the step's form), then wait for the autosave.

    htmx posts the form 1.5 s after the last keystroke, 0.5 s after a change
    (leaving a field): each event restarts the delay, so the one request carries
    all the answers. Leaving the last field, as a person does, saves sooner.
    """
    with page.expect_response(is_autosave) as info:
        fill()
        page.evaluate("document.activeElement && document.activeElement.blur()")
    assert info.value.ok, f"autosave: HTTP {info.value.status}"
    expect(page.locator("#save-status")).to_contain_text(AUTOSAVED)


def save_and_continue(page, next_section: str) -> None:
    page.locator("form.dossier-form button[name=next]").click()
    page.wait_for_url(f"**/{next_section}/")


def pdf_bytes() -> bytes:
    """A small, plain, valid PDF (one blank page; no active content)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Rapport d'évaluation 2024"})
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-32:] and b"/JS" not in data
    return data


@pytest.fixture
def open_call(transactional_db):
    load_demo_territories()  # Rouen (76540) and the other demo communes
    year = timezone.now().year
    call = Call.objects.create(
        title=f"Appel à projets {year} – Innovations pour l'emploi",
        slug=f"appel-a-projets-{year}",
        year=year,
        theme="Emploi des chômeurs de longue durée",
        description="Nous cherchons des innovations qui ont fait leurs preuves sur un territoire.",
        eligibility="Associations, SIAE et collectivités portant une innovation depuis au moins deux ans.",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
        published_at=timezone.now() - timedelta(hours=1),
        required_questions=[*DEFAULT_REQUIRED_QUESTIONS, "attachments"],
    )
    services.add_default_grid(call)
    manager = User.objects.create_user(MANAGER_EMAIL, MANAGER_PASSWORD, first_name="Paul", last_name="Renard")
    Membership.objects.create(user=manager, role=Role.MANAGER)
    return call


@pytest.mark.long
def test_dossier_journey_from_signup_to_eligibility(page, browser, live_server, open_call, tmp_path):
    call = open_call

    # 1. A visitor finds the open call and creates an account to apply ---------------
    visit(page, "/appels/")
    page.locator(f"main a[href='/appels/{call.slug}/']").first.click()
    page.wait_for_url(f"**/appels/{call.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
    page.shot("01-call")
    check_axe(page, "01-call")
    page.locator("main a[href^='/compte/inscription/']").click()
    page.wait_for_url(re.compile(r"/compte/inscription/\?next="))
    expect(page.locator("main input[name=next]")).to_have_value(f"/appels/{call.slug}/")

    page.locator("#id_first_name").fill("Claire")
    page.locator("#id_last_name").fill("Martin")
    page.locator("#id_email").fill(CARRIER_EMAIL)
    page.locator("#id_job_title").fill("Directrice")
    page.locator("#id_organisation_name").fill("Régie de quartier Saint-Nicaise")
    page.locator("#id_organisation_kind").select_option("regie")
    pick_commune(page, "id_commune", "Rouen", "76540")
    page.locator("#id_password1").fill(CARRIER_PASSWORD)
    page.locator("#id_password2").fill(CARRIER_PASSWORD)
    page.locator("#id_accept").check()
    page.shot("02-signup")
    check_axe(page, "02-signup")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/compte/inscription/envoye/")
    expect(page.locator("main")).to_contain_text(CARRIER_EMAIL)
    page.shot("03-check-your-mailbox")
    check_axe(page, "03-check-your-mailbox")

    user = User.objects.get(email=CARRIER_EMAIL)
    assert not user.is_active
    assert user.memberships.get().role == Role.CARRIER
    confirmation = OutgoingEmail.objects.get(recipient=CARRIER_EMAIL, reason=reasons.SIGNUP_CONFIRMATION)
    link = re.search(r"https?://\S+/compte/activer/\S+", confirmation.body)
    assert link, confirmation.body
    url = urlsplit(link.group(0))
    visit(page, f"{url.path}?{url.query}")  # the link's host is SITE_URL: open it on the live server
    page.wait_for_url(f"**/appels/{call.slug}/")  # back on the call (next)
    user.refresh_from_db()
    assert user.is_active
    expect(page.locator("#account-menu")).to_contain_text("Claire Martin")
    page.shot("04-confirmed")
    check_axe(page, "04-confirmed")

    # 2. First visit: start the dossier, organisation and innovation steps ------------
    page.locator(f"main form[action='/appels/{call.slug}/candidater/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dossiers/\d+/organisation/$"))
    dossier = Dossier.objects.get(call=call)
    assert dossier.organisation.name == "Régie de quartier Saint-Nicaise"
    expect(page.locator("#id_name")).to_have_value("Régie de quartier Saint-Nicaise")
    expect(page.locator("#id_commune")).to_have_value("76540")
    page.locator("#id_address").fill("12 rue Saint-Nicaise")  # SIRET is optional: left empty
    page.shot("05-organisation")
    check_axe(page, "05-organisation")
    save_and_continue(page, "innovation")
    dossier.organisation.refresh_from_db()
    assert dossier.organisation.address == "12 rue Saint-Nicaise"

    def fill_innovation():
        page.locator("#id_innovation_name").fill(INNOVATION_NAME)
        page.locator("#id_summary").fill("Un binôme conseiller-employeur pour chaque chômeur de longue durée.")
        page.locator("#id_year_started").fill("2019")
        page.locator("#id_description").fill(DESCRIPTION)

    autosave(page, fill_innovation)
    page.shot("06-innovation-autosaved")
    check_axe(page, "06-innovation-autosaved")
    dossier.refresh_from_db()
    assert (dossier.innovation_name, dossier.year_started, dossier.description) == (INNOVATION_NAME, 2019, DESCRIPTION)
    log_out(page)

    # 3. Second visit: the autosaved answers are there; the other steps ---------------
    log_in(page, CARRIER_EMAIL, CARRIER_PASSWORD)
    page.locator("#main-nav a[href='/dossiers/']").click()
    page.wait_for_url("**/dossiers/")
    page.locator(f"main a[href='/dossiers/{dossier.pk}/']").click()
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(INNOVATION_NAME)
    expect(page.locator("main")).to_contain_text(DESCRIPTION)
    page.shot("07-second-visit")
    check_axe(page, "07-second-visit")
    page.locator(f"main a[href='/dossiers/{dossier.pk}/innovation/']").click()
    expect(page.locator("#id_innovation_name")).to_have_value(INNOVATION_NAME)
    expect(page.locator("#id_description")).to_have_value(DESCRIPTION)
    save_and_continue(page, "territory")

    def fill_territory():
        pick_commune(page, "id_origin_commune", "Rouen", "76540")
        page.locator("#id_territory_description").fill("Quartiers prioritaires des Hauts de Rouen.")

    autosave(page, fill_territory)
    save_and_continue(page, "publics")

    def fill_publics():
        page.locator("input[name=publics][value=deld]").check()
        page.locator("input[name=publics][value=qpv]").check()
        page.locator("input[name=keywords][value=accompagnement_individuel]").check()

    autosave(page, fill_publics)
    page.shot("08-publics")
    check_axe(page, "08-publics")
    save_and_continue(page, "results")

    # A mistake: more exits to employment than people accompanied.
    def fill_results_wrongly():
        page.locator("#id_people_accompanied").fill("40")
        page.locator("#id_exits_to_employment").fill("55")
        page.locator("#id_results_period").fill("2023–2024")

    with page.expect_response(is_autosave):
        fill_results_wrongly()
        page.evaluate("document.activeElement && document.activeElement.blur()")
    expect(page.locator("#save-status .text-danger")).to_be_visible()  # the autosave refuses it too
    with page.expect_response(lambda r: r.request.method == "POST" and not is_autosave(r)) as info:
        page.locator("form.dossier-form button[name=next]").click()
    assert info.value.status == 400
    page.wait_for_load_state()
    # Chrome logs the 400 answer as a console error: expected here, and only here.
    expected = [e for e in page.console_errors if "status of 400" in e]
    assert len(expected) == 1, page.console_errors
    page.console_errors.remove(expected[0])
    assert page.url.endswith(f"/dossiers/{dossier.pk}/results/")
    exits = page.locator("#id_exits_to_employment")
    expect(exits).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#error_1_id_exits_to_employment")).to_be_visible()
    expect(page.locator("#id_people_accompanied")).to_have_value("40")
    expect(exits).to_have_value("55")
    expect(page.locator("#id_results_period")).to_have_value("2023–2024")
    page.shot("09-results-error")
    check_axe(page, "09-results-error")
    # Playwright's screenshot (caret hiding) leaves style="" on the form fields; htmx
    # would copy it when it next swaps #id_version (attributesToSettle includes
    # "style") and the CSP would rightly refuse it. Undo the screenshot's trace.
    page.evaluate("document.querySelectorAll('[style=\"\"]').forEach((e) => e.removeAttribute('style'))")
    dossier.refresh_from_db()
    assert dossier.exits_to_employment is None

    autosave(page, lambda: exits.fill("28"))
    save_and_continue(page, "process")

    def fill_process():
        page.locator("input[name=formalisation_level][value=documented]").check()
        page.locator("#id_process_description").fill("Diagnostic, immersion en entreprise, contrat, suivi à six mois.")

    autosave(page, fill_process)
    save_and_continue(page, "transposition")

    def fill_transposition():
        page.locator("#id_transposition_will").fill("Faire profiter d'autres quartiers de la méthode.")
        page.locator("#id_transposition_capacity").fill("Une cheffe de projet à mi-temps pendant trois ans.")

    autosave(page, fill_transposition)
    save_and_continue(page, "resources")
    save_and_continue(page, "pieces")  # resources are optional in this call; attachments next

    pdf = tmp_path / "rapport-evaluation-2024.pdf"
    pdf.write_bytes(pdf_bytes())
    page.locator("main input[type=file][name=file]").set_input_files(pdf)
    page.locator("main #id_description").fill("Rapport d'évaluation 2024")
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_url(f"**/dossiers/{dossier.pk}/pieces/")
    expect(page.locator("main .list-group a")).to_have_text("rapport-evaluation-2024.pdf")
    expect(page.locator("#completeness-label")).to_contain_text("100")
    page.shot("10-attachments")
    check_axe(page, "10-attachments")

    # Review and submit.
    page.locator(f".dossier-nav a[href='/dossiers/{dossier.pk}/']").click()
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    submit = page.locator(f".submit-box form[action='/dossiers/{dossier.pk}/deposer/'] button[type=submit]")
    expect(submit).to_be_visible()
    expect(page.locator("main .badge.text-bg-warning")).to_have_count(0)  # no section "incomplete"
    page.shot("11-review")
    check_axe(page, "11-review")
    submit.click()
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    expect(page.locator("main .dossier-status-submitted").first).to_be_visible()
    expect(page.locator(".submit-box")).to_have_count(0)
    page.shot("12-submitted")
    check_axe(page, "12-submitted")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.submitted_at is not None
    assert (dossier.origin_commune_id, dossier.publics) == ("76540", ["deld", "qpv"])
    assert (dossier.people_accompanied, dossier.exits_to_employment) == (40, 28)
    assert OutgoingEmail.objects.filter(recipient=CARRIER_EMAIL, reason=DOSSIER_RECEIPT).count() == 1

    with page.expect_download() as download_info:
        page.locator(f"main a[href='/dossiers/{dossier.pk}/pdf/']").click()
    download = download_info.value
    assert download.suggested_filename == f"dossier-{dossier.pk}-{call.slug}.pdf"
    saved = tmp_path / "dossier-telecharge.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    from pypdf import PdfReader

    text = " ".join((p.extract_text() or "") for p in PdfReader(saved).pages)
    assert INNOVATION_NAME in " ".join(text.split()), text[:500]

    # 4. The programme manager screens the call and finds the dossier eligible ---------
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    manager_page = context.new_page()
    manager_errors = []
    manager_page.on(
        "console", lambda m: manager_errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
    )
    manager_page.on("pageerror", lambda error: manager_errors.append(f"page error: {error}"))
    try:
        log_in(manager_page, MANAGER_EMAIL, MANAGER_PASSWORD)
        manager_page.locator("#main-nav a[href='/gestion/appels/']").click()
        manager_page.wait_for_url("**/gestion/appels/")
        manager_page.locator(f"main a[href='/gestion/appels/{call.pk}/dossiers/']").click()
        manager_page.wait_for_url(f"**/gestion/appels/{call.pk}/dossiers/")
        page.shot("13-screening", target=manager_page)
        check_axe(manager_page, "13-screening")
        manager_page.locator(f"main a[href='/gestion/dossiers/{dossier.pk}/']").click()
        manager_page.wait_for_url(f"**/gestion/dossiers/{dossier.pk}/")
        expect(manager_page.get_by_role("heading", level=1)).to_have_text(INNOVATION_NAME)
        manager_page.locator("input[name=decision][value=eligible]").check()
        page.shot("14-eligibility", target=manager_page)
        check_axe(manager_page, "14-eligibility")
        manager_page.locator(f"form[action='/gestion/dossiers/{dossier.pk}/eligibilite/'] button[type=submit]").click()
        manager_page.wait_for_url(f"**/gestion/dossiers/{dossier.pk}/")
        expect(manager_page.locator("main .dossier-status-eligible").first).to_be_visible()
        page.shot("15-eligible", target=manager_page)
        check_axe(manager_page, "15-eligible")
    finally:
        context.close()
    assert not manager_errors, "Errors in the manager's browser console:\n" + "\n".join(manager_errors)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ELIGIBLE
    assert dossier.decided_by.email == MANAGER_EMAIL
    assert OutgoingEmail.objects.filter(recipient=CARRIER_EMAIL, reason=DOSSIER_ELIGIBILITY).count() == 1

    # The carrier sees the decision.
    page.reload()
    expect(page.locator("main .dossier-status-eligible").first).to_be_visible()
    page.shot("16-carrier-sees-eligible")
    check_axe(page, "16-carrier-sees-eligible")
