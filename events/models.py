"""Events of the capitalisation and the resources library.

- ``Event``: a national exchange day, a thematic day, a living lab or a territorial
  workshop, with its ``Session``\\ s (plenaries, round tables, workshops in rooms,
  speed-dating rounds), its ``Registration``\\ s (confirmed or on the waiting list;
  ``SessionChoice`` = one session per round) and, afterwards, each session's
  ``Restitution`` with its documents.
- ``Resource``: guides, toolbox, systematic review, state of knowledge, restitutions…,
  public or reserved to members (logged-in users), searched in French with PostgreSQL's
  full-text search through the ``fr_unaccent`` configuration (french stemming after
  unaccent: "evaluation" finds "évaluation" and "évaluer").

Every state change goes through ``events/services.py``.
"""

import datetime
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.core.history import HistoricalRecords
from ais.core.models import StoredDocument
from ais.core.uploads import RandomUploadPath

PARIS = ZoneInfo("Europe/Paris")
SEARCH_CONFIG = "fr_unaccent"  # created by migration 0001 (french stemming + unaccent)


def _paris(day: datetime.date, time: datetime.time | None) -> datetime.datetime:
    return datetime.datetime.combine(day, time or datetime.time(0, 0), tzinfo=PARIS)


def new_token() -> str:
    return secrets.token_urlsafe(24)


# --------------------------------------------------------------------------
# Events and their programme
# --------------------------------------------------------------------------


class EventKind(models.TextChoices):
    NATIONAL_DAY = "national_day", _("National exchange day")
    THEMATIC_DAY = "thematic_day", _("Thematic working day")
    LIVING_LAB = "living_lab", _("Living lab")
    TERRITORIAL_WORKSHOP = "territorial_workshop", _("Territorial workshop")


class RegistrationState(models.TextChoices):
    """Where an event's registrations stand (computed, not stored)."""

    NOT_YET = "not_yet", _("Registration not open yet")
    OPEN = "open", _("Registration open")
    CLOSED = "closed", _("Registration closed")


class EventQuerySet(models.QuerySet):
    def published(self) -> "EventQuerySet":
        return self.filter(is_published=True)

    def for_user(self, user) -> "EventQuerySet":
        """Published events for everyone; drafts too for managers and administrators."""
        from .rules import can_manage

        if user is not None and can_manage(user):
            return self
        return self.published()


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices, default=EventKind.NATIONAL_DAY)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address identifier"), max_length=200, unique=True)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"), help_text=_("Paris time."))
    ends_at = models.TimeField(_("end time"), help_text=_("Paris time."))
    place = models.CharField(_("place"), max_length=255, blank=True, help_text=_("Venue and address."))
    online_link = models.URLField(_("online link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Places; beyond, people join the waiting list."))
    registration_opens_at = models.DateTimeField(
        _("registration opens on"), null=True, blank=True, help_text=_("Empty: open as soon as published.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes on"), null=True, blank=True, help_text=_("Empty: open until the event starts.")
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(pgettext_lazy("masculine", "created on"), auto_now_add=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-starts_at", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def starts(self) -> datetime.datetime:
        return _paris(self.date, self.starts_at)

    @property
    def ends(self) -> datetime.datetime:
        return _paris(self.date, self.ends_at)

    def registration_state(self, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return RegistrationState.NOT_YET
        closes = self.registration_closes_at or self.starts
        if not self.is_published or now >= min(closes, self.starts):
            return RegistrationState.CLOSED
        return RegistrationState.OPEN

    @property
    def is_past(self) -> bool:
        return self.ends <= timezone.now()


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    ROUND_TABLE = "round_table", _("Round table")
    WORKSHOP = "workshop", _("Workshop")
    SPEED_DATING = "speed_dating", _("Speed-dating round")


class Session(models.Model):
    """A slot of the programme. Sessions with a round number are chosen at registration:
    one per round, within the session's capacity (its room)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices, default=SessionKind.PLENARY)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.TimeField(_("start time"))
    ends_at = models.TimeField(_("end time"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Places in the room; empty: no limit.")
    )
    round_number = models.PositiveSmallIntegerField(
        _("round"),
        null=True,
        blank=True,
        help_text=_(
            "Workshops and speed-dating: sessions of the same round run at the same time, in different "
            "rooms; each participant chooses one per round. Empty: everyone attends."
        ),
    )
    speakers = models.TextField(
        _("speakers"), blank=True, help_text=_("One per line: name, then organisation after a comma.")
    )
    innovations = models.ManyToManyField(
        "projects.Innovation", blank=True, related_name="event_sessions", verbose_name=_("innovations presented")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "starts_at", "round_number", "room", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_choosable(self) -> bool:
        return self.round_number is not None

    @property
    def starts(self) -> datetime.datetime:
        return _paris(self.event.date, self.starts_at)

    @property
    def ends(self) -> datetime.datetime:
        return _paris(self.event.date, self.ends_at)

    @property
    def speaker_list(self) -> list[tuple[str, str]]:
        """``[(name, organisation)]`` from the lines of ``speakers``."""
        rows = []
        for line in self.speakers.splitlines():
            if line.strip():
                name, _sep, organisation = line.partition(",")
                rows.append((name.strip(), organisation.strip()))
        return rows


# --------------------------------------------------------------------------
# Registrations
# --------------------------------------------------------------------------


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> "RegistrationQuerySet":
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self) -> "RegistrationQuerySet":
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self) -> "RegistrationQuerySet":
        """The waiting list, first in line first."""
        return self.filter(status=RegistrationStatus.WAITING).order_by("waiting_since", "pk")


class Registration(models.Model):
    """One person's registration. No account is needed: the secret ``token`` of the
    confirmation link lets them see, download the calendar file and cancel."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200)
    job_title = models.CharField(_("role"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    waiting_since = models.DateTimeField(
        _("on the waiting list since"), null=True, blank=True, help_text=_("Orders the waiting list.")
    )
    token = models.CharField(_("access key"), max_length=64, unique=True, default=new_token, editable=False)
    checked_in_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    created_at = models.DateTimeField(_("registered on"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        ordering = ["event", "full_name", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_email",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.organisation})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def is_waiting(self) -> bool:
        return self.status == RegistrationStatus.WAITING

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED

    def waiting_position(self) -> int | None:
        """1 for the first in line; None when not on the waiting list."""
        if not self.is_waiting:
            return None
        ahead = Registration.objects.filter(event_id=self.event_id, status=RegistrationStatus.WAITING).filter(
            Q(waiting_since__lt=self.waiting_since) | Q(waiting_since=self.waiting_since, pk__lt=self.pk)
        )
        return ahead.count() + 1


class SessionChoice(models.Model):
    """The session a participant chose for one round (at most one per round)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="choices", verbose_name=_("registration")
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="choices", verbose_name=_("session"))
    round_number = models.PositiveSmallIntegerField(_("round"))

    class Meta:
        ordering = ["round_number"]
        verbose_name = _("session choice")
        verbose_name_plural = _("session choices")
        constraints = [
            models.UniqueConstraint(fields=["registration", "round_number"], name="session_choice_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.registration} → {self.session}"


# --------------------------------------------------------------------------
# Restitutions
# --------------------------------------------------------------------------


class Restitution(models.Model):
    """What came out of a session, published on the event's page."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="restitution", verbose_name=_("session")
    )
    text = models.TextField(_("restitution"))
    is_published = models.BooleanField(_("published on the event's page"), default=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("restitution")
        verbose_name_plural = _("restitutions")

    def __str__(self) -> str:
        return str(self.session)


class RestitutionDocument(StoredDocument):
    restitution = models.ForeignKey(
        Restitution, on_delete=models.CASCADE, related_name="documents", verbose_name=_("restitution")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=RandomUploadPath("restitutions"), max_length=255)

    class Meta:
        ordering = ["restitution", "uploaded_at", "pk"]
        verbose_name = _("restitution document")
        verbose_name_plural = _("restitution documents")

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------
# Resources library
# --------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    GUIDE = "guide", _("Guide")
    TOOLBOX = "toolbox", _("Toolbox")
    SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review")
    STATE_OF_KNOWLEDGE = "state_of_knowledge", _("State of knowledge")
    RESTITUTION = "restitution", _("Restitution")
    OTHER = "other", _("Other")


class Theme(models.TextChoices):
    SPREADING = "spreading", _("Spreading (essaimage)")
    EVALUATION = "evaluation", _("Evaluation")
    SUPPORT = "support", _("Accompaniment of job seekers")
    TRAINING = "training", _("Training")
    EMPLOYERS = "employers", _("Mobilising employers")
    GOVERNANCE = "governance", _("Governance and partnerships")
    TERRITORIES = "territories", _("Territories")
    PUBLIC_POLICY = "public_policy", _("Public policy")


class ResourceQuerySet(models.QuerySet):
    def published(self) -> "ResourceQuerySet":
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())

    def for_user(self, user) -> "ResourceQuerySet":
        """Published resources: public ones for everyone, members-only ones for logged-in users."""
        published = self.published()
        if user is not None and user.is_authenticated:
            return published
        return published.filter(is_public=True)


class Resource(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address identifier"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ResourceKind.choices, default=ResourceKind.GUIDE)
    themes = ArrayField(
        models.CharField(max_length=30, choices=Theme.choices), verbose_name=_("themes"), default=list, blank=True
    )
    summary = models.CharField(_("summary"), max_length=400)
    body = models.TextField(_("text"), blank=True)
    innovations = models.ManyToManyField(
        "projects.Innovation", blank=True, related_name="resources", verbose_name=_("innovations")
    )
    events = models.ManyToManyField(Event, blank=True, related_name="resources", verbose_name=_("events"))
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Unticked: reserved to members (people with an account).")
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, help_text=_("Empty: draft."))
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("search vector"),
    )

    objects = ResourceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [GinIndex(fields=["search_vector"], name="resource_search_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def themes_display(self) -> list[str]:
        labels = dict(Theme.choices)
        return [str(labels.get(code, code)) for code in self.themes]


class ResourceDocument(StoredDocument):
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="document", verbose_name=_("resource")
    )
    file = models.FileField(_("file"), upload_to=RandomUploadPath("resources"), max_length=255)

    class Meta:
        verbose_name = _("resource document")
        verbose_name_plural = _("resource documents")

    def __str__(self) -> str:
        return self.original_name
