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
from django.utils.translation import pgettext_lazy

from ais.core.history import HistoricalRecords
from ais.territories.models import Commune

from .validators import validate_siret


class Role(models.TextChoices):
    MANAGER = "manager", _("Ansa programme manager")
    COMMITTEE = "committee", _("Steering committee member")
    CARRIER = "carrier", _("Project leader")
    STRUCTURE = "structure", _("Adopting structure")
    ADMIN = "admin", _("Administrator")


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
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    # Personal data (services.warn_inactive_accounts / anonymise_user).
    inactivity_warned_at = models.DateTimeField(_("warned of inactivity on"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised on"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login", "inactivity_warned_at"])

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = pgettext_lazy("inclusive writing", "user")
        verbose_name_plural = pgettext_lazy("inclusive writing", "users")

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

    def has_perm(self, perm, obj=None) -> bool:
        """Administrators (the role) hold every permission, as superusers do."""
        if self.is_active and self.has_role(Role.ADMIN):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.has_role(Role.ADMIN):
            return True
        return super().has_module_perms(app_label)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def roles_display(self) -> list[str]:
        return [str(label) for value, label in Role.choices if value in self.role_codes]

    def organisations_for(self, role: str):
        return Organisation.objects.filter(memberships__user=self, memberships__role=role).distinct()


class Network(models.Model):
    """A national network of structures (COORACE, FAS, CNLRQ, USH, CREPI...).

    FAS: the Fédération des acteurs de la solidarité (formerly FNARS)."""

    name = models.CharField(_("acronym"), max_length=50, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    AI = "ai", _("SIAE – Intermediary association (AI)")
    EI = "ei", _("SIAE – Work integration enterprise (EI)")
    ETTI = "etti", _("SIAE – Work integration temporary agency (ETTI)")
    ACI = "aci", _("SIAE – Work integration workshop and worksite (ACI)")
    REGIE = "regie", _("Régie de quartier")
    MAISON_EMPLOI = "maison_emploi", _("Employment centre (maison de l'emploi)")
    MISSION_LOCALE = "mission_locale", _("Youth employment centre (mission locale)")
    CAARUD = "caarud", _("CAARUD")
    CHRS = "chrs", _("CHRS")
    PUBLIC = "public", _("Public administration or local authority")
    FUNDER = "funder", _("Funder or foundation")
    NETWORK_HEAD = "network_head", _("Network head")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user) -> "OrganisationQuerySet":
        """Organisations a user may see: all for staff roles, else their own."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=OrganisationType.choices, default=OrganisationType.ASSOCIATION
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("network"),
    )
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret], help_text=_("14 digits, optional.")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

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
        User,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=pgettext_lazy("inclusive writing", "user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="membership_unique_user_role_org", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return f"{self.get_role_display()} – {self.organisation}"
        return str(self.get_role_display())
