"""Autosave of a dossier step when one answer is not valid (issue 16): the other
answers of the section are still saved, the invalid one is marked with its French
message (also after a reload), and the status never claims that nothing was lost."""

import html
import re

from django.urls import reverse

from projects.models import Dossier, DossierSection
from tests.projects.factories import DossierFactory

AUTOSAVE = {"HX-Request": "true"}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_autosave_keeps_saving_valid_answers_after_an_invalid_one(carrier_client, draft):
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.INNOVATION])
    typed = {"innovation_name": draft.innovation_name, "summary": "", "description": ""}

    first = carrier_client.post(
        url, {**typed, "version": draft.version, "year_started": "deux mille seize"}, headers=AUTOSAVE
    )
    version = Dossier.objects.get(pk=draft.pk).version
    second = carrier_client.post(
        url,
        {
            **typed,
            "version": version,
            "year_started": "deux mille seize",
            "summary": "Former des gardiens d'immeuble.",
            "description": "Six mois de parcours.",
        },
        headers=AUTOSAVE,
    )

    fresh = Dossier.objects.get(pk=draft.pk)
    assert (fresh.summary, fresh.description, fresh.year_started) == (
        "Former des gardiens d'immeuble.",
        "Six mois de parcours.",
        2018,
    )
    for response in (first, second):
        status = _text(response)
        assert response.status_code == 200
        assert "Rien n'a été perdu" not in status
        assert "sauf une réponse qui n'est pas valide" in status
        assert "«\u00a0Année de création\u00a0»" in status
        assert 'data-autosave-error="year_started">Saisissez un nombre entier.' in status
        assert f'name="version" value="{Dossier.objects.get(pk=draft.pk).version}"' in _text(second)


def test_reloaded_step_shows_the_unsaved_answer_with_its_message(carrier_client, draft):
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.INNOVATION])
    carrier_client.post(
        url,
        {"version": draft.version, "innovation_name": "Parcours Gardien", "year_started": "deux mille seize"},
        headers=AUTOSAVE,
    )

    page = carrier_client.get(url)

    text = _text(page)
    assert page.status_code == 200
    assert 'value="Parcours Gardien"' in text
    assert 'value="deux mille seize"' in text
    assert "Saisissez un nombre entier." in text
    assert text.count("invalid-feedback") == 1


def test_corrected_answer_is_saved_and_no_longer_marked(carrier_client, draft):
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.INNOVATION])
    carrier_client.post(url, {"version": draft.version, "year_started": "deux mille seize"}, headers=AUTOSAVE)
    version = Dossier.objects.get(pk=draft.pk).version

    fixed = carrier_client.post(url, {"version": version, "year_started": "2016"}, headers=AUTOSAVE)
    page = carrier_client.get(url)

    assert "Enregistré à" in _text(fixed)
    assert Dossier.objects.get(pk=draft.pk).year_started == 2016
    assert "invalid-feedback" not in _text(page)


def test_formalisation_question_has_no_blank_radio_ticked(carrier_client, carrier, carrier_organisation):
    """No « --------- » radio, ticked before anything is chosen (issue 16)."""
    dossier = DossierFactory(organisation=carrier_organisation, created_by=carrier)

    text = _text(carrier_client.get(reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.PROCESS])))

    assert "---------" not in text
    assert text.count('name="formalisation_level"') == 4  # the four levels, no blank one
    assert not re.search(r'name="formalisation_level"[^>]*checked', text)
