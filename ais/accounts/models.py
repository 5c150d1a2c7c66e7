"""Users, organisations and roles.

A user logs in with their e-mail. What they may do comes from their
``Membership`` rows: one per role, optionally tied to an organisation. A person
may hold several roles (a network head can sit on the committee and carry an
innovation).
"""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ais.territories.models import Commune

from .validators import validate_siret


class Role(models.TextChoices):
    MANAGER = "manager", _("Chargé·e de projets Ansa")
    COMMITTEE = "committee", _("Membre du comité de pilotage")
    CARRIER = "carrier", _("Porteur de projet")
    STRUCTURE = "structure", _("Structure essaimée")
    ADMIN = "admin", _("Administrateur")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    # Roles -------------------------------------------------------------
    @property
    def role_codes(self) -> frozenset[str]:
        """The user's roles, cached on the instance for the request."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            if not self.pk or not self.is_active:
                cached = frozenset()
            else:
                cached = frozenset(self.memberships.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def roles_display(self) -> list[str]:
        return [str(label) for value, label in Role.choices if value in self.role_codes]

    def organisations_for(self, role: str):
        return Organisation.objects.filter(memberships__user=self, memberships__role=role).distinct()


class Network(models.Model):
    """A national network of structures (COORACE, FNARS, CNLRQ, USH, CREPI...)."""

    name = models.CharField(_("sigle"), max_length=50, unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    website = models.URLField(_("site web"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("réseau")
        verbose_name_plural = _("réseaux")

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    AI = "ai", _("SIAE – Association intermédiaire (AI)")
    EI = "ei", _("SIAE – Entreprise d'insertion (EI)")
    ETTI = "etti", _("SIAE – Entreprise de travail temporaire d'insertion (ETTI)")
    ACI = "aci", _("SIAE – Atelier et chantier d'insertion (ACI)")
    REGIE = "regie", _("Régie de quartier")
    MAISON_EMPLOI = "maison_emploi", _("Maison de l'emploi")
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    CAARUD = "caarud", _("CAARUD")
    CHRS = "chrs", _("CHRS")
    PUBLIC = "public", _("Administration ou collectivité")
    FUNDER = "funder", _("Financeur ou fondation")
    NETWORK_HEAD = "network_head", _("Tête de réseau")
    OTHER = "other", _("Autre")


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user) -> "OrganisationQuerySet":
        """Organisations a user may see: all for staff roles, else their own."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=OrganisationType.choices, default=OrganisationType.ASSOCIATION
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("réseau"),
    )
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret], help_text=_("14 chiffres, facultatif.")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    website = models.URLField(_("site web"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~models.Q(siret=""), name="organisation_unique_siret"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.siret = (self.siret or "").replace(" ", "")
        super().save(*args, **kwargs)


class Membership(models.Model):
    """One role held by a user, for an organisation when the role needs one."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur·rice")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="membership_unique_user_role_org", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return f"{self.get_role_display()} – {self.organisation}"
        return str(self.get_role_display())
