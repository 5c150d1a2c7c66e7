"""The workbook's format: its sheets, their columns and how each cell is read.

The sheet names and the column headers are the file's format, in French whatever the
language of the page (an administrator's workbook must import the same for everybody):
they are constants here, not interface strings. What is shown to people (the columns'
descriptions, the messages) goes through gettext.

Each column reads a cell into a Python value or raises ``CellError`` with what it
expected. Cells may hold what a spreadsheet stores (text, numbers, dates) or text
typed by hand: dates as ``JJ/MM/AAAA`` or ``AAAA-MM-JJ``; lists separated by ``;``.
"""

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ais.accounts.validators import validate_siret

# The programme started in 2015: an earlier date is a typing mistake.
PROGRAMME_START = datetime.date(2015, 1, 1)

INNOVATIONS = "Innovations"
STRUCTURES = "Structures"
QUESTIONNAIRES = "Questionnaires"
TRAININGS = "Formations"
DATA_SHEETS = (INNOVATIONS, STRUCTURES, QUESTIONNAIRES, TRAININGS)
# Sheets of the template that the import reads nothing from.
README_SHEET = "Lisez-moi"
CODES_SHEET = "Codes des questions"
REFERENCE_SHEETS = (README_SHEET, CODES_SHEET)

MAX_ROWS = 20_000  # data rows per sheet
MAX_COLUMNS = 200
MAX_TEXT = 5_000


class CellError(Exception):
    """The cell does not hold what its column expects; ``message`` says what it expects."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@functools.lru_cache(maxsize=20_000)
def _normalise(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def normalise(text) -> str:
    """Lower case, no accents, ``œ`` as ``oe``, words separated by one space: how headers
    and choices are compared."""
    return _normalise(str(text))


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value) -> str:
    """A cell's value as the person typed it, for the messages."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if len(text) <= 60 else text[:59] + "…"


# --------------------------------------------------------------------------
# Readers: a cell → a value, or CellError
# --------------------------------------------------------------------------


def read_text(max_length: int = 200) -> Callable:
    def reader(value):
        if isinstance(value, datetime.date | datetime.datetime):
            raise CellError(_("a text is expected, not a date"))
        if isinstance(value, bool):
            raise CellError(_("a text is expected"))
        text = show(value) if isinstance(value, float | int) else " ".join(str(value).split())
        if isinstance(value, str) and "\n" in value.strip():
            text = value.strip()
        if len(text) > max_length:
            raise CellError(
                _("%(max)s characters at most (%(length)s here)") % {"max": max_length, "length": len(text)}
            )
        return text

    return reader


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def read_slug(value):
    text = str(value).strip() if not isinstance(value, float | int) else show(value)
    if not SLUG.match(text) or len(text) > 200:
        raise CellError(
            _("an identifier in lower case, digits and hyphens is expected, for example “parcours-gardien”")
        )
    return text


def read_siret(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    try:
        validate_siret(text)
    except ValidationError as error:
        raise CellError(" ".join(str(message) for message in error.messages)) from error
    return text


COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def read_commune(value):
    """An INSEE code of 5 characters (``75056``, ``2A004``); whether it exists is checked
    against the territories referential once the whole sheet is read."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        value = f"{value:05d}"  # a spreadsheet drops the leading zero of 01053
    text = str(value).strip().upper()
    if not COMMUNE_CODE.match(text):
        raise CellError(_("an INSEE municipality code of 5 characters is expected, for example 75056 or 2A004"))
    return text


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    raise CellError(_("a date is expected, for example 15/03/2018"))


def check_date(day: datetime.date) -> datetime.date:
    today = timezone.localdate()
    if day > today:
        raise CellError(
            _("the date %(date)s is in the future: only what already happened is imported (today: %(today)s)")
            % {"date": day.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")}
        )
    if day < PROGRAMME_START:
        raise CellError(
            _("the date %(date)s is before the programme started (2015): a date from 01/01/2015 is expected")
            % {"date": day.strftime("%d/%m/%Y")}
        )
    return day


def read_date(value):
    return check_date(_parse_date(value))


def read_dates(value):
    """Several dates separated by ``;`` (or one date cell)."""
    if isinstance(value, datetime.date | datetime.datetime):
        return [read_date(value)]
    parts = [part for part in re.split(r"[;\n]", str(value)) if part.strip()]
    days = [read_date(part) for part in parts]
    if len(set(days)) != len(days):
        raise CellError(_("the same day is given twice"))
    return sorted(days)


def read_year(value):
    if isinstance(value, datetime.date | datetime.datetime):
        year = value.year
    else:
        text = show(value)
        if not re.fullmatch(r"\d{4}", text):
            raise CellError(_("a year of 4 digits is expected, for example 2017"))
        year = int(text)
    this_year = timezone.localdate().year
    if not PROGRAMME_START.year <= year <= this_year:
        raise CellError(
            _("a year from %(first)s to %(last)s is expected") % {"first": PROGRAMME_START.year, "last": this_year}
        )
    return year


def read_integer(low: int, high: int) -> Callable:
    def reader(value):
        if isinstance(value, bool | datetime.date | datetime.datetime):
            raise CellError(_("a whole number is expected"))
        if isinstance(value, str):
            text = re.sub(r"[\s\u00a0\u202f]", "", value)
            if not re.fullmatch(r"-?\d+", text):
                raise CellError(_("a whole number is expected"))
            value = int(text)
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("a whole number is expected"))
            value = int(value)
        if not low <= value <= high:
            raise CellError(
                _("a whole number from %(low)s to %(high)s is expected")
                % {"low": formats.number_format(low), "high": formats.number_format(high)}
            )
        return value

    return reader


def read_choice(choices: Callable[[], dict]) -> Callable:
    """One of the values of ``choices()`` (``{code: label}``), by its code or its label
    (case, accents and punctuation ignored)."""

    def reader(value):
        options = choices()
        wanted = normalise(value)
        for code, label in options.items():
            if wanted in (normalise(code), normalise(label)):
                return code
        raise CellError(
            _("one of these values is expected: %(values)s") % {"values": "; ".join(str(v) for v in options.values())}
        )

    return reader


def read_list(max_items: int = 500) -> Callable:
    def reader(value):
        items = [
            " ".join(part.split()) for part in re.split(r"[;\n]", show(value) if not isinstance(value, str) else value)
        ]
        items = [item for item in items if item]
        if len(items) > max_items:
            raise CellError(_("%(max)s items at most") % {"max": max_items})
        return items

    return reader


# --------------------------------------------------------------------------
# Sheets and columns
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str  # as written in the workbook (French, the file's format)
    key: str
    read: Callable[[Any], Any]
    help: Any  # lazily translated description, for the template's read-me sheet
    required: bool = False  # a value is needed on every row
    example: Any = None

    @property
    def normalised(self) -> str:
        return normalise(self.header)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    help: Any
    # Questionnaires: any question code of the published templates is a column too.
    open_columns: bool = False
    by_header: dict = field(default_factory=dict, compare=False)

    def column(self, header: str) -> Column | None:
        if not self.by_header:
            self.by_header.update({column.normalised: column for column in self.columns})
        return self.by_header.get(normalise(header))


def _organisation_kinds() -> dict:
    from ais.accounts.models import OrganisationType

    return {value: str(label) for value, label in OrganisationType.choices}


def _spreading_models() -> dict:
    from projects.models import SpreadingModel

    return {value: str(label) for value, label in SpreadingModel.choices}


def _training_kinds() -> dict:
    from essaimage.models import TrainingKind

    return {value: str(label) for value, label in TrainingKind.choices}


CLOSURE_WORDS = {"terminee": "completed", "arretee": "stopped_after_feasibility", "abandonnee": "abandoned"}


def read_closure_kind(value):
    from projects.models import ClosureKind

    wanted = normalise(value)
    if wanted in CLOSURE_WORDS:
        return CLOSURE_WORDS[wanted]
    for code, label in ClosureKind.choices:
        if wanted in (normalise(code), normalise(label)):
            return code
    raise CellError(_("one of these values is expected: %(values)s") % {"values": "terminée; arrêtée; abandonnée"})


MOVE = re.compile(r"^(\S{5})\s*(?:le|depuis le|à partir du|au|:|,)?\s*(\S+)$", re.IGNORECASE)


def read_moves(value):
    """``[(date, commune code)]`` from « 44184 le 01/09/2019 ; 35238 le 01/01/2021 »."""
    moves = []
    for item in read_list(20)(value):
        match = MOVE.match(item)
        if not match:
            raise CellError(
                _("“%(item)s”: a municipality code and a date are expected, for example “44184 le 01/09/2019”")
                % {"item": item}
            )
        commune = read_commune(match.group(1))
        day = read_date(match.group(2))
        if any(day == other for other, _code in moves):
            raise CellError(_("two moves on %(date)s") % {"date": day.strftime("%d/%m/%Y")})
        moves.append((day, commune))
    return sorted(moves)


# The phases as the workbook names them (the brief's words), then their labels.
PHASE_CODES = {"appropriation": "appropriation", "mise_en_oeuvre": "implementation", "impact": "impact"}
PHASE_NAMES = {value: key for key, value in PHASE_CODES.items()}


def read_phase(value):
    from evaluation.models import Phase

    wanted = normalise(value)
    for code, phase in PHASE_CODES.items():
        if wanted in (normalise(code), normalise(phase), normalise(Phase(phase).label)):
            return phase
    raise CellError(_("one of these values is expected: %(values)s") % {"values": "; ".join(PHASE_CODES)})


def _organisation_columns(name_header: str, *, kind: bool, example) -> tuple[Column, ...]:
    siret, name, commune, kind_example = example
    columns = (
        Column(
            "SIRET",
            "siret",
            read_siret,
            gettext_lazy(
                "14 digits. With it, the organisation is found by its SIRET; without it, by its name and municipality."
            ),
            example=siret,
        ),
        Column(
            name_header,
            "name",
            read_text(200),
            gettext_lazy("Name of the organisation."),
            required=True,
            example=name,
        ),
        Column(
            "code commune",
            "commune",
            read_commune,
            gettext_lazy(
                "INSEE code of its municipality (5 characters, not the postal code). Required without a SIRET."
            ),
            example=commune,
        ),
    )
    if kind:
        columns += (
            Column(
                "type",
                "kind",
                read_choice(_organisation_kinds),
                gettext_lazy(
                    "Type of organisation (association, ACI, EI, régie de quartier…). Association when empty."
                ),
                example=kind_example,
            ),
        )
    return columns


INNOVATION_SHEET = SheetSpec(
    INNOVATIONS,
    (
        Column(
            "identifiant",
            "slug",
            read_slug,
            gettext_lazy("Identifier of the innovation, in lower case and hyphens: the other sheets refer to it."),
            required=True,
            example="exemple-chantier-solidaire",
        ),
        Column(
            "nom",
            "name",
            read_text(200),
            gettext_lazy("Name of the innovation."),
            required=True,
            example="Exemple – Chantier solidaire",
        ),
        Column(
            "résumé",
            "summary",
            read_text(300),
            gettext_lazy("One sentence, 300 characters at most."),
            example="Un chantier d'insertion qui mène à l'emploi durable.",
        ),
        Column(
            "SIRET du porteur",
            "carrier_siret",
            read_siret,
            gettext_lazy("SIRET of the organisation carrying the innovation (14 digits)."),
            example="",
        ),
        Column(
            "porteur",
            "carrier_name",
            read_text(200),
            gettext_lazy("Name of the carrier organisation."),
            required=True,
            example="Association Exemple Insertion",
        ),
        Column(
            "code commune du porteur",
            "carrier_commune",
            read_commune,
            gettext_lazy("INSEE code of the carrier's municipality. Required without a SIRET."),
            example="35238",
        ),
        Column(
            "code commune d'origine",
            "origin_commune",
            read_commune,
            gettext_lazy("INSEE code of the municipality where the innovation was born."),
            example="35238",
        ),
        Column(
            "année de sélection",
            "year_selected",
            read_year,
            gettext_lazy("Year the steering committee selected the innovation (or give the date in the next column)."),
            example=2016,
        ),
        Column(
            "date de sélection",
            "selected_on",
            read_date,
            gettext_lazy("Date of the steering committee that selected it, if known: the year follows it."),
            example=datetime.date(2016, 6, 24),
        ),
        Column(
            "modèle d'essaimage",
            "spreading_model",
            read_choice(_spreading_models),
            gettext_lazy("How the innovation spreads (formation-action, intensive, tooling of pilot sites, other)."),
            example="Formation-action (6 à 9 mois)",
        ),
        Column(
            "début étape I",
            "stage_1",
            read_date,
            gettext_lazy("Start of stage I (feasibility study)."),
            example=datetime.date(2016, 9, 1),
        ),
        Column(
            "début étape II",
            "stage_2",
            read_date,
            gettext_lazy("Start of stage II (stakeholder mobilisation); empty if not reached."),
            example=datetime.date(2017, 1, 16),
        ),
        Column(
            "début étape III",
            "stage_3",
            read_date,
            gettext_lazy("Start of stage III (spreading); empty if not reached."),
            example=datetime.date(2017, 6, 1),
        ),
        Column(
            "début étape IV",
            "stage_4",
            read_date,
            gettext_lazy("Start of stage IV (evaluation); empty if not reached."),
            example="",
        ),
        Column(
            "date de clôture",
            "closed_on",
            read_date,
            gettext_lazy("End of the accompaniment, if it has ended (with its kind and reason)."),
            example="",
        ),
        Column(
            "type de clôture",
            "closure_kind",
            read_closure_kind,
            gettext_lazy(
                "terminée (completed after evaluation, from stage IV), arrêtée (stopped after the feasibility "
                "study, in stage I) or abandonnée (abandoned)."
            ),
            example="",
        ),
        Column(
            "motif de clôture",
            "closure_reason",
            read_text(MAX_TEXT),
            gettext_lazy("Why the accompaniment ended."),
            example="",
        ),
    ),
    gettext_lazy(
        "One row per innovation of the programme, with its carrier, its year of selection and its stage dates."
    ),
)

STRUCTURE_SHEET = SheetSpec(
    STRUCTURES,
    (
        Column(
            "innovation",
            "innovation",
            read_slug,
            gettext_lazy(
                "Identifier of the innovation the structure spreads (sheet Innovations or already in the platform)."
            ),
            required=True,
            example="exemple-chantier-solidaire",
        ),
        *_organisation_columns(
            "structure", kind=True, example=("", "Régie de quartier Exemple", "44109", "Régie de quartier")
        ),
        Column("vague", "wave", read_integer(1, 50), gettext_lazy("Wave of spreading (1 when empty)."), example=1),
        Column(
            "date de sélection",
            "selected_on",
            read_date,
            gettext_lazy("Date the structure was selected."),
            required=True,
            example=datetime.date(2017, 3, 10),
        ),
        Column(
            "date de signature de la convention",
            "agreement_signed_on",
            read_date,
            gettext_lazy("Date the partnership agreement was signed."),
            example=datetime.date(2017, 4, 3),
        ),
        Column(
            "date de démarrage",
            "start_date",
            read_date,
            gettext_lazy("Start of the spreading in the structure: the questionnaires are counted from it."),
            example=datetime.date(2017, 6, 1),
        ),
        Column(
            "date de retrait",
            "withdrawn_on",
            read_date,
            gettext_lazy("Date the structure withdrew, if it did."),
            example="",
        ),
        Column(
            "motif de retrait",
            "withdrawal_reason",
            read_text(MAX_TEXT),
            gettext_lazy("Why it withdrew (required with a withdrawal date)."),
            example="",
        ),
        Column(
            "déménagements",
            "moves",
            read_moves,
            gettext_lazy(
                "Moves of the structure's premises, separated by “;”: the new municipality code and the date, "
                "for example “44184 le 01/09/2019”. The figures before a move keep the former territory. "
                "When the column is present, the structure's moves become exactly those listed."
            ),
            example="",
        ),
    ),
    gettext_lazy(
        "One row per structure and innovation it spreads: an organisation spreading two innovations has two rows."
    ),
)

QUESTIONNAIRE_SHEET = SheetSpec(
    QUESTIONNAIRES,
    (
        Column(
            "innovation",
            "innovation",
            read_slug,
            gettext_lazy("Identifier of the innovation the structure spreads."),
            required=True,
            example="exemple-chantier-solidaire",
        ),
        *_organisation_columns("structure", kind=False, example=("", "Régie de quartier Exemple", "44109", "")),
        Column(
            "phase",
            "phase",
            read_phase,
            gettext_lazy("appropriation (3 months), mise_en_oeuvre (9 months) or impact (18 months)."),
            required=True,
            example="mise_en_oeuvre",
        ),
        Column(
            "date de soumission",
            "submitted_on",
            read_date,
            gettext_lazy("Date the structure sent its answers."),
            required=True,
            example=datetime.date(2018, 3, 12),
        ),
        Column(
            "date de validation",
            "validated_on",
            read_date,
            gettext_lazy("Date Ansa validated them; empty if they were not validated."),
            example=datetime.date(2018, 3, 20),
        ),
        Column(
            "date des chiffres",
            "figures_on",
            read_date,
            gettext_lazy(
                "Date of the figures, when the questionnaire was returned and sent again later with the same "
                "figures: the figures count from this date. The submission date when empty."
            ),
            example="",
        ),
    ),
    gettext_lazy(
        "One row per structure and phase. Then one column per question code (sheet “Codes des questions”): "
        "an empty cell leaves the answer as it is."
    ),
    open_columns=True,
)

TRAINING_SHEET = SheetSpec(
    TRAININGS,
    (
        Column(
            "innovation",
            "innovation",
            read_slug,
            gettext_lazy("Identifier of the innovation."),
            required=True,
            example="exemple-chantier-solidaire",
        ),
        Column(
            "intitulé",
            "title",
            read_text(200),
            gettext_lazy("Title of the training: with the innovation, it identifies it."),
            required=True,
            example="Formation-action vague 1",
        ),
        Column(
            "type",
            "kind",
            read_choice(_training_kinds),
            gettext_lazy("Formation-action when empty."),
            example="Formation-action",
        ),
        Column(
            "formateurs",
            "trainers",
            read_text(255),
            gettext_lazy("Trainers (names and organisations)."),
            example="Équipe du porteur et Ansa",
        ),
        Column("vague", "wave", read_integer(1, 50), gettext_lazy("Wave of spreading."), example=1),
        Column(
            "jours",
            "days",
            read_dates,
            gettext_lazy("The training days, separated by “;”."),
            required=True,
            example="15/05/2017; 12/06/2017",
        ),
        Column(
            "structures présentes",
            "structures",
            read_list(),
            gettext_lazy(
                "The structures trained, separated by “;”: each by its SIRET, or by its name followed by its "
                "municipality code in brackets, for example “Régie de quartier Exemple (44109)”."
            ),
            example="Régie de quartier Exemple (44109)",
        ),
        Column(
            "nombre de stagiaires",
            "trainees",
            read_integer(0, 1000),
            gettext_lazy("Number of professionals trained, present every day (at least one per structure)."),
            example=2,
        ),
    ),
    gettext_lazy("One row per training: its days, the structures present and the number of trainees."),
)

SHEETS = {spec.name: spec for spec in (INNOVATION_SHEET, STRUCTURE_SHEET, QUESTIONNAIRE_SHEET, TRAINING_SHEET)}


def example_row(spec: SheetSpec, question_columns=()) -> list:
    """The example row of the template (the import skips a row identical to it)."""
    row = [column.example if column.example is not None else "" for column in spec.columns]
    if spec.name == QUESTIONNAIRES:
        examples = {"people_accompanied": 24, "people_deld": 15, "exits_durable_employment": 4}
        row += [examples.get(code, "") for code in question_columns]
    return row


def date_text(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
