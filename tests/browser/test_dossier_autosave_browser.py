"""Autosave of a dossier step in a real browser when one answer is not valid (issue 16):
later answers of the same section are still saved, the invalid one is marked with its
French message, the status does not claim that nothing was lost, and after a reload the
valid answers are there and the invalid one is still marked."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ais.accounts.models import Role
from projects.models import Dossier, DossierSection
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.projects.factories import DossierFactory

pytestmark = pytest.mark.browser

PASSWORD = "Gardien-Lille-2026-autosave"
MESSAGE = "Assurez-vous que cette valeur est inférieure ou égale à 100."


def is_autosave(response) -> bool:
    return response.request.method == "POST" and response.request.headers.get("hx-request") == "true"


def test_autosave_after_an_invalid_answer_saves_the_valid_ones_and_marks_the_invalid(page, transactional_db):
    organisation = OrganisationFactory(name="Association Tremplin")
    carrier = UserFactory(email="camille@tremplin.fr", password=PASSWORD, roles=[(Role.CARRIER, organisation)])
    dossier = DossierFactory(organisation=organisation, created_by=carrier, innovation_name="Parcours Gardien")
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(carrier.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")
    page.goto(reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.RESULTS]))

    with page.expect_response(is_autosave):
        page.locator("#id_job_retention_rate").fill("140")
        page.locator("#id_job_retention_rate").blur()
    with page.expect_response(is_autosave):
        page.locator("#id_results_period").fill("2021-2023")
        page.locator("#id_results_comment").fill("Suivi à six mois par les bailleurs.")
        page.locator("#id_results_comment").blur()

    status = page.locator("#save-status")
    expect(status).to_contain_text("sauf une réponse qui n'est pas valide")
    expect(status).not_to_contain_text("Rien n'a été perdu")
    expect(page.locator("#id_job_retention_rate")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_job_retention_rate .invalid-feedback")).to_have_text(MESSAGE)
    page.shot("typed")
    saved = Dossier.objects.get(pk=dossier.pk)
    assert (saved.results_period, saved.results_comment) == ("2021-2023", "Suivi à six mois par les bailleurs.")

    page.reload()

    expect(page.locator("#id_results_period")).to_have_value("2021-2023")
    expect(page.locator("#id_results_comment")).to_have_value("Suivi à six mois par les bailleurs.")
    expect(page.locator("#id_job_retention_rate")).to_have_value("140")
    expect(page.locator("#div_id_job_retention_rate .invalid-feedback")).to_contain_text(MESSAGE)
    page.shot("reloaded")
