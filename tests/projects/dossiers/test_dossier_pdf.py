"""The submitted dossier as PDF holds every answer the carrier gave (issue 16): the
carrier's receipt and the managers' file are the whole dossier, not its cover."""

import io

from django.urls import reverse
from pypdf import PdfReader

from tests.projects.factories import DossierAttachmentFactory, DossierFactory


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def test_submitted_dossier_pdf_holds_every_answer_and_the_attachments(client, carrier, carrier_organisation):
    dossier = DossierFactory(
        submitted=True,
        organisation=carrier_organisation,
        created_by=carrier,
        innovation_name="Parcours Gardien",
        summary="Former des gardiens d'immeuble parmi les chômeurs de longue durée.",
        description="Un parcours de six mois avec immersion chez un bailleur social.",
        year_started=2016,
        territory_description="Quartiers prioritaires de la métropole lilloise.",
        publics=["deld"],
        keywords=["accompagnement_individuel"],
        people_accompanied=1234,
        exits_to_employment=567,
        job_retention_rate=81,
        results_period="2021-2023",
        results_comment="Suivi à six mois par les bailleurs.",
        formalisation_level="documented",
        process_description="Accueil collectif, diagnostic, immersion, suivi dans l'emploi.",
        transposition_will="Essaimer dans trois régions d'ici 2028.",
        transposition_capacity="Une coordinatrice nationale à plein temps.",
        resources="Budget annuel de 250 000 euros.",
    )
    DossierAttachmentFactory(dossier=dossier, original_name="bilan-2023.pdf", description="Bilan annuel")
    client.force_login(carrier)

    response = client.get(reverse("projects:dossier_pdf", args=[dossier.pk]))

    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    commune = dossier.origin_commune
    for answer in [
        "Parcours Gardien",
        "Former des gardiens d'immeuble parmi les chômeurs de longue durée.",
        "Un parcours de six mois avec immersion chez un bailleur social.",
        "2016",
        f"{commune.name} ({commune.department.name})",
        "Quartiers prioritaires de la métropole lilloise.",
        *dossier.publics_display,
        *dossier.keywords_display,
        "1 234",
        "567",
        "81 %",
        "2021-2023",
        "Suivi à six mois par les bailleurs.",
        dossier.get_formalisation_level_display(),
        "Accueil collectif, diagnostic, immersion, suivi dans l'emploi.",
        "Essaimer dans trois régions d'ici 2028.",
        "Une coordinatrice nationale à plein temps.",
        "Budget annuel de 250 000 euros.",
        "bilan-2023.pdf",
        "Bilan annuel",
    ]:
        assert " ".join(answer.split()) in text, answer
