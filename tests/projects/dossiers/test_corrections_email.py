"""The e-mail asking a carrier for corrections names the reopened sections in French,
as a sentence, never as a Python list (« ['Moyens'] », issue 16)."""

from django.core import mail

from ais.outbox.models import OutgoingEmail
from projects import services
from projects.models import DossierSection
from tests.projects.factories import DossierFactory


def test_corrections_email_lists_the_sections_as_words(carrier, carrier_organisation, manager, settings):
    dossier = DossierFactory(submitted=True, organisation=carrier_organisation, created_by=carrier)

    services.request_corrections(
        dossier,
        sections=[DossierSection.RESOURCES, DossierSection.RESULTS],
        reason="Précisez le budget 2025.",
        by=manager,
    )

    email = OutgoingEmail.objects.get(recipient=carrier.email)
    assert "Sections rouvertes : Résultats déjà obtenus, Moyens" in email.body
    assert "[" not in email.body and "'" not in email.body.split("Sections rouvertes")[1].split("\n")[0]
    assert not mail.outbox or "['" not in mail.outbox[0].body
