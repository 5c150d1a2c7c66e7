"""Essaimage: the structures that adopt an innovation, how they apply and are
selected, the trainings they follow and the support they receive.

A ``SpreadStructure`` links an organisation to the innovation it spreads; it scopes
what a structure contact may see. Its start date of spreading is what the
evaluation schedule hangs on (``essaimage.signals.start_date_changed``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.accounts.models import Network, Organisation, OrganisationType, Role
from ais.core.history import HistoricalRecords
from ais.core.models import StoredDocument
from ais.core.uploads import RandomUploadPath
from ais.territories.models import Commune, Department
from projects.models import Innovation


class StructureStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    SELECTED = "selected", _("Selected")
    TRAINING = "training", _("In training")
    SPREADING = "spreading", _("Spreading")
    EVALUATED = "evaluated", _("Evaluated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def spread_on(on) -> models.Q:
    """Spread to on ``on``: the spreading started on or before that date, withdrawn
    since or not (``reporting.definitions.structures_spread``)."""
    return models.Q(start_date__lte=on)


def active_on(on, prefix: str = "") -> models.Q:
    """Active on ``on``: started on or before that date and not withdrawn on or before
    it (``reporting.definitions.structures_active``). ``prefix`` is the path from the
    queried model to the structure (``"spread_structures__"`` from an innovation)."""
    return models.Q(**{f"{prefix}start_date__lte": on}) & (
        models.Q(**{f"{prefix}withdrawn_on__isnull": True}) | models.Q(**{f"{prefix}withdrawn_on__gt": on})
    )


class SpreadStructureQuerySet(models.QuerySet):
    def spread_on(self, on) -> "SpreadStructureQuerySet":
        return self.filter(spread_on(on))

    def active_on(self, on) -> "SpreadStructureQuerySet":
        return self.filter(active_on(on))

    def for_user(self, user) -> "SpreadStructureQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        query = models.Q(pk__in=[])
        if user.has_role(Role.STRUCTURE):
            query |= models.Q(organisation__memberships__user=user, organisation__memberships__role=Role.STRUCTURE)
        if user.has_role(Role.CARRIER):
            query |= models.Q(
                innovation__carrier__memberships__user=user, innovation__carrier__memberships__role=Role.CARRIER
            )
        return self.filter(pk__in=self.filter(query).values("pk"))


class SpreadStructure(models.Model):
    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="spread_structures", verbose_name=_("innovation")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="spread_structures", verbose_name=_("structure")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StructureStatus.choices, default=StructureStatus.CANDIDATE
    )
    wave = models.PositiveSmallIntegerField(_("wave"), default=1)
    start_date = models.DateField(_("spreading start date"), null=True, blank=True)
    is_qpv = models.BooleanField(_("in a priority neighbourhood (QPV)"), default=False)
    is_rural = models.BooleanField(_("in a rural area"), default=False)
    capacity = models.PositiveIntegerField(_("people the structure can accompany per year"), null=True, blank=True)
    selected_on = models.DateField(_("selected on"), null=True, blank=True)
    agreement = models.FileField(
        _("partnership agreement"), upload_to=RandomUploadPath("agreements"), max_length=255, blank=True
    )
    agreement_name = models.CharField(_("agreement file name"), max_length=255, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason of the withdrawal"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

    objects = SpreadStructureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["innovation__name", "organisation__name"]
        verbose_name = _("adopting structure")
        verbose_name_plural = _("adopting structures")
        constraints = [
            models.UniqueConstraint(fields=["innovation", "organisation"], name="structure_unique_per_innovation"),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn")
                | (models.Q(withdrawn_on__isnull=False) & ~models.Q(withdrawal_reason="")),
                name="structure_withdrawal_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.innovation}"

    @property
    def is_active(self) -> bool:
        """Selected and not withdrawn: counted in the programme's figures and on the map."""
        return self.status not in (StructureStatus.CANDIDATE, StructureStatus.WITHDRAWN)

    @property
    def agreement_signed(self) -> bool:
        return bool(self.agreement and self.agreement_signed_on)


class StructureLocation(models.Model):
    """Where a structure is from a date: a move of its premises to another commune.

    A structure's territory at a date D is the commune of its latest location whose
    ``valid_from`` is on or before D; before its first recorded location (or with
    none), the commune of its organisation. Recording a move never changes the
    organisation's commune, so that the figures of the dates before the move keep
    the territory the structure had then (``essaimage.services.move_structure``,
    ``essaimage.geo.territory_at``)."""

    structure = models.ForeignKey(
        SpreadStructure, on_delete=models.CASCADE, related_name="locations", verbose_name=_("structure")
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality"))
    valid_from = models.DateField(_("from"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded on"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["structure", "-valid_from"]
        verbose_name = _("location of a structure")
        verbose_name_plural = _("locations of structures")
        constraints = [
            models.UniqueConstraint(fields=["structure", "valid_from"], name="structure_location_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.structure} – {self.commune} ({self.valid_from:%d/%m/%Y})"


ACTIVE_STATUSES = [
    StructureStatus.SELECTED,
    StructureStatus.TRAINING,
    StructureStatus.SPREADING,
    StructureStatus.EVALUATED,
]


# --------------------------------------------------------------------------
# Calls for structures and applications
# --------------------------------------------------------------------------


class StructureCallQuerySet(models.QuerySet):
    def published(self) -> "StructureCallQuerySet":
        return self.filter(published_at__isnull=False)

    def open_now(self) -> "StructureCallQuerySet":
        today = timezone.localdate()
        return self.published().filter(opens_on__lte=today, closes_on__gte=today)


class StructureCall(models.Model):
    """A call inviting organisations to adopt an innovation (stage II)."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="structure_calls", verbose_name=_("innovation")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what the call offers and expects"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    places = models.PositiveSmallIntegerField(_("number of structures sought"), null=True, blank=True)
    wave = models.PositiveSmallIntegerField(_("wave"), default=1)
    target_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("target departments")
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("masculine", "created on"), auto_now_add=True)

    objects = StructureCallQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("call for structures")
        verbose_name_plural = _("calls for structures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="structure_call_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.published_at is not None and self.opens_on <= today <= self.closes_on


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    SELECTED = "selected", _("Selected")
    REJECTED = "rejected", _("Not selected")


class StructureApplication(models.Model):
    """An organisation's online application to adopt an innovation."""

    call = models.ForeignKey(
        StructureCall, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call for structures")
    )
    organisation_name = models.CharField(_("organisation name"), max_length=200)
    organisation_kind = models.CharField(_("type of structure"), max_length=20, choices=OrganisationType.choices)
    network = models.ForeignKey(
        Network, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("network")
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality"))
    is_qpv = models.BooleanField(_("in a priority neighbourhood (QPV)"), default=False)
    is_rural = models.BooleanField(_("in a rural area"), default=False)
    capacity = models.PositiveIntegerField(
        _("people you could accompany per year"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    motivation = models.TextField(_("motivation"))
    contact_first_name = models.CharField(_("contact first name"), max_length=150)
    contact_last_name = models.CharField(_("contact last name"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_function = models.CharField(_("contact's job title"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    structure = models.OneToOneField(
        SpreadStructure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("adopting structure"),
    )
    submitted_at = models.DateTimeField(_("submitted on"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("structure application")
        verbose_name_plural = _("structure applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "contact_email", "organisation_name"], name="application_unique_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} – {self.call}"


# --------------------------------------------------------------------------
# Trainings
# --------------------------------------------------------------------------


class TrainingKind(models.TextChoices):
    FORMATION_ACTION = "formation_action", _("Formation-action")
    INTENSIVE = "intensive", _("Intensive training")
    EXCHANGE = "exchange", _("Exchange of practices")
    OTHER = "other", _("Other")


class TrainingMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("On site and online")


class TrainingQuerySet(models.QuerySet):
    def for_user(self, user) -> "TrainingQuerySet":
        """Managers and administrators see every training; a carrier those of its
        innovations; a structure contact those its structures take part in."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        query = models.Q(pk__in=[])
        if user.has_role(Role.CARRIER):
            query |= models.Q(
                innovation__carrier__memberships__user=user, innovation__carrier__memberships__role=Role.CARRIER
            )
        if user.has_role(Role.STRUCTURE):
            query |= models.Q(
                structures__organisation__memberships__user=user,
                structures__organisation__memberships__role=Role.STRUCTURE,
            )
        return self.filter(pk__in=self.filter(query).values("pk"))


class Training(models.Model):
    """A formation-action (several days over months) or an intensive training."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("innovation")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind.choices)
    mode = models.CharField(_("format"), max_length=20, choices=TrainingMode.choices, default=TrainingMode.ON_SITE)
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    trainers = models.CharField(_("trainers"), max_length=255, help_text=_("Names and organisations."))
    description = models.TextField(_("programme"), blank=True)
    wave = models.PositiveSmallIntegerField(_("wave"), null=True, blank=True)
    structures = models.ManyToManyField(
        SpreadStructure, blank=True, related_name="trainings", verbose_name=_("participating structures")
    )
    created_at = models.DateTimeField(pgettext_lazy("feminine", "created on"), auto_now_add=True)

    objects = TrainingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["innovation__name", "title"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return self.title


class TrainingDay(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="days", verbose_name=_("training"))
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"), null=True, blank=True)
    ends_at = models.TimeField(_("end time"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["training", "date", "starts_at", "pk"]
        verbose_name = _("training day")
        verbose_name_plural = _("training days")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "date", "starts_at"], name="training_day_unique", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training} – {self.date:%d/%m/%Y}"


class TrainingParticipant(models.Model):
    """A professional of a participating structure (never a beneficiary)."""

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="participants", verbose_name=_("training")
    )
    structure = models.ForeignKey(
        SpreadStructure, on_delete=models.CASCADE, related_name="training_participants", verbose_name=_("structure")
    )
    full_name = models.CharField(_("name"), max_length=150)
    function = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["training", "structure__organisation__name", "full_name"]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        constraints = [
            models.UniqueConstraint(fields=["training", "structure", "full_name"], name="participant_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Attendance(models.Model):
    day = models.ForeignKey(TrainingDay, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("day"))
    participant = models.ForeignKey(
        TrainingParticipant, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("trainee")
    )
    present = models.BooleanField(_("present"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["day", "participant"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.day}"


class TrainingDocument(StoredDocument):
    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="documents", verbose_name=_("training")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=RandomUploadPath("trainings"), max_length=255)

    class Meta:
        ordering = ["training", "-uploaded_at", "-pk"]
        verbose_name = _("training document")
        verbose_name_plural = _("training documents")

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------
# Support: hotline and site visits
# --------------------------------------------------------------------------


class SupportChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Video call")
    ON_SITE = "on_site", _("On site")


class SupportTopic(models.TextChoices):
    METHOD = "method", _("Method and fidelity to the model")
    TOOLS = "tools", _("Tools")
    PARTNERS = "partners", _("Partners and employers")
    FUNDING = "funding", _("Funding")
    TEAM = "team", _("Team and recruitment")
    EVALUATION = "evaluation", _("Evaluation")
    OTHER = "other", _("Other")


class SupportQuerySet(models.QuerySet):
    def for_user(self, user):
        """Managers and administrators see all; a carrier its innovations' entries."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.MANAGER, Role.ADMIN):
            return self
        if user.has_role(Role.CARRIER):
            return self.filter(
                pk__in=self.filter(
                    innovation__carrier__memberships__user=user, innovation__carrier__memberships__role=Role.CARRIER
                ).values("pk")
            )
        return self.none()


class SupportRequest(models.Model):
    """One entry of the hotline log: a structure's question and the answer given."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="support_requests", verbose_name=_("innovation")
    )
    structure = models.ForeignKey(
        SpreadStructure, on_delete=models.CASCADE, related_name="support_requests", verbose_name=_("structure")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=SupportChannel.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=SupportTopic.choices)
    minutes_spent = models.PositiveIntegerField(
        _("time spent (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("handled by")
    )

    objects = SupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("hotline entry")
        verbose_name_plural = _("hotline entries")

    def __str__(self) -> str:
        return f"{self.structure} – {self.date:%d/%m/%Y}"


class SiteVisit(models.Model):
    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="site_visits", verbose_name=_("innovation")
    )
    structure = models.ForeignKey(
        SpreadStructure, on_delete=models.CASCADE, related_name="site_visits", verbose_name=_("structure")
    )
    date = models.DateField(_("date"))
    visitors = models.CharField(_("visited by"), max_length=255)
    people_met = models.TextField(_("people met"), blank=True, help_text=_("Names and roles, one per line."))
    # Empty while the visit is planned (a date to come); required once it has taken place.
    report = models.TextField(_("report"), blank=True)

    objects = SupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.structure} – {self.date:%d/%m/%Y}"

    @property
    def is_planned(self) -> bool:
        """A visit to come: planned, not held yet."""
        return self.date > timezone.localdate()
