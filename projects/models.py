"""Innovations and their four stages of accompaniment.

Calls for projects, dossiers and the committee's review come with the calls and
selection issues; the foundation holds what the other apps hang on: the
innovation, its carrier organisation and the stage it has reached.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ais.accounts.models import Organisation, Role
from ais.territories.models import Commune


class Stage(models.IntegerChoices):
    FEASIBILITY = 1, _("Étape I – Étude de faisabilité")
    MOBILISATION = 2, _("Étape II – Mobilisation des parties prenantes")
    ESSAIMAGE = 3, _("Étape III – Essaimage")
    EVALUATION = 4, _("Étape IV – Évaluation")


class TargetPublic(models.TextChoices):
    DELD = "deld", _("Demandeurs d'emploi de longue durée (DELD)")
    DECROCHEURS = "decrocheurs", _("Jeunes décrocheurs")
    RSA = "rsa", _("Bénéficiaires du RSA")
    QPV = "qpv", _("Habitants de QPV")
    SANS_DOMICILE = "sans_domicile", _("Personnes sans domicile")


class Keyword(models.TextChoices):
    FORMATION_QUALIFIANTE = "formation_qualifiante", _("Formation qualifiante")
    COMPETENCES_BASE = "competences_base", _("Formation aux compétences de base")
    ACCOMPAGNEMENT_INDIVIDUEL = "accompagnement_individuel", _("Accompagnement individuel")
    ACCOMPAGNEMENT_COLLECTIF = "accompagnement_collectif", _("Accompagnement collectif")
    COACHING = "coaching", _("Coaching / tutorat")
    ENTREPRISES = "entreprises", _("Mobilisation des entreprises du secteur marchand")
    TRAVAIL_TEMPORAIRE = "travail_temporaire", _("Travail temporaire d'insertion")
    CHANTIER = "chantier", _("Chantier d'insertion")
    ACCES_DIRECT = "acces_direct", _("Accès direct à l'emploi")


class InnovationQuerySet(models.QuerySet):
    def published(self) -> "InnovationQuerySet":
        return self.filter(is_published=True)

    def for_user_as_carrier(self, user) -> "InnovationQuerySet":
        return self.filter(
            pk__in=self.filter(carrier__memberships__user=user, carrier__memberships__role=Role.CARRIER).values("pk")
        )

    def for_user(self, user) -> "InnovationQuerySet":
        """Innovations a user may open in the private space: every one for managers
        and administrators, their own for carriers, those they spread for
        structure contacts, the published catalogue for committee members."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        query = models.Q(pk__in=[])
        if user.has_role(Role.CARRIER):
            query |= models.Q(carrier__memberships__user=user, carrier__memberships__role=Role.CARRIER)
        if user.has_role(Role.STRUCTURE):
            query |= models.Q(
                spread_structures__organisation__memberships__user=user,
                spread_structures__organisation__memberships__role=Role.STRUCTURE,
            )
        if user.has_role(Role.COMMITTEE):
            query |= models.Q(is_published=True)
        return self.filter(pk__in=self.filter(query).values("pk"))


class Innovation(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=200, unique=True)
    summary = models.CharField(_("résumé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    carrier = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="innovations", verbose_name=_("porteur")
    )
    origin_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire d'origine"),
    )
    year_started = models.PositiveSmallIntegerField(_("année de création"), null=True, blank=True)
    year_selected = models.PositiveSmallIntegerField(_("année de sélection"), null=True, blank=True)
    stage = models.PositiveSmallIntegerField(_("étape"), choices=Stage.choices, default=Stage.FEASIBILITY)
    publics = ArrayField(
        models.CharField(max_length=30, choices=TargetPublic.choices),
        verbose_name=_("publics cibles"),
        default=list,
        blank=True,
    )
    keywords = ArrayField(
        models.CharField(max_length=40, choices=Keyword.choices), verbose_name=_("mots-clés"), default=list, blank=True
    )
    is_published = models.BooleanField(_("publiée dans le catalogue"), default=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = InnovationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("innovation")
        verbose_name_plural = _("innovations")

    def __str__(self) -> str:
        return self.name

    @property
    def publics_display(self) -> list[str]:
        labels = dict(TargetPublic.choices)
        return [str(labels.get(code, code)) for code in self.publics]

    @property
    def keywords_display(self) -> list[str]:
        labels = dict(Keyword.choices)
        return [str(labels.get(code, code)) for code in self.keywords]
