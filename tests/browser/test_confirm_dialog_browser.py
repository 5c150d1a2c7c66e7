"""The confirmation dialog of an irreversible step, in a real browser (issue 16): a
manager clicks « Relancer » on the late list, the Bootstrap dialog says what will
happen; « Annuler » sends nothing, the dialog's button sends the reminder."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ais.accounts.models import Role
from ais.outbox.models import OutgoingEmail
from evaluation.models import Reminder, ReminderKind
from evaluation.schedule import current_version
from projects.models import Stage
from tests.ais.factories import UserFactory
from tests.evaluation.manage.helpers import structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.browser

PASSWORD = "Relance-Gardien-2026"


def test_remind_from_the_late_list_asks_in_a_dialog_then_sends(page, transactional_db, settings):
    settings.EVALUATION_ANSWER_DAYS = 30
    for phase in ("appropriation", "implementation", "impact"):
        current_version(phase)
    manager = UserFactory(email="paul.renard@ansa.fr", password=PASSWORD, roles=[(Role.MANAGER, None)])
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    start = datetime.date.today() - datetime.timedelta(days=160)  # 3-month questionnaire due ~40 days ago
    structure = structure_with_questionnaires(innovation=innovation, start=start, name="Régie Nord")
    UserFactory(roles=[(Role.STRUCTURE, structure.organisation)], email="marie@regie-nord.fr")
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(manager.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")
    page.goto(reverse("evaluation:followup"))
    remind = page.locator("form[action*='/relancer/'] button[type=submit]").first
    dialog = page.locator("#confirm-dialog")

    remind.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Les contacts de Régie Nord reçoivent maintenant une relance par e-mail")
    expect(dialog.locator("[data-confirm-ok]")).to_have_text("Envoyer la relance")
    page.shot("dialog")
    dialog.locator(".modal-footer [data-bs-dismiss=modal]").click()
    expect(dialog).to_be_hidden()
    assert not Reminder.objects.exists()

    remind.click()
    dialog.locator("[data-confirm-ok]").click()

    expect(page.locator(".alert-success")).to_contain_text("Relance envoyée à : marie@regie-nord.fr.")
    page.shot("sent")
    assert page.url.endswith(reverse("evaluation:followup"))
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_by) == (ReminderKind.MANUAL, manager)
    assert OutgoingEmail.objects.filter(recipient="marie@regie-nord.fr").count() == 1
