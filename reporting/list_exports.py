"""Exports of the main lists as CSV and XLSX, with only the rows the user may see.

Each list (``EXPORTS``) has a permission (``reporting/rules.py``), a scoped
queryset (``for_user``: managers and administrators every row, carriers their
innovation's rows, structure contacts their own) and its columns. Text typed by
users never becomes a spreadsheet formula: CSV cells are neutralised with a
leading apostrophe and XLSX cells are stored as text (see ``ais.core.documents``).
Questionnaires are exported as a status list, never with their answers (the
answers have their own export per phase, for managers).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ais.accounts.models import Role
from ais.core import documents
from ais.core.documents import neutralise
from essaimage.models import ACTIVE_STATUSES, SpreadStructure, SupportRequest, Training
from evaluation.models import Response
from projects.models import Innovation

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _local(value):
    """A datetime as the local date and time shown in the product."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _place(organisation):
    commune = organisation.commune
    if commune is None:
        return "", ""
    return commune.name, commune.department.name if commune.department_id else ""


# --------------------------------------------------------------------------
# Scoped querysets
# --------------------------------------------------------------------------


def innovations_for(user):
    """Every innovation for managers and administrators; a carrier's own and those a
    structure contact spreads. (``Innovation.objects.for_user`` also gives committee
    members the public catalogue, which has its own page and no export.)"""
    if user.has_role(Role.MANAGER, Role.ADMIN) or user.is_superuser:
        return Innovation.objects.all()
    query = Q(pk__in=[])
    if user.has_role(Role.CARRIER):
        query |= Q(carrier__memberships__user=user, carrier__memberships__role=Role.CARRIER)
    if user.has_role(Role.STRUCTURE):
        query |= Q(
            spread_structures__organisation__memberships__user=user,
            spread_structures__organisation__memberships__role=Role.STRUCTURE,
        )
    return Innovation.objects.filter(pk__in=Innovation.objects.filter(query).values("pk"))


def _innovations(user):
    return (
        innovations_for(user)
        .select_related("carrier", "origin_commune", "lead_manager")
        .annotate(
            active_structures=Count(
                "spread_structures", filter=Q(spread_structures__status__in=ACTIVE_STATUSES), distinct=True
            )
        )
        .order_by("name")
    )


def _structures(user):
    return (
        SpreadStructure.objects.for_user(user)
        .select_related("innovation", "organisation__commune__department")
        .order_by("innovation__name", "wave", "organisation__name", "pk")
    )


def _trainings(user):
    return (
        Training.objects.for_user(user)
        .select_related("innovation")
        .annotate(
            first_day=Min("days__date"),
            last_day=Max("days__date"),
            day_count=Count("days", distinct=True),
            structure_count=Count("structures", distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .order_by("innovation__name", "first_day", "pk")
    )


def _events(user):
    """Every event with its registrations (managers and administrators only: the
    permission says so; drafts included)."""
    from events.models import Event, RegistrationStatus

    return Event.objects.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED), distinct=True),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING), distinct=True),
        present=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False), distinct=True),
        organisations=Count(
            "registrations__organisation",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
            distinct=True,
        ),
        session_count=Count("sessions", distinct=True),
    ).order_by("-date", "title")


def _event_header():
    return [
        _("Event"),
        _("Kind"),
        _("Date"),
        _("Place"),
        _("Published"),
        _("Capacity"),
        _("Sessions"),
        _("Confirmed registrations"),
        _("Waiting list"),
        _("Present"),
        _("Organisations represented"),
    ]


def _event_row(event):
    return [
        event.title,
        event.get_kind_display(),
        event.date,
        event.place or event.online_link,
        _("Yes") if event.is_published else _("No"),
        event.capacity,
        event.session_count,
        event.confirmed,
        event.waiting,
        event.present,
        event.organisations,
    ]


def _questionnaires(user):
    return (
        Response.objects.for_user(user)
        .select_related("structure__innovation", "structure__organisation__commune__department")
        .order_by("structure__innovation__name", "structure__organisation__name", "due_on", "pk")
    )


def _support(user):
    return (
        SupportRequest.objects.for_user(user)
        .select_related("innovation", "structure__organisation", "handled_by")
        .order_by("-date", "-pk")
    )


# --------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------


def _innovation_header():
    return [
        _("Innovation"),
        _("Lead organisation"),
        _("Stage"),
        _("Spreading model"),
        _("Year selected"),
        _("Home territory"),
        _("Active adopting structures"),
        _("Lead programme manager"),
        _("In the public catalogue"),
    ]


def _innovation_row(innovation):
    manager = innovation.lead_manager
    return [
        innovation.name,
        innovation.carrier.name,
        innovation.get_stage_display(),
        innovation.get_spreading_model_display() if innovation.spreading_model else "",
        innovation.year_selected,
        innovation.origin_commune.name if innovation.origin_commune else "",
        innovation.active_structures,
        (manager.get_full_name() or manager.email) if manager else "",
        _yes_no(innovation.is_published),
    ]


def _structure_header():
    return [
        _("Innovation"),
        _("Structure"),
        _("Type"),
        _("Municipality"),
        _("Department"),
        _("Wave"),
        _("Status"),
        _("Selected on"),
        _("Spreading start date"),
        _("Agreement signed on"),
        _("Priority neighbourhood (QPV)"),
        _("Rural area"),
        _("Capacity (people per year)"),
        _("Withdrawn on"),
    ]


def _structure_row(structure):
    organisation = structure.organisation
    commune, department = _place(organisation)
    return [
        structure.innovation.name,
        organisation.name,
        organisation.get_kind_display(),
        commune,
        department,
        structure.wave,
        structure.get_status_display(),
        structure.selected_on,
        structure.start_date,
        structure.agreement_signed_on,
        _yes_no(structure.is_qpv),
        _yes_no(structure.is_rural),
        structure.capacity,
        structure.withdrawn_on,
    ]


def _training_header():
    return [
        _("Innovation"),
        _("Training"),
        _("Kind"),
        _("Format"),
        _("Place"),
        _("Wave"),
        _("Trainers"),
        _("First day"),
        _("Last day"),
        _("Days"),
        _("Structures"),
        _("Participants"),
    ]


def _training_row(training):
    return [
        training.innovation.name,
        training.title,
        training.get_kind_display(),
        training.get_mode_display(),
        training.place,
        training.wave,
        training.trainers,
        training.first_day,
        training.last_day,
        training.day_count,
        training.structure_count,
        training.participant_count,
    ]


def _questionnaire_header():
    return [
        _("Innovation"),
        _("Structure"),
        _("Department"),
        _("Phase"),
        _("Opens on"),
        _("Due on"),
        _("Status"),
        _("Submitted on"),
        _("Validated on"),
    ]


def _questionnaire_row(response):
    structure = response.structure
    _commune, department = _place(structure.organisation)
    return [
        structure.innovation.name,
        structure.organisation.name,
        department,
        response.get_phase_display(),
        response.opens_on,
        response.due_on,
        str(response.status_label),
        _local(response.submitted_at),
        _local(response.validated_at),
    ]


def _support_header():
    return [
        _("Date"),
        _("Innovation"),
        _("Structure"),
        _("Channel"),
        _("Topic"),
        _("Question"),
        _("Answer"),
        _("Time spent (minutes)"),
        _("Resolved"),
        _("Handled by"),
    ]


def _support_row(entry):
    handler = entry.handled_by
    return [
        entry.date,
        entry.innovation.name,
        entry.structure.organisation.name,
        entry.get_channel_display(),
        entry.get_topic_display(),
        entry.question,
        entry.answer,
        entry.minutes_spent,
        _yes_no(entry.resolved),
        (handler.get_full_name() or handler.email) if handler else "",
    ]


@dataclass(frozen=True)
class ListExport:
    name: str
    label: str
    description: str
    queryset: Callable
    header: Callable
    row: Callable

    @property
    def permission(self) -> str:
        return f"reporting.export_{self.name}"


EXPORTS = [
    ListExport(
        "innovations",
        gettext_lazy("Innovations"),
        gettext_lazy("Stage, spreading model, lead organisation and number of active adopting structures."),
        _innovations,
        _innovation_header,
        _innovation_row,
    ),
    ListExport(
        "structures",
        gettext_lazy("Adopting structures"),
        gettext_lazy("Innovation, territory, wave, status and key dates of each adopting structure."),
        _structures,
        _structure_header,
        _structure_row,
    ),
    ListExport(
        "trainings",
        gettext_lazy("Trainings"),
        gettext_lazy("Trainings with their dates, number of days, structures and participants."),
        _trainings,
        _training_header,
        _training_row,
    ),
    ListExport(
        "questionnaires",
        gettext_lazy("Evaluation questionnaires"),
        gettext_lazy("Status of each questionnaire (structure, phase, dates), without the answers."),
        _questionnaires,
        _questionnaire_header,
        _questionnaire_row,
    ),
    ListExport(
        "support",
        gettext_lazy("Hotline log"),
        gettext_lazy("Questions of the structures, answers given, time spent."),
        _support,
        _support_header,
        _support_row,
    ),
    ListExport(
        "events",
        gettext_lazy("Events"),
        gettext_lazy("Events with their capacity, registrations, waiting list, attendance and organisations."),
        _events,
        _event_header,
        _event_row,
    ),
]
BY_NAME = {export.name: export for export in EXPORTS}


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


def table(export: ListExport, user) -> tuple[list[str], list[list]]:
    """The header and the rows ``user`` may see."""
    return [str(title) for title in export.header()], [export.row(obj) for obj in export.queryset(user)]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")  # French spreadsheets read a decimal comma
    return neutralise(value)


def to_csv(header: list[str], rows: list[list]) -> bytes:
    return documents.csv_bytes(header, rows, cell=_csv_value)


def to_xlsx(header: list[str], rows: list[list], *, title: str) -> bytes:
    return documents.xlsx_workbook([documents.Sheet(title, header, rows, widths="fit")], title=title)


def export_file(export: ListExport, user, fmt: str) -> bytes:
    header, rows = table(export, user)
    if fmt == "csv":
        return to_csv(header, rows)
    return to_xlsx(header, rows, title=str(export.label))


def file_name(export: ListExport, fmt: str) -> str:
    return f"ais-emploi-{export.name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
