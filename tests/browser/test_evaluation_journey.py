"""The 3-month questionnaire of a spread structure in a real browser (issue 6,
"done when" 4): the structure's start date schedules its questionnaires; the
reminder sweep e-mails the contact a personal link when the first one opens. The
contact opens the e-mailed link (no account needed), answers half of the
questions (each answer saves as it is typed), leaves; comes back in another
browser, where the old link no longer works and the page offers a new one, which
comes by e-mail; the answers are still there; the contact finishes and sends the
questionnaire. Then the programme manager sees it on the follow-up page with the
response rate, opens and validates it, and downloads the phase's exports (CSV and
XLSX), which hold the structure's row and the question codes.

The contact's two visits and the manager are three browser contexts.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from ais.accounts.models import Membership, Organisation, OrganisationType, Role, User
from ais.outbox.models import OutgoingEmail
from essaimage import services as essaimage_services
from essaimage.models import SpreadStructure, StructureStatus
from evaluation import reminders
from evaluation.emails import EVALUATION_REMINDER
from evaluation.models import Answer, Phase, QuestionKind, Reminder, ReminderKind, Response, ResponseStatus
from projects.models import Innovation, Stage
from tests.browser.axe_helpers import check_axe
from tests.browser.conftest import load_demo_territories
from tests.browser.journey_helpers import PASSWORD, download, expect_success, log_in, new_page, visit

__all__ = ["new_page"]  # a fixture, used by name

pytestmark = pytest.mark.browser

MANAGER_EMAIL = "thomas.girard@ansa.fr"
CONTACT_EMAIL = "amandine.petit@regie-rouen-sud.fr"
STRUCTURE_NAME = "Régie de quartier Rouen Sud"
INNOVATION_NAME = "Atelier Mobilité Solidaire"
LINK = re.compile(r"https?://[^\s]+(/questionnaires/acces/[A-Za-z0-9_-]+/)")


@pytest.fixture
def open_questionnaire(transactional_db, settings):
    """A structure that started spreading three months and two days ago (its 3-month
    questionnaire opened two days ago), its contact (an account with the structure
    role) and a programme manager."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    load_demo_territories()  # Rouen (76540)…
    manager = User.objects.create_user(MANAGER_EMAIL, PASSWORD, first_name="Thomas", last_name="Girard")
    Membership.objects.create(user=manager, role=Role.MANAGER)
    carrier = Organisation.objects.create(name="Mobilité 35", kind=OrganisationType.ASSOCIATION, commune_id="35238")
    innovation = Innovation.objects.create(
        name=INNOVATION_NAME,
        slug="atelier-mobilite-solidaire",
        summary="Lever les freins de mobilité des chômeurs de longue durée.",
        carrier=carrier,
        origin_commune_id="35238",
        stage=Stage.ESSAIMAGE,
        lead_manager=manager,
        is_published=True,
    )
    organisation = Organisation.objects.create(name=STRUCTURE_NAME, kind=OrganisationType.REGIE, commune_id="76540")
    structure = SpreadStructure.objects.create(
        innovation=innovation, organisation=organisation, status=StructureStatus.SELECTED, wave=1
    )
    contact = User.objects.create_user(CONTACT_EMAIL, PASSWORD, first_name="Amandine", last_name="Petit")
    Membership.objects.create(user=contact, role=Role.STRUCTURE, organisation=organisation)
    start = timezone.localdate() - relativedelta(months=3) - timedelta(days=2)
    essaimage_services.set_start_date(structure, start, by=manager)  # the evaluation hook schedules
    return structure


def questions_of(response: Response) -> list:
    """The questionnaire's questions in page order."""
    return list(response.version.questions.select_related("section").order_by("section__position", "position", "pk"))


# What the contact answers, by kind (numbers within every bound and consistency rule).
TEXTS = {
    QuestionKind.SHORT_TEXT: "Deux conseillères et la directrice",
    QuestionKind.LONG_TEXT: "Les élus ont soutenu le projet dès le départ ; l'équipe a adapté les ateliers.",
}


def answer_question(page, question) -> str:
    """Answer one question as a person does; returns what the page should keep."""
    box = page.locator(f"#question-{question.pk}")
    kind = question.kind
    if kind in TEXTS:
        box.locator(f"#q-{question.pk}").fill(TEXTS[kind])
        return TEXTS[kind]
    if kind in (QuestionKind.INTEGER, QuestionKind.PERCENTAGE):
        value = str(question.min_value if question.min_value and question.min_value > 3 else 3)
        box.locator(f"#q-{question.pk}").fill(value)
        return value
    if kind == QuestionKind.DATE:
        value = (timezone.localdate() - timedelta(days=30)).isoformat()
        box.locator(f"#q-{question.pk}").fill(value)
        return value
    if kind == QuestionKind.SCALE:
        box.locator("input[value='4']").check()
        return "4"
    if kind == QuestionKind.YES_NO:
        box.locator("input[value='yes']").check()
        return "yes"
    # single or multiple choice: the first option
    first = box.locator("input.form-check-input").first
    first.check()
    return first.get_attribute("value")


def answer_and_wait(page, question) -> str:
    """Answer, leave the field (as a person moves on), wait until the page says it is saved."""
    with page.expect_response(lambda r: f"/reponses/{question.pk}/" in r.url and r.request.method == "POST") as info:
        value = answer_question(page, question)
        page.evaluate("document.activeElement && document.activeElement.blur()")
    assert info.value.ok, f"autosave of {question.code}: HTTP {info.value.status}"
    expect(page.locator(f"#status-{question.pk}")).to_contain_text("Enregistré")
    return value


def settle(page) -> None:
    """No save in flight (a delayed 'input' save may follow the 'change' one)."""
    page.wait_for_timeout(1200)
    expect(page.locator(".question.htmx-request")).to_have_count(0)
    expect(page.locator(".question-conflict")).to_have_count(0)
    expect(page.locator(".question .text-danger")).to_have_count(0)  # "not saved" messages


def link_in(email: OutgoingEmail) -> str:
    found = LINK.search(email.body)
    assert found, email.body
    return found.group(1)


def open_link(page, path: str, response: Response) -> None:
    """An e-mailed link: a page that names the questionnaire and a button (mail scanners
    only follow the GET); the button spends the link and goes to the questionnaire's
    address, without the token."""
    visit(page, path)
    expect(page.locator("main")).to_contain_text(STRUCTURE_NAME)
    with page.expect_response(lambda r: r.request.method == "POST" and path in r.url) as info:
        page.locator("main form[method=post] button[type=submit]").click()
    # A form sent from a page with 'Referrer-Policy: no-referrer' carries 'Origin: null', which
    # Django's CSRF check refuses: the link pages must keep a same-origin referrer.
    assert info.value.status == 302, f"The link's button answered {info.value.status}"
    page.wait_for_url(f"**/questionnaires/{response.pk}/")
    assert "acces" not in page.url


def request_new_link(page) -> None:
    """The form offered on the spent link's page: a new link by e-mail."""
    form = page.locator("form[action='/questionnaires/nouveau-lien/']")
    form.locator("input[name=email]").fill(CONTACT_EMAIL)
    with page.expect_response(lambda r: r.request.method == "POST" and "/nouveau-lien/" in r.url) as info:
        form.locator("button[type=submit]").click()
    assert info.value.status == 200, f"Asking for a new link answered {info.value.status}"
    page.wait_for_url("**/questionnaires/nouveau-lien/")
    expect(page.locator("main")).to_contain_text(CONTACT_EMAIL)


def expect_kept(page, question, value) -> None:
    box = page.locator(f"#question-{question.pk}")
    if question.kind in (
        QuestionKind.SCALE,
        QuestionKind.YES_NO,
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
    ):
        expect(box.locator(f"input[value='{value}']")).to_be_checked()
    else:
        expect(box.locator(f"#q-{question.pk}")).to_have_value(value)


def test_contact_answers_from_the_emailed_link_in_two_goes_and_the_manager_validates_and_exports(
    page, new_page, open_questionnaire, tmp_path
):
    structure = open_questionnaire
    responses = {r.phase: r for r in Response.objects.filter(structure=structure)}
    assert sorted(responses) == sorted(Phase.values)  # three questionnaires scheduled
    response = responses[Phase.APPROPRIATION]
    today = timezone.localdate()
    assert response.opens_on <= today < response.due_on
    assert all(r.opens_on > today for phase, r in responses.items() if phase != Phase.APPROPRIATION)

    # 0. The hourly sweep e-mails the contact a personal link (once, even if run again) ----
    assert reminders.send_due_reminders() == 1
    assert reminders.send_due_reminders() == 0
    assert list(Reminder.objects.filter(response=response).values_list("kind", flat=True)) == [ReminderKind.OPENING]
    emails = OutgoingEmail.objects.filter(recipient=CONTACT_EMAIL, reason=EVALUATION_REMINDER)
    assert emails.count() == 1
    first_link = link_in(emails.get())

    questions = questions_of(response)
    assert len(questions) >= 6
    half = len(questions) // 2
    kept = {}

    # 1. First visit: the e-mailed link, half of the answers -------------------------------
    contact = new_page("contact, first visit")
    open_link(contact, first_link, response)
    expect(contact.locator("#questionnaire-form")).to_be_visible()
    expect(contact.locator("main")).to_contain_text(STRUCTURE_NAME)
    page.shot("01-questionnaire-opened", target=contact)
    check_axe(contact, "01-questionnaire-opened")
    for question in questions[:half]:
        kept[question.pk] = answer_and_wait(contact, question)
    settle(contact)
    page.shot("02-half-answered", target=contact)
    check_axe(contact, "02-half-answered")
    assert Answer.objects.filter(response=response, value__isnull=False).count() == half
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_PROGRESS
    contact.context.close()  # the contact closes the browser

    # 2. Second visit, in another browser: the old link is spent; a new one is sent --------
    again = new_page("contact, second visit")
    reply = again.goto(first_link)
    assert reply is not None and reply.status == 410
    gone = [e for e in again.console_errors if "status of 410" in e]  # Chromium logs the page's own status
    assert len(gone) == 1
    again.console_errors.remove(gone[0])
    expect(again.locator("main")).to_contain_text("déjà été utilisé")
    expect(again.locator("#questionnaire-form")).to_have_count(0)  # a replayed link never shows it
    page.shot("03-link-already-used", target=again)
    check_axe(again, "03-link-already-used")
    request_new_link(again)
    new_emails = emails.exclude(body__contains=first_link).order_by("-created_at")
    assert new_emails.count() == 1
    second_link = link_in(new_emails.first())
    assert second_link != first_link
    open_link(again, second_link, response)
    for question in questions[:half]:  # the first half is still there
        expect_kept(again, question, kept[question.pk])

    # 3. The contact finishes and sends the questionnaire ----------------------------------
    for question in questions[half:]:
        kept[question.pk] = answer_and_wait(again, question)
    settle(again)
    page.shot("04-all-answered", target=again)
    check_axe(again, "04-all-answered")
    again.locator(f".submit-box button[formaction='/questionnaires/{response.pk}/envoyer/']").click()
    again.wait_for_url(f"**/questionnaires/{response.pk}/")
    expect_success(again)
    expect(again.locator("#questionnaire-form")).to_have_count(0)  # read-only now
    page.shot("05-submitted", target=again)
    check_axe(again, "05-submitted")
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_at is not None
    assert Answer.objects.filter(response=response, value__isnull=False).count() == len(questions)
    assert not response.links.filter(revoked_at__isnull=True, used_at__isnull=True).exists()

    # 4. The manager sees it, with the response rate, and validates it ---------------------
    log_in(page, MANAGER_EMAIL)
    visit(page, "/suivi/evaluation/")
    stats = page.locator("section[aria-labelledby=overview-title] .stat-value")
    expect(stats.nth(0)).to_have_text(re.compile(r"^100\s*%$"))  # 1 answered out of 1 open so far
    expect(stats.nth(1)).to_have_text(re.compile(r"^1\s*/\s*1$"))
    rates = page.locator("table.eval-rates").first
    expect(rates.locator("tbody tr")).to_have_count(1)
    expect(rates.locator("tbody tr th")).to_contain_text(INNOVATION_NAME)
    to_validate = page.locator("section[aria-labelledby=validate-title] tbody tr")
    expect(to_validate).to_have_count(1)
    expect(to_validate).to_contain_text(STRUCTURE_NAME)
    page.shot("06-followup")
    check_axe(page, "06-followup")
    to_validate.locator(f"a[href='/suivi/evaluation/questionnaires/{response.pk}/']").click()
    page.wait_for_url(f"**/suivi/evaluation/questionnaires/{response.pk}/")
    expect(page.locator("main")).to_contain_text(TEXTS[QuestionKind.LONG_TEXT])
    page.shot("07-response")
    check_axe(page, "07-response")
    page.locator(f"form[action='/suivi/evaluation/questionnaires/{response.pk}/valider/'] button").click()
    page.wait_for_url(f"**/suivi/evaluation/questionnaires/{response.pk}/")
    expect_success(page)
    expect(page.locator(f"form[action='/suivi/evaluation/questionnaires/{response.pk}/valider/']")).to_have_count(0)
    response.refresh_from_db()
    assert response.status == ResponseStatus.VALIDATED and response.validated_at is not None

    # 5. The phase's exports hold the structure's row, one column per question code ---------
    visit(page, "/suivi/evaluation/")
    expect(page.locator("section[aria-labelledby=validate-title] tbody tr")).to_have_count(0)
    codes = [question.code for question in questions]
    exports = page.locator("table.eval-exports")
    name, data = download(
        page,
        lambda: exports.locator("a[href='/suivi/evaluation/export/appropriation.csv']").click(),
        tmp_path,
    )
    assert name.startswith("evaluation-appropriation-") and name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=_delimiter(data)))
    header, body = rows[0], rows[1:]
    assert header[-len(codes) :] == codes, header
    assert len(body) == 1 and STRUCTURE_NAME in body[0] and INNOVATION_NAME in body[0]
    row = dict(zip(header, body[0], strict=True))
    long_text = next(q for q in questions if q.kind == QuestionKind.LONG_TEXT)
    assert row[long_text.code] == TEXTS[QuestionKind.LONG_TEXT]

    name, data = download(
        page,
        lambda: exports.locator("a[href='/suivi/evaluation/export/appropriation.xlsx']").click(),
        tmp_path,
    )
    assert name.startswith("evaluation-appropriation-") and name.endswith(".xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = [str(cell) for cell in values[0] if cell is not None]
    assert [code for code in codes if code in header] == codes, header
    structure_rows = [row for row in values[1:] if STRUCTURE_NAME in row]
    assert len(structure_rows) == 1


def _delimiter(data: bytes) -> str:
    first_line = data.decode("utf-8-sig").splitlines()[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","
