"""Keyboard only (issue 10): a carrier fills in and submits a dossier, and a structure's
contact fills in and sends a questionnaire, with Tab, Shift+Tab, arrows, Space, Enter
and typing — no click, no ``fill``, no ``check``. Addresses are opened with ``goto``
(as one types them in the address bar); everything on the page goes through
``page.keyboard``. Along the way: the focused control is visibly marked (outline or
box-shadow), the skip link leads to the main content, and axe-core finds no serious
or critical violation on the forms.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Membership, Organisation, OrganisationType, Role, User
from ais.outbox.models import OutgoingEmail
from evaluation import reminders
from evaluation.emails import EVALUATION_REMINDER
from evaluation.models import Answer, Phase, QuestionKind, Response, ResponseStatus
from projects import services
from projects.emails import DOSSIER_RECEIPT
from projects.models import DEFAULT_REQUIRED_QUESTIONS, Call, Dossier, DossierStatus
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import load_demo_territories
from tests.browser.journey_helpers import PASSWORD, visit
from tests.browser.test_evaluation_journey import (
    CONTACT_EMAIL,
    STRUCTURE_NAME,
    link_in,
    open_questionnaire,
    questions_of,
)

__all__ = ["open_questionnaire"]  # a fixture, used by name

pytestmark = pytest.mark.browser

CARRIER_EMAIL = "nadia.benali@atelier-emploi-rouen.fr"
INNOVATION_NAME = "Atelier Tremplin Clavier"
MAX_TABS = 200

FOCUS_IS_VISIBLE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return false;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return Boolean(outline || shadow);
}"""


# Keyboard helpers --------------------------------------------------------------------


def focus_matches(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector`` (if it is not there
    already): the control is in the tab order."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if focus_matches(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} is not reachable with {key}")


def arrow_to(page, selector: str) -> None:
    """In a radio group (already focused), ArrowDown until ``selector`` is focused and checked."""
    for _ in range(20):
        if focus_matches(page, selector):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"{selector} is not reachable with the arrow keys")
    if not page.locator(selector).is_checked():  # focused by Tab (the group's first), not chosen yet
        page.keyboard.press("Space")
    expect(page.locator(selector)).to_be_checked()


def expect_visible_focus(page, what: str) -> None:
    assert page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus indicator on {what}"


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("ControlOrMeta+a")  # replace what is there
    page.keyboard.type(text)


def log_in(page, email: str) -> None:
    visit(page, "/compte/connexion/")
    type_into(page, "#id_username", email)
    expect_visible_focus(page, "the e-mail field")
    type_into(page, "#id_password", PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url("**/tableau-de-bord/")


def press_enter_on(page, selector: str) -> None:
    tab_to(page, selector)
    expect_visible_focus(page, selector)
    page.keyboard.press("Enter")


# The dossier ---------------------------------------------------------------------------


@pytest.fixture
def carrier_and_call(transactional_db, settings):
    """An open call (default questions: no attachment required) and a carrier whose
    organisation is in Rouen."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    load_demo_territories()
    year = timezone.now().year
    call = Call.objects.create(
        title=f"Appel à projets {year} – Emploi au clavier",
        slug=f"appel-clavier-{year}",
        year=year,
        theme="Emploi des chômeurs de longue durée",
        description="Des innovations qui ont fait leurs preuves sur un territoire.",
        eligibility="Associations et SIAE portant une innovation depuis au moins deux ans.",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
        published_at=timezone.now() - timedelta(hours=1),
        required_questions=list(DEFAULT_REQUIRED_QUESTIONS),
    )
    services.add_default_grid(call)
    organisation = Organisation.objects.create(
        name="Atelier Emploi Rouen", kind=OrganisationType.ASSOCIATION, commune_id="76540"
    )
    carrier = User.objects.create_user(CARRIER_EMAIL, PASSWORD, first_name="Nadia", last_name="Benali")
    Membership.objects.create(user=carrier, role=Role.CARRIER, organisation=organisation)
    return call


def answer_section(page, answer) -> None:
    """Answer the step's questions with the keyboard, Tab out of the last one (its
    'change' saves sooner), wait for the autosave, then Enter on 'Save and continue'."""
    answer()
    page.keyboard.press("Tab")
    # htmx saves 0.5 s after a change, 1.5 s after typing; a save in flight when the form is
    # sent would carry an old version: let the last one land first.
    page.wait_for_timeout(1700)
    expect(page.locator("form.dossier-form.htmx-request")).to_have_count(0)
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    next_step(page)


def next_step(page) -> None:
    current = page.url
    press_enter_on(page, "form.dossier-form button[name=next]")
    page.wait_for_url(lambda url: url != current)


@pytest.mark.long
def test_carrier_fills_and_submits_a_dossier_with_the_keyboard_alone(page, carrier_and_call):
    call = carrier_and_call

    # The skip link, first stop of the page, leads to the main content.
    visit(page, f"/appels/{call.slug}/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller au contenu")
    expect(page.locator(":focus")).to_be_visible()
    expect_visible_focus(page, "the skip link")
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    # From the main content, Shift+Tab goes back up into the header.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => !!document.activeElement.closest('header')"), "Shift+Tab did not go back up"

    log_in(page, CARRIER_EMAIL)
    visit(page, f"/appels/{call.slug}/")
    press_enter_on(page, f"main form[action='/appels/{call.slug}/candidater/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/dossiers/\d+/organisation/$"))
    dossier = Dossier.objects.get(call=call)

    # Organisation: already known; the address is added.
    type_into(page, "#id_address", "4 place du Vieux-Marché")
    expect_visible_focus(page, "a text field")
    page.shot("01-organisation")
    check_axe(page, "01-organisation")
    next_step(page)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/innovation/")

    def innovation():
        type_into(page, "#id_innovation_name", INNOVATION_NAME)
        type_into(page, "#id_summary", "Des ateliers pour reprendre confiance et retrouver un emploi durable.")
        type_into(page, "#id_year_started", "2020")
        type_into(page, "#id_description", "Trois mois d'ateliers collectifs puis un suivi individuel en entreprise.")
        # Back up with Shift+Tab: the name is still there.
        tab_to(page, "#id_innovation_name", backwards=True)
        expect(page.locator("#id_innovation_name")).to_have_value(INNOVATION_NAME)
        tab_to(page, "#id_description")

    answer_section(page, innovation)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/territory/")

    def territory():
        # The commune picker (tom-select): type, then choose the suggestion with the keyboard.
        tab_to(page, "#id_origin_commune-ts-control")
        page.keyboard.type("Rouen", delay=30)
        expect(page.locator("#id_origin_commune-ts-dropdown .option[data-value='76540']")).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.locator("#id_origin_commune")).to_have_value("76540")
        type_into(page, "#id_territory_description", "Quartiers prioritaires de la rive gauche.")

    answer_section(page, territory)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/publics/")

    def publics():
        for selector in ("input[name=publics][value=deld]", "input[name=publics][value=qpv]"):
            tab_to(page, selector)
            expect_visible_focus(page, "a checkbox")
            page.keyboard.press("Space")
            expect(page.locator(selector)).to_be_checked()

    answer_section(page, publics)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/results/")

    def results():
        type_into(page, "#id_people_accompanied", "36")
        type_into(page, "#id_exits_to_employment", "21")
        type_into(page, "#id_results_period", "2023–2024")

    answer_section(page, results)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/process/")

    def process():
        tab_to(page, "input[name=formalisation_level]")  # one tab stop for the radio group
        arrow_to(page, "input[name=formalisation_level][value=documented]")
        expect_visible_focus(page, "a radio button")
        type_into(page, "#id_process_description", "Diagnostic, ateliers, immersion, contrat, suivi à six mois.")

    answer_section(page, process)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/transposition/")

    def transposition():
        type_into(page, "#id_transposition_will", "Ouvrir des ateliers dans deux autres quartiers.")
        type_into(page, "#id_transposition_capacity", "Une coordinatrice à mi-temps pendant deux ans.")

    answer_section(page, transposition)
    page.wait_for_url(f"**/dossiers/{dossier.pk}/resources/")
    next_step(page)  # resources are optional
    page.wait_for_url(f"**/dossiers/{dossier.pk}/pieces/")

    # Back to the summary through the dossier's navigation, then submit.
    press_enter_on(page, f".dossier-nav a[href='/dossiers/{dossier.pk}/']")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    submit = f".submit-box form[action='/dossiers/{dossier.pk}/deposer/'] button[type=submit]"
    expect(page.locator(submit)).to_be_visible()
    page.shot("02-review")
    check_axe(page, "02-review")
    press_enter_on(page, submit)
    expect(page.locator("main .dossier-status-submitted").first).to_be_visible()
    page.shot("03-submitted")

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.organisation.address == "4 place du Vieux-Marché"
    assert (dossier.innovation_name, dossier.year_started) == (INNOVATION_NAME, 2020)
    assert (dossier.origin_commune_id, dossier.publics) == ("76540", ["deld", "qpv"])
    assert (dossier.people_accompanied, dossier.exits_to_employment) == (36, 21)
    assert dossier.formalisation_level == "documented"
    assert OutgoingEmail.objects.filter(recipient=CARRIER_EMAIL, reason=DOSSIER_RECEIPT).count() == 1


# The questionnaire -----------------------------------------------------------------------

TEXTS = {
    QuestionKind.SHORT_TEXT: "La directrice et deux conseillers",
    QuestionKind.LONG_TEXT: "Les partenaires ont suivi ; les ateliers ont été adaptés au public du quartier.",
}
CHOICE_KINDS = (QuestionKind.SCALE, QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


def answer_with_keyboard(page, question) -> str:
    """Reach the question with Tab and answer it with the keyboard; returns the value kept."""
    box = f"#question-{question.pk}"
    kind = question.kind
    if kind in TEXTS:
        type_into(page, f"#q-{question.pk}", TEXTS[kind])
        return TEXTS[kind]
    if kind in (QuestionKind.INTEGER, QuestionKind.PERCENTAGE):
        value = str(question.min_value if question.min_value and question.min_value > 3 else 3)
        type_into(page, f"#q-{question.pk}", value)
        return value
    if kind == QuestionKind.DATE:
        day = timezone.localdate() - timedelta(days=30)
        tab_to(page, f"#q-{question.pk}")
        page.keyboard.type(day.strftime("%d%m%Y"))  # day, month, year segments (fr-FR)
        return day.isoformat()
    if kind == QuestionKind.MULTIPLE_CHOICE:
        tab_to(page, f"{box} input.form-check-input")  # the first box of the group
        page.keyboard.press("Space")
        return page.evaluate("() => document.activeElement.value")
    # One tab stop per radio group; the arrows move and check.
    tab_to(page, f"{box} input[type=radio]")
    if kind == QuestionKind.SINGLE_CHOICE:
        page.keyboard.press("Space")  # the first option
        return page.evaluate("() => document.activeElement.value")
    wanted = "4" if kind == QuestionKind.SCALE else "yes"
    arrow_to(page, f"{box} input[value='{wanted}']")
    return wanted


def answer_and_wait(page, question) -> str:
    with page.expect_response(lambda r: f"/reponses/{question.pk}/" in r.url and r.request.method == "POST") as info:
        value = answer_with_keyboard(page, question)
        if question.kind not in CHOICE_KINDS:  # checking a box fires 'change' at once
            page.keyboard.press("Tab")  # leaving the field, as a person moves on
    assert info.value.ok, f"autosave of {question.code}: HTTP {info.value.status}"
    expect(page.locator(f"#status-{question.pk}")).to_contain_text("Enregistré")
    return value


def test_structure_contact_fills_and_sends_a_questionnaire_with_the_keyboard_alone(page, open_questionnaire):
    structure = open_questionnaire
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)
    assert reminders.send_due_reminders() == 1
    email = OutgoingEmail.objects.get(recipient=CONTACT_EMAIL, reason=EVALUATION_REMINDER)

    # The e-mailed link's page: a button opens the questionnaire.
    visit(page, link_in(email))
    expect(page.locator("main")).to_contain_text(STRUCTURE_NAME)
    press_enter_on(page, "main form[method=post] button[type=submit]")
    page.wait_for_url(f"**/questionnaires/{response.pk}/")
    expect(page.locator("#questionnaire-form")).to_be_visible()
    page.shot("01-questionnaire")
    check_axe(page, "01-questionnaire")

    questions = questions_of(response)
    kept = {}
    for question in questions:
        kept[question.pk] = answer_and_wait(page, question)
    page.wait_for_timeout(1200)  # a delayed 'input' save may follow the 'change' one
    expect(page.locator(".question.htmx-request")).to_have_count(0)
    expect(page.locator(".question .text-danger")).to_have_count(0)
    page.shot("02-answered")
    check_axe(page, "02-answered")

    # The send button is after the form in the page: Shift+Tab would also reach it; Tab does.
    press_enter_on(page, f".submit-box button[formaction='/questionnaires/{response.pk}/envoyer/']")
    page.wait_for_url(f"**/questionnaires/{response.pk}/")
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator("#questionnaire-form")).to_have_count(0)
    page.shot("03-sent")

    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert Answer.objects.filter(response=response, value__isnull=False).count() == len(questions)
    long_text = next((q for q in questions if q.kind == QuestionKind.LONG_TEXT), None)
    if long_text is not None:
        assert Answer.objects.get(response=response, question=long_text).value == TEXTS[QuestionKind.LONG_TEXT]
    assert {q.kind for q in questions} & set(CHOICE_KINDS), "the questionnaire should have choices to make"
