"""The programme's shared vocabulary: the target publics and the keywords.

A candidate ``Dossier`` and the ``Innovation`` it may become describe themselves with
the same two lists (``publics`` and ``keywords`` array fields); the catalogue and the
screening filters search on them. ``PublicsKeywordsMixin`` gives both models the
labels to display. No model lives here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetPublic(models.TextChoices):
    DELD = "deld", _("Long-term jobseekers (DELD)")
    DECROCHEURS = "decrocheurs", _("Early school leavers")
    RSA = "rsa", _("RSA recipients")
    QPV = "qpv", _("QPV residents")
    SANS_DOMICILE = "sans_domicile", _("Homeless people")


class Keyword(models.TextChoices):
    FORMATION_QUALIFIANTE = "formation_qualifiante", _("Qualifying training")
    COMPETENCES_BASE = "competences_base", _("Basic skills training")
    ACCOMPAGNEMENT_INDIVIDUEL = "accompagnement_individuel", _("Individual support")
    ACCOMPAGNEMENT_COLLECTIF = "accompagnement_collectif", _("Group support")
    COACHING = "coaching", _("Coaching / mentoring")
    ENTREPRISES = "entreprises", _("Engaging private-sector employers")
    TRAVAIL_TEMPORAIRE = "travail_temporaire", _("Work integration temporary work")
    CHANTIER = "chantier", _("Work integration worksite")
    ACCES_DIRECT = "acces_direct", _("Direct access to employment")


class PublicsKeywordsMixin:
    """Labels of the ``publics`` and ``keywords`` array fields, for display."""

    @property
    def publics_display(self) -> list[str]:
        labels = dict(TargetPublic.choices)
        return [str(labels.get(code, code)) for code in self.publics]

    @property
    def keywords_display(self) -> list[str]:
        labels = dict(Keyword.choices)
        return [str(labels.get(code, code)) for code in self.keywords]
