"""Generated data of a ten-year programme, for benchmarks and load tests.

``generate(seed=1, scale=1.0, year=2025)`` fills an empty programme with, at scale 1:
10 calls for projects (one a year, the last in ``year``) with their selection grid,
600 dossiers (most submitted, every required question of the call answered),
2,400 committee reviews scored on the grid, one closed selection session per call,
40 innovations born of the selected dossiers with their stage plans and moves (stages
I to IV), 2,000 adopting structures in real communes (mostly active, some withdrawn),
their 6,000 questionnaires answered question by question, the trainings with their
days, trainees and attendance, 200 events with their sessions and 10,000
registrations, and the users: carriers, committee members, structure contacts,
programme managers and an administrator. Every count is multiplied by ``scale``.

Everything comes from ``random.Random(seed)`` and from dates computed from ``year``
(never from today's date): the same seed and year give the same data. Rows are
written with ``bulk_create``: no history rows (django-simple-history) for generated
data, no e-mails, no Celery task; the timestamps (created on, updated on) are set
to plausible dates of the programme rather than to the time of the run.

Generated rows are recognisable: users' e-mails end with ``@`` + ``EMAIL_DOMAIN``,
calls' and events' slugs start with ``SLUG_PREFIX``; organisations are those of
generated users. ``flush()`` deletes them and nothing else.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from ais.accounts.models import Membership, Organisation, OrganisationType, Role, User
from ais.territories.models import Commune
from essaimage.models import (
    Attendance,
    SpreadStructure,
    StructureStatus,
    Training,
    TrainingDay,
    TrainingKind,
    TrainingMode,
    TrainingParticipant,
)
from evaluation.models import PHASE_ORDER, Answer, QuestionKind, Response, ResponseStatus
from evaluation.schedule import current_version, phase_dates
from events.models import (
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Session,
    SessionChoice,
    SessionKind,
)
from projects.models import (
    DEFAULT_REQUIRED_QUESTIONS,
    Call,
    Decision,
    Dossier,
    DossierStatus,
    FormalisationLevel,
    Innovation,
    Keyword,
    Recommendation,
    Review,
    ReviewAssignment,
    Score,
    SelectionCriterion,
    SelectionSession,
    SessionDecision,
    SessionStatus,
    SpreadingModel,
    Stage,
    StagePlan,
    StageTransition,
    TargetPublic,
)
from projects.services import DEFAULT_GRID, RUBRIC
from reporting.models import Report

EMAIL_DOMAIN = "generated.ais-emploi.test"
SLUG_PREFIX = "gen-"
DEFAULT_YEAR = 2025
PARIS = ZoneInfo("Europe/Paris")
BATCH = 2000

# The ten-year programme at scale 1.
TARGETS = {
    "calls": 10,
    "dossiers": 600,
    "reviews": 2400,
    "innovations": 40,
    "structures": 2000,
    "events": 200,
    "registrations": 10000,
    "committee_members": 30,
    "managers": 8,
}
# Months each stage lasts in the stage plans (three years in all).
STAGE_MONTHS = {Stage.FEASIBILITY: 4, Stage.MOBILISATION: 6, Stage.ESSAIMAGE: 18, Stage.EVALUATION: 8}


def scaled_counts(scale: float) -> dict[str, int]:
    """The counts generated at ``scale`` (each at least 1); questionnaires: three per structure."""
    counts = {name: max(1, round(value * scale)) for name, value in TARGETS.items()}
    counts["innovations"] = min(counts["innovations"], counts["dossiers"])
    counts["calls"] = min(counts["calls"], counts["innovations"])
    counts["questionnaires"] = 3 * counts["structures"]
    return counts


# --------------------------------------------------------------------------
# Vocabulary (stored data, in French, the programme's language)
# --------------------------------------------------------------------------

FIRST_NAMES = [
    "Camille", "Julien", "Nadia", "Thomas", "Sophie", "Karim", "Léa", "Hugo", "Chloé", "Mehdi",
    "Inès", "Lucas", "Manon", "Yasmine", "Antoine", "Sarah", "Nicolas", "Fatou", "Pierre", "Claire",
    "Mathieu", "Aïcha", "Romain", "Élodie", "Samir", "Julie", "Olivier", "Amandine", "Youssef", "Marion",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Haddad", "Petit", "Leroy", "Moreau", "Diallo", "Fournier", "Girard", "Benali",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin", "Clément",
    "Morin", "Henry", "Roussel", "Gautier", "Masson", "Marchand", "Duval", "Denis", "Lemoine", "Traoré",
]  # fmt: skip
INNOVATION_PREFIXES = [
    "Tremplin", "Passerelle", "Cap", "Parcours", "Atelier", "Chantier", "Réseau", "Boussole", "Relais",
    "Levier", "Horizon", "Déclic", "Élan", "Trajectoire", "Pont",
]  # fmt: skip
INNOVATION_TOPICS = [
    "vers l'emploi", "emploi durable", "compétences", "mobilité", "insertion", "métiers du bâtiment",
    "métiers du soin", "numérique inclusif", "entreprises solidaires", "jeunes sans diplôme",
    "logistique solidaire", "agriculture urbaine", "réemploi", "services de proximité", "transition écologique",
]  # fmt: skip
SENTENCES = [
    "Les personnes accompagnées construisent leur parcours avec un référent unique.",
    "Les entreprises du territoire accueillent des immersions dès le premier mois.",
    "Le soutien des élus locaux a été décisif pour démarrer.",
    "Nous avons adapté les ateliers au rythme des personnes accompagnées.",
    "Les salariés en insertion ont trouvé leur place dans l'équipe.",
    "Un comité local réunit chaque trimestre les partenaires de l'emploi.",
    "La méthode est décrite dans un guide et des fiches outils.",
    "Le recrutement se fait sans CV, sur la motivation.",
    "Les freins périphériques (mobilité, garde d'enfants, logement) sont levés en premier.",
    "Un binôme avec un salarié d'entreprise accompagne chaque personne.",
    "Les résultats sont suivis dans un tableau de bord partagé avec les financeurs.",
    "L'équipe se forme chaque année aux outils de la méthode.",
]
# Generated names pair a made-up word with the town ("Mission locale Horizon – Lyon"), so that
# no generated organisation takes the name of a real one ("Mission locale de Lyon", "Cap emploi").
CARRIER_KINDS = [
    (OrganisationType.ASSOCIATION, "Association {name}"),
    (OrganisationType.ACI, "Chantier d'insertion {name} – {city}"),
    (OrganisationType.EI, "{name} Entreprise d'insertion"),
    (OrganisationType.REGIE, "Régie de quartier {name} – {city}"),
    (OrganisationType.MAISON_EMPLOI, "Maison de l'emploi {name} – {city}"),
]
STRUCTURE_KINDS = [
    (OrganisationType.ASSOCIATION, "Association {name} de {city}"),
    (OrganisationType.ACI, "Chantier d'insertion {name} – {city}"),
    (OrganisationType.AI, "AI {name} – {city}"),
    (OrganisationType.EI, "EI {name} {city}"),
    (OrganisationType.ETTI, "ETTI {name} – {city}"),
    (OrganisationType.REGIE, "Régie de quartier {name} – {city}"),
    (OrganisationType.MISSION_LOCALE, "Mission locale {name} – {city}"),
    (OrganisationType.CHRS, "CHRS {name} – {city}"),
    (OrganisationType.CAARUD, "CAARUD {name} – {city}"),
]
ORGANISATION_WORDS = ["Solidarité", "Tremplin", "Horizon", "Avenir", "Ensemble", "Rebond", "Entraide", "Passerelle"]
EVENT_KINDS = [
    (EventKind.NATIONAL_DAY, "Journée nationale d'échanges", (150, 300)),
    (EventKind.THEMATIC_DAY, "Journée thématique", (40, 90)),
    (EventKind.LIVING_LAB, "Living lab", (20, 40)),
    (EventKind.TERRITORIAL_WORKSHOP, "Atelier territorial", (20, 50)),
]
EVENT_THEMES = [
    "mobiliser les entreprises", "l'évaluation de l'essaimage", "les jeunes sans diplôme", "la mobilité",
    "les territoires ruraux", "l'accompagnement global", "la gouvernance locale", "le financement",
]  # fmt: skip
WITHDRAWAL_REASONS = [
    "Perte du financement départemental.",
    "Départ de la personne qui portait le projet.",
    "La structure a fusionné avec une autre association.",
    "Le public visé n'a pas pu être mobilisé sur le territoire.",
]


def _text(rng: random.Random, sentences: int = 2) -> str:
    return " ".join(rng.sample(SENTENCES, k=sentences))


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=PARIS)


def _distribute(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly to ``total``."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@contextmanager
def _explicit_timestamps(model):
    """Let ``bulk_create`` keep the created/updated dates we set instead of now."""
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield fields
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str


@dataclass
class Generator:
    seed: int = 1
    scale: float = 1.0
    year: int = DEFAULT_YEAR
    password: str | None = None
    log: object = None
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.counts = scaled_counts(self.scale)
        self.first_year = self.year - 9
        self.as_of = datetime.date(self.year, 12, 31)  # "today" of the generated programme
        self.stamp = _at(self.as_of)
        self.used_emails: dict[str, int] = {}
        self.org_names: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    # Helpers ---------------------------------------------------------------
    def _say(self, message: str) -> None:
        if self.log:
            self.log(message)

    def _bulk(self, model, objects: list, batch_size: int = BATCH) -> list:
        with _explicit_timestamps(model) as stamped:
            for obj in objects:
                for f in stamped:
                    if getattr(obj, f.attname) is None:
                        setattr(obj, f.attname, self.stamp)
            return model.objects.bulk_create(objects, batch_size=batch_size)

    def _person(self) -> Person:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        base = f"{slugify(first)}.{slugify(last)}"
        number = self.used_emails.get(base, 0) + 1
        self.used_emails[base] = number
        return Person(first, last, f"{base}.{number}@{EMAIL_DOMAIN}")

    def _unique_org_name(self, name: str) -> str:
        number = self.org_names.get(name, 0) + 1
        self.org_names[name] = number
        return name if number == 1 else f"{name} ({number})"

    def _commune(self):
        """A real commune: mostly towns of 2,000 inhabitants or more, some villages."""
        return self.rng.choice(self.towns if self.rng.random() < 0.7 else self.communes)

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    # Entry point -------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.communes = list(Commune.objects.order_by("code").values_list("code", "name", "population"))
        if not self.communes:
            raise ValueError("No communes: run `manage.py load_territories` first.")
        self.commune_index = {c[0]: c for c in self.communes}
        self.towns = [c for c in self.communes if (c[2] or 0) >= 2000] or self.communes
        self.password_hash = make_password(self.password) if self.password else make_password(None)
        with transaction.atomic():
            for step in (
                self._staff,
                self._calls,
                self._dossiers,
                self._reviews,
                self._selection,
                self._innovations,
                self._structures,
                self._questionnaires,
                self._trainings,
                self._events,
            ):
                started = time.perf_counter()
                step()
                self.timings[step.__name__.strip("_")] = time.perf_counter() - started
                self._say(f"  {step.__name__.strip('_'):<15} {self.timings[step.__name__.strip('_')]:6.1f} s")
        return generated_counts()

    # Users ----------------------------------------------------------------------
    def _users(self, people: list[Person], joined: list[datetime.datetime], **extra) -> list[User]:
        return self._bulk(
            User,
            [
                User(
                    email=p.email,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    password=self.password_hash,
                    date_joined=when,
                    **extra,
                )
                for p, when in zip(people, joined, strict=True)
            ],
        )

    def _staff(self) -> None:
        start = _at(datetime.date(self.first_year - 1, 9, 1))
        managers = [self._person() for _ in range(self.counts["managers"])]
        self.managers = self._users(managers, [start] * len(managers))
        members = [self._person() for _ in range(self.counts["committee_members"])]
        self.committee = self._users(members, [start] * len(members))
        admin = Person("Admin", "Données générées", f"admin@{EMAIL_DOMAIN}")
        self.admin = self._users([admin], [start], is_staff=True)[0]
        self._bulk(
            Membership,
            [Membership(user=u, role=Role.MANAGER, created_at=start) for u in self.managers]
            + [Membership(user=u, role=Role.COMMITTEE, created_at=start) for u in self.committee]
            + [Membership(user=self.admin, role=Role.ADMIN, created_at=start)],
        )

    def _organisations_with_contacts(self, specs: list[tuple[str, str, str, datetime.datetime]], role: str):
        """Organisations ``(name, kind, commune code, created)`` each with one contact user of ``role``."""
        organisations = self._bulk(
            Organisation,
            [Organisation(name=name, kind=kind, commune_id=code, created_at=when) for name, kind, code, when in specs],
        )
        users = self._users([self._person() for _ in specs], [when for *_rest, when in specs])
        self._bulk(
            Membership,
            [
                Membership(user=user, role=role, organisation=org, created_at=org.created_at)
                for user, org in zip(users, organisations, strict=True)
            ],
        )
        return organisations, users

    # Calls ----------------------------------------------------------------------
    def _calls(self) -> None:
        n = self.counts["calls"]
        self.call_years = [self.first_year + (i * 10) // n for i in range(n)]
        calls = []
        for year in self.call_years:
            opens = _at(datetime.date(year, 1, 15), 9)
            calls.append(
                Call(
                    title=f"Appel à projets {year} – innovations pour l'emploi",
                    slug=f"{SLUG_PREFIX}appel-a-projets-{year}",
                    year=year,
                    theme=self.rng.choice(EVENT_THEMES).capitalize(),
                    description=_text(self.rng, 3),
                    eligibility="Structures de l'insertion et de l'emploi ayant au moins deux ans de résultats.",
                    opens_at=opens,
                    closes_at=_at(datetime.date(year, 3, 31), 18),
                    required_questions=list(DEFAULT_REQUIRED_QUESTIONS),
                    review_deadline=_at(datetime.date(year, 5, 15), 18),
                    published_at=opens - datetime.timedelta(days=14),
                    created_at=opens - datetime.timedelta(days=30),
                )
            )
        self.calls = self._bulk(Call, calls)
        self.criteria: dict[int, list[SelectionCriterion]] = {}
        rubric = [str(line) for line in RUBRIC]
        criteria = [
            SelectionCriterion(
                call=call,
                position=index,
                title=str(title),
                description=str(description),
                weight=Decimal(weight),
                rubric=rubric,
            )
            for call in self.calls
            for index, (title, description, weight) in enumerate(DEFAULT_GRID, start=1)
        ]
        for criterion in self._bulk(SelectionCriterion, criteria):
            self.criteria.setdefault(criterion.call_id, []).append(criterion)

    # Dossiers -------------------------------------------------------------------
    def _dossiers(self) -> None:
        n_dossiers, n_calls = self.counts["dossiers"], len(self.calls)
        # The programme grows: later calls receive more dossiers; each gets at least its selections.
        self.selected_per_call = _distribute(self.counts["innovations"], [1] * n_calls)
        per_call = _distribute(n_dossiers, [1 + i / 4 for i in range(n_calls)])
        for i in range(n_calls):  # keep room for the selections
            while per_call[i] < self.selected_per_call[i]:
                donor = max(range(n_calls), key=lambda j: per_call[j] - self.selected_per_call[j])
                per_call[donor] -= 1
                per_call[i] += 1
        # Carrier organisations: some apply to several calls.
        n_carriers = max(max(per_call), round(n_dossiers * 0.8))
        specs = []
        for _ in range(n_carriers):
            code, city, _population = self._commune()
            kind, pattern = self.rng.choice(CARRIER_KINDS)
            name = pattern.format(name=self.rng.choice(ORGANISATION_WORDS), city=city)
            specs.append((self._unique_org_name(name), kind, code, _at(datetime.date(self.first_year - 1, 6, 1))))
        self.carriers, carrier_users = self._organisations_with_contacts(specs, Role.CARRIER)
        self.carrier_user = {org.pk: user for org, user in zip(self.carriers, carrier_users, strict=True)}

        names: set[str] = set(Innovation.objects.values_list("name", flat=True))
        dossiers, self._qualities = [], []
        for call, count, selections in zip(self.calls, per_call, self.selected_per_call, strict=True):
            organisations = self.rng.sample(self.carriers, k=count)
            n_eligible = min(count, max(selections, round(count * 0.85)))
            n_draft = min(count - n_eligible, round(count * 0.05))
            statuses = (
                [DossierStatus.ELIGIBLE] * n_eligible
                + [DossierStatus.DRAFT] * n_draft
                + [DossierStatus.INELIGIBLE] * (count - n_eligible - n_draft)
            )
            for organisation, status in zip(organisations, statuses, strict=True):
                dossiers.append(self._dossier(call, organisation, status, names))
        self.dossiers = self._bulk(Dossier, dossiers)
        self.dossier_call = {d.pk: d.call_id for d in self.dossiers}
        self.quality = {d.pk: q for d, q in zip(self.dossiers, self._qualities, strict=True)}

    def _dossier(self, call: Call, organisation: Organisation, status: str, names: set[str]) -> Dossier:
        rng = self.rng
        self._qualities.append(rng.random())  # the dossier's merit, behind its reviews' scores
        commune_name = self._commune_by_code(organisation.commune_id)[1]
        base = f"{rng.choice(INNOVATION_PREFIXES)} {rng.choice(INNOVATION_TOPICS)} – {commune_name}"
        name, number = base, 2
        while name in names:
            name, number = f"{base} ({number})", number + 1
        names.add(name)
        people = rng.randint(20, 400)
        opens, closes = call.opens_at.date(), call.closes_at.date()
        created = _at(self._date_between(opens, closes - datetime.timedelta(days=20)), 9)
        dossier = Dossier(
            call=call,
            organisation=organisation,
            created_by=self.carrier_user[organisation.pk],
            status=status,
            version=rng.randint(2, 9),
            innovation_name=name,
            summary=f"{rng.choice(SENTENCES)}",
            description=_text(rng, 4),
            year_started=call.year - rng.randint(2, 8),
            origin_commune_id=organisation.commune_id,
            territory_description=_text(rng, 1),
            publics=sorted(rng.sample(TargetPublic.values, k=rng.randint(1, 3))),
            keywords=sorted(rng.sample(Keyword.values, k=rng.randint(1, 3))),
            people_accompanied=people,
            exits_to_employment=rng.randint(people // 5, people * 3 // 5),
            job_retention_rate=rng.randint(50, 95),
            results_period=f"{call.year - 2}–{call.year - 1}",
            results_comment=_text(rng, 1),
            formalisation_level=rng.choice(FormalisationLevel.values),
            process_description=_text(rng, 3),
            transposition_will=_text(rng, 2),
            transposition_capacity=_text(rng, 2),
            resources=_text(rng, 1),
            created_at=created,
            updated_at=created + datetime.timedelta(days=rng.randint(1, 15)),
        )
        if status == DossierStatus.DRAFT:  # a draft left unfinished when the call closed
            dossier.process_description = dossier.transposition_will = dossier.transposition_capacity = ""
            dossier.formalisation_level = ""
        else:
            dossier.submitted_at = dossier.updated_at
            dossier.decided_at = _at(closes + datetime.timedelta(days=rng.randint(5, 25)), 15)
            dossier.decided_by = rng.choice(self.managers)
            if status == DossierStatus.INELIGIBLE:
                dossier.eligibility_reason = "Moins de deux ans de résultats mesurés."
        return dossier

    def _commune_by_code(self, code: str):
        return self.commune_index[code]

    # Reviews --------------------------------------------------------------------
    def _reviews(self) -> None:
        rng = self.rng
        eligible = [d for d in self.dossiers if d.status == DossierStatus.ELIGIBLE]
        target = self.counts["reviews"]
        per_dossier = max(4, math.ceil(target / len(eligible)))
        # Enough members for every dossier: the pool grows when needed (small scales).
        if len(self.committee) < per_dossier:
            extra = [self._person() for _ in range(per_dossier - len(self.committee))]
            more = self._users(extra, [self.stamp] * len(extra))
            self._bulk(Membership, [Membership(user=u, role=Role.COMMITTEE) for u in more])
            self.committee += more
        Call.objects.filter(pk__in=[c.pk for c in self.calls]).update(reviewers_per_dossier=per_dossier)
        members_through = Call.committee_members.through
        self.call_members: dict[int, list[User]] = {}
        links = []
        for call in self.calls:
            members = rng.sample(self.committee, k=min(len(self.committee), max(per_dossier + 2, 10)))
            self.call_members[call.pk] = members
            links += [members_through(call_id=call.pk, user_id=m.pk) for m in members]
        members_through.objects.bulk_create(links, batch_size=BATCH)
        calls = {c.pk: c for c in self.calls}
        assignments = []
        for dossier in eligible:
            call = calls[dossier.call_id]
            assigned = call.closes_at + datetime.timedelta(days=30)
            for member in rng.sample(self.call_members[call.pk], k=per_dossier):
                assignments.append(
                    ReviewAssignment(
                        dossier=dossier,
                        member=member,
                        has_conflict=False,
                        declared_at=assigned + datetime.timedelta(days=rng.randint(1, 10)),
                        created_at=assigned,
                    )
                )
        # Beyond the target, members declared a conflict of interest (no review).
        conflicts = set(rng.sample(range(len(assignments)), k=len(assignments) - target))
        for index in sorted(conflicts):
            assignments[index].has_conflict = True
            assignments[index].conflict_note = "Membre du conseil d'administration de la structure."
        self.assignments = self._bulk(ReviewAssignment, assignments)
        reviews, self.review_scores = [], []
        for assignment in self.assignments:
            if assignment.has_conflict:
                continue
            quality = self.quality[assignment.dossier_id]
            values = [max(0, min(5, round(quality * 5 + rng.gauss(0, 0.8)))) for _ in DEFAULT_GRID]
            mean = sum(values) / len(values)
            recommendation = (
                Recommendation.SELECT
                if mean >= 3.5
                else Recommendation.DISCUSS
                if mean >= 2.5
                else Recommendation.REJECT
            )
            submitted = assignment.declared_at + datetime.timedelta(days=rng.randint(1, 20))
            reviews.append(
                Review(
                    assignment=assignment,
                    recommendation=recommendation,
                    comment=_text(rng, 1),
                    submitted_at=submitted,
                    updated_at=submitted,
                )
            )
            self.review_scores.append(values)
        self.reviews = self._bulk(Review, reviews)
        dossier_of = {a.pk: a.dossier_id for a in self.assignments}
        scores = []
        self.weighted: dict[int, list[float]] = defaultdict(list)
        for review, values in zip(self.reviews, self.review_scores, strict=True):
            dossier_id = dossier_of[review.assignment_id]
            criteria = self.criteria[self._call_of(dossier_id)]
            total = sum(float(c.weight) * v for c, v in zip(criteria, values, strict=True))
            self.weighted[dossier_id].append(total / sum(float(c.weight) for c in criteria))
            scores += [
                Score(review=review, criterion=c, value=v, comment="") for c, v in zip(criteria, values, strict=True)
            ]
        self._bulk(Score, scores)

    def _call_of(self, dossier_id: int) -> int:
        return self.dossier_call[dossier_id]

    # Selection ------------------------------------------------------------------
    def _selection(self) -> None:
        rng = self.rng
        sessions = []
        for call in self.calls:
            held = _at(datetime.date(call.year, 6, 10), 14)
            sessions.append(
                SelectionSession(
                    call=call,
                    held_on=held,
                    place="Ansa, Paris",
                    status=SessionStatus.CLOSED,
                    closed_at=held + datetime.timedelta(hours=3),
                    released_at=held + datetime.timedelta(days=2),
                )
            )
        self.sessions = self._bulk(SelectionSession, sessions)
        present = SelectionSession.members_present.through
        present.objects.bulk_create(
            [
                present(selectionsession_id=s.pk, user_id=m.pk)
                for s in self.sessions
                for m in self.call_members[s.call_id]
                if rng.random() < 0.8
            ],
            batch_size=BATCH,
        )
        decisions = []
        self.selected: list[tuple[Dossier, SelectionSession]] = []
        for session, selections in zip(self.sessions, self.selected_per_call, strict=True):
            eligible = [d for d in self.dossiers if d.call_id == session.call_id and d.status == DossierStatus.ELIGIBLE]
            ranked = sorted(eligible, key=lambda d: (-self._mean(d.pk), d.innovation_name))
            for rank, dossier in enumerate(ranked):
                if rank < selections:
                    decision, motivation = Decision.SELECTED, "Dossier retenu : transférabilité démontrée."
                    self.selected.append((dossier, session))
                elif rank < selections + 3:
                    decision, motivation = Decision.WAITING, "Dossier solide, en liste d'attente."
                else:
                    decision, motivation = Decision.NOT_SELECTED, "Processus encore insuffisamment formalisé."
                decisions.append(
                    SessionDecision(session=session, dossier=dossier, decision=decision, motivation=motivation)
                )
        self.decisions = self._bulk(SessionDecision, decisions)

    def _mean(self, dossier_id: int) -> float:
        values = self.weighted.get(dossier_id, [])
        return sum(values) / len(values) if values else 0.0

    # Innovations ------------------------------------------------------------------
    def _stage_for(self, age: int) -> int:
        if age <= 0:
            return Stage.FEASIBILITY
        if age == 1:
            return Stage.MOBILISATION if self.rng.random() < 0.7 else Stage.ESSAIMAGE
        if age == 2:
            return Stage.ESSAIMAGE
        if age == 3:
            return Stage.ESSAIMAGE if self.rng.random() < 0.5 else Stage.EVALUATION
        return Stage.EVALUATION

    def _innovations(self) -> None:
        rng = self.rng
        slugs = set(Innovation.objects.values_list("slug", flat=True))
        innovations, self.stage_starts = [], []
        for dossier, session in self.selected:
            year = session.held_on.year
            stage = self._stage_for(self.year - year)
            start = datetime.date(year, 9, 1)
            # Actual starts of the stages reached: standard durations, squeezed to fit before today.
            offsets, total = [], 0
            for s in Stage.values:
                offsets.append(total)
                total += STAGE_MONTHS[s] * 30
            available = (self.as_of - start).days - 30
            factor = min(1.0, available / offsets[stage - 1]) if stage > 1 else 1.0
            starts = [start + datetime.timedelta(days=round(o * factor)) for o in offsets[:stage]]
            self.stage_starts.append(starts)
            slug = base = slugify(dossier.innovation_name)[:180]
            number = 2
            while slug in slugs:
                slug, number = f"{base}-{number}", number + 1
            slugs.add(slug)
            innovations.append(
                Innovation(
                    name=dossier.innovation_name,
                    slug=slug,
                    summary=dossier.summary,
                    description=dossier.description,
                    carrier_id=dossier.organisation_id,
                    origin_commune_id=dossier.origin_commune_id,
                    year_started=dossier.year_started,
                    year_selected=year,
                    selected_on=session.held_on.date(),
                    stage=stage,
                    publics=dossier.publics,
                    keywords=dossier.keywords,
                    is_published=stage >= Stage.MOBILISATION,
                    lead_manager=rng.choice(self.managers),
                    spreading_model=rng.choice(SpreadingModel.values[:3]),
                    accompaniment_start=start,
                    created_at=session.closed_at,
                )
            )
        self.innovations = self._bulk(Innovation, innovations)
        by_dossier = {d.pk: i for (d, _s), i in zip(self.selected, self.innovations, strict=True)}
        for decision in self.decisions:
            decision.innovation = by_dossier.get(decision.dossier_id)
        SessionDecision.objects.bulk_update(
            [d for d in self.decisions if d.innovation is not None], ["innovation"], batch_size=BATCH
        )
        team = Innovation.team.through
        team.objects.bulk_create(
            [
                team(innovation_id=i.pk, user_id=u.pk)
                for i in self.innovations
                for u in rng.sample(self.managers, k=min(2, len(self.managers)))
            ]
        )
        plans, moves = [], []
        for innovation, starts in zip(self.innovations, self.stage_starts, strict=True):
            planned = innovation.accompaniment_start
            for s in Stage.values:
                end = planned + relativedelta(months=STAGE_MONTHS[s])
                reached = s <= innovation.stage
                plans.append(
                    StagePlan(
                        innovation=innovation,
                        stage=s,
                        planned_start=planned,
                        planned_end=end,
                        actual_start=starts[s - 1] if reached else None,
                        actual_end=starts[s] if s < innovation.stage else None,
                    )
                )
                planned = end
            for s in range(2, innovation.stage + 1):
                moves.append(
                    StageTransition(
                        innovation=innovation,
                        from_stage=s - 1,
                        to_stage=s,
                        moved_at=_at(starts[s - 1], 11),
                        effective_on=starts[s - 1],
                        moved_by=innovation.lead_manager,
                    )
                )
        self._bulk(StagePlan, plans)
        self._bulk(StageTransition, moves)

    # Structures -------------------------------------------------------------------
    def _structures(self) -> None:
        rng = self.rng
        spreading = [
            (i, starts)
            for i, starts in zip(self.innovations, self.stage_starts, strict=True)
            if i.stage >= Stage.ESSAIMAGE
        ]
        if not spreading:  # tiny scales: the oldest innovation spreads anyway, from its last stage move
            spreading = [(self.innovations[0], [*self.stage_starts[0], *self.stage_starts[0][-1:] * 2])]
        weights = [1 + (self.as_of - starts[2]).days / 365 for _i, starts in spreading]
        per_innovation = _distribute(self.counts["structures"], weights)
        specs, rows = [], []
        for (innovation, starts), count in zip(spreading, per_innovation, strict=True):
            spread_start = starts[2]  # start of stage III
            for _ in range(count):
                code, city, population = self._commune()
                kind, pattern = rng.choice(STRUCTURE_KINDS)
                name = self._unique_org_name(pattern.format(name=rng.choice(ORGANISATION_WORDS), city=city))
                # Waves a year apart; a structure of the last wave may start after "today".
                waves = max(1, (self.as_of - spread_start).days // 365 + 1)
                # Most structures join in the first waves (older waves weigh more).
                wave = rng.choices(range(1, waves + 1), weights=range(waves, 0, -1))[0]
                start = (
                    spread_start + relativedelta(months=2 + 12 * (wave - 1)) + datetime.timedelta(rng.randint(0, 90))
                )
                selected = start - datetime.timedelta(days=rng.randint(60, 120))
                specs.append((name, kind, code, _at(selected)))
                rows.append((innovation, wave, start, selected, population, kind))
        organisations, contacts = self._organisations_with_contacts(specs, Role.STRUCTURE)
        structures = []
        for organisation, (innovation, wave, start, selected, population, _kind) in zip(
            organisations, rows, strict=True
        ):
            rural = (population or 0) < 2000
            structure = SpreadStructure(
                innovation=innovation,
                organisation=organisation,
                status=StructureStatus.SPREADING if start <= self.as_of else StructureStatus.TRAINING,
                wave=wave,
                start_date=start,
                is_qpv=not rural and rng.random() < 0.25,
                is_rural=rural,
                capacity=rng.randint(10, 80),
                selected_on=selected,
                agreement_signed_on=selected + datetime.timedelta(days=rng.randint(10, 40)),
                agreement_name="convention-partenariat.pdf",
                created_at=_at(selected),
            )
            if start <= self.as_of - datetime.timedelta(days=90) and rng.random() < 0.07:
                structure.status = StructureStatus.WITHDRAWN
                structure.withdrawn_on = self._date_between(start + datetime.timedelta(days=60), self.as_of)
                structure.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
            structures.append(structure)
        self.structures = self._bulk(SpreadStructure, structures)
        self.contacts = {s.pk: contact for s, contact in zip(self.structures, contacts, strict=True)}

    # Questionnaires ---------------------------------------------------------------
    def _value(self, question, people: int, start: datetime.date):
        rng, code, kind = self.rng, question.code, question.kind
        if code == "people_accompanied":
            return people
        if code == "people_deld":
            return rng.randint(people // 3, people)
        if code.startswith("exits_"):
            return rng.randint(0, people // 4)
        if kind == QuestionKind.INTEGER:
            low = question.min_value or 0
            high = min(question.max_value if question.max_value is not None else 200, 200)
            return rng.randint(low, max(low, min(high, 5 + people // 2)))
        if kind == QuestionKind.PERCENTAGE:
            return rng.randint(40, 95)
        if kind == QuestionKind.SCALE:
            return rng.randint(2, 5)
        if kind == QuestionKind.YES_NO:
            return rng.random() < 0.75
        if kind == QuestionKind.SINGLE_CHOICE:
            return rng.choice(question.choices)
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return rng.sample(question.choices, k=min(rng.randint(1, 3), len(question.choices)))
        if kind == QuestionKind.DATE:
            return (start + datetime.timedelta(days=rng.randint(0, 30))).isoformat()
        return _text(rng, 2)

    def _questionnaires(self) -> None:
        rng = self.rng
        versions = {phase: current_version(phase) for phase in PHASE_ORDER}
        questions = {phase: list(versions[phase].questions.all()) for phase in PHASE_ORDER}
        responses, answer_specs = [], []
        for structure in self.structures:
            contact = self.contacts[structure.pk]
            manager = structure.innovation.lead_manager
            people = rng.randint(3, 25)
            for phase in PHASE_ORDER:
                people += rng.randint(0, 40)
                opens_on, due_on = phase_dates(structure.start_date, phase)
                response = Response(
                    structure=structure, phase=phase, version=versions[phase], opens_on=opens_on, due_on=due_on
                )
                answered = 0  # questions answered: 0, some (in progress) or all
                withdrawn = structure.withdrawn_on
                if withdrawn is not None and opens_on >= withdrawn:
                    response.status, response.cancelled_at = ResponseStatus.CANCELLED, _at(withdrawn, 12)
                elif opens_on > self.as_of:
                    response.status = ResponseStatus.SCHEDULED
                else:
                    past_due = due_on + datetime.timedelta(days=45) < self.as_of
                    roll = rng.random()
                    if past_due and roll < 0.85 or not past_due and roll < 0.3:
                        response.status = ResponseStatus.VALIDATED if past_due else ResponseStatus.SUBMITTED
                    elif past_due and roll < 0.95:
                        response.status = ResponseStatus.SUBMITTED
                    elif past_due and roll < 0.97:
                        response.status = ResponseStatus.RETURNED
                        response.return_reason = "Merci de vérifier le nombre de sorties vers l'emploi."
                    elif roll < 0.8:
                        response.status = ResponseStatus.IN_PROGRESS
                    else:
                        response.status = ResponseStatus.SCHEDULED
                    if withdrawn is not None and response.status not in (
                        ResponseStatus.SUBMITTED,
                        ResponseStatus.VALIDATED,
                    ):
                        response.status, response.cancelled_at = ResponseStatus.CANCELLED, _at(withdrawn, 12)
                    if response.status != ResponseStatus.SCHEDULED:
                        started = opens_on + datetime.timedelta(days=rng.randint(0, 20))
                        response.started_at = _at(min(started, self.as_of), 9)
                        answered = len(questions[phase])
                    if response.status == ResponseStatus.IN_PROGRESS or (
                        response.status == ResponseStatus.CANCELLED and response.started_at
                    ):
                        answered = rng.randint(1, len(questions[phase]) - 1)
                    if response.status in (ResponseStatus.SUBMITTED, ResponseStatus.VALIDATED, ResponseStatus.RETURNED):
                        submitted = response.started_at + datetime.timedelta(days=rng.randint(1, 40))
                        response.submitted_at = min(submitted, _at(self.as_of, 17))
                        response.submitted_by = contact
                        response.figures_on = response.submitted_at.date()  # the date of its figures
                    if response.status == ResponseStatus.VALIDATED:
                        response.validated_at = response.submitted_at + datetime.timedelta(days=rng.randint(2, 20))
                        response.validated_by = manager
                responses.append(response)
                if answered:
                    when = response.submitted_at or response.started_at
                    values = [
                        (question, self._value(question, people, structure.start_date))
                        for question in questions[phase][:answered]
                    ]
                    answer_specs.append((len(responses) - 1, values, when, contact))
        self.responses = self._bulk(Response, responses)
        answers = []
        for index, values, when, contact in answer_specs:
            response = self.responses[index]
            answers += [
                Answer(response=response, question=q, value=v, revision=1, updated_at=when, updated_by=contact)
                for q, v in values
            ]
            if len(answers) >= 20000:
                self._bulk(Answer, answers, batch_size=5000)
                answers = []
        self._bulk(Answer, answers, batch_size=5000)
        # A structure whose impact questionnaire is in has been evaluated.
        evaluated = [
            r.structure_id
            for r in self.responses
            if r.phase == PHASE_ORDER[-1] and r.status in (ResponseStatus.SUBMITTED, ResponseStatus.VALIDATED)
        ]
        SpreadStructure.objects.filter(pk__in=evaluated).exclude(status=StructureStatus.WITHDRAWN).update(
            status=StructureStatus.EVALUATED
        )

    # Trainings --------------------------------------------------------------------
    def _trainings(self) -> None:
        rng = self.rng
        groups: dict[tuple[int, int], list[SpreadStructure]] = defaultdict(list)
        for structure in self.structures:
            groups[(structure.innovation_id, structure.wave)].append(structure)
        innovations = {i.pk: i for i in self.innovations}
        trainings, members = [], []
        for (innovation_id, wave), structures in groups.items():
            first_start = min(s.start_date for s in structures)
            innovation = innovations[innovation_id]
            for kind, title in (
                (TrainingKind.FORMATION_ACTION, "Formation-action"),
                (TrainingKind.EXCHANGE, "Échanges de pratiques"),
            ):
                if kind == TrainingKind.EXCHANGE and rng.random() < 0.5:
                    continue
                trainings.append(
                    Training(
                        innovation=innovation,
                        title=f"{title} – vague {wave}",
                        kind=kind,
                        mode=rng.choice(TrainingMode.values),
                        place=f"Locaux du porteur, {self._commune_by_code(innovation.origin_commune_id)[1]}",
                        trainers=f"Équipe de {innovation.name} et Ansa",
                        description=_text(rng, 2),
                        wave=wave,
                        created_at=_at(first_start - datetime.timedelta(days=120)),
                    )
                )
                members.append((structures, first_start, kind))
        self.trainings = self._bulk(Training, trainings)
        through = Training.structures.through
        through.objects.bulk_create(
            [
                through(training_id=t.pk, spreadstructure_id=s.pk)
                for t, (structures, _d, _k) in zip(self.trainings, members, strict=True)
                for s in structures
            ],
            batch_size=BATCH,
        )
        days, participants, plan = [], [], []
        for training, (structures, first_start, kind) in zip(self.trainings, members, strict=True):
            count = 4 if kind == TrainingKind.FORMATION_ACTION else 2
            base = first_start - datetime.timedelta(days=60)
            training_days = [
                TrainingDay(
                    training=training,
                    date=base + datetime.timedelta(days=45 * n),
                    starts_at=datetime.time(9, 30),
                    ends_at=datetime.time(17, 0),
                    topic=f"Journée {n + 1}",
                )
                for n in range(count)
            ]
            days += training_days
            trainees = [
                TrainingParticipant(
                    training=training,
                    structure=s,
                    full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {n + 1}",
                    function=rng.choice(["Chargé·e d'insertion", "Directeur·rice", "Encadrant·e technique"]),
                )
                for s in structures
                for n in range(2)
            ]
            participants += trainees
            plan.append((training_days, trainees))
        self._bulk(TrainingDay, days)
        self._bulk(TrainingParticipant, participants)
        attendances = [
            Attendance(day=day, participant=p, present=rng.random() < 0.9)
            for training_days, trainees in plan
            for day in training_days
            if day.date <= self.as_of
            for p in trainees
        ]
        self._bulk(Attendance, attendances, batch_size=5000)

    # Events -----------------------------------------------------------------------
    def _events(self) -> None:
        rng = self.rng
        n_events = self.counts["events"]
        people = [self._person() for _ in range(max(400, self.counts["registrations"] // 10))]
        events = []
        for index in range(n_events):
            year = self.first_year + (index * 10) // n_events
            kind, label, (low, high) = EVENT_KINDS[0 if index % 10 == 0 else 1 + index % 3]
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(20, 340))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            code, city, _population = self._commune()
            theme = rng.choice(EVENT_THEMES)
            title = f"{label} {year}" if kind == EventKind.NATIONAL_DAY else f"{label} : {theme} ({city})"
            events.append(
                Event(
                    kind=kind,
                    title=title,
                    slug=f"{SLUG_PREFIX}{year}-{index + 1}-{slugify(title)}"[:200],
                    date=day,
                    starts_at=datetime.time(9, 30),
                    ends_at=datetime.time(17, 0),
                    place=f"Centre des congrès, {city}",
                    description=_text(rng, 3),
                    capacity=rng.randint(low, high),
                    registration_opens_at=_at(day - datetime.timedelta(days=60), 9),
                    registration_closes_at=_at(day - datetime.timedelta(days=2), 18),
                    is_published=True,
                    created_at=_at(day - datetime.timedelta(days=75), 9),
                )
            )
        self.events = self._bulk(Event, events)
        sessions, session_links = [], []
        open_innovations = sorted(self.innovations, key=lambda i: i.year_selected)
        for event in self.events:
            sessions.append(
                Session(event=event, kind=SessionKind.PLENARY, title="Plénière d'ouverture",
                        starts_at=datetime.time(9, 30), ends_at=datetime.time(10, 30), room="Amphithéâtre")
            )  # fmt: skip
            for round_number, (begin, end) in enumerate(((11, 12), (14, 16)), start=1):
                kind = SessionKind.WORKSHOP if round_number == 1 else SessionKind.SPEED_DATING
                for room in range(3):
                    sessions.append(
                        Session(
                            event=event,
                            kind=kind,
                            title=f"Atelier {round_number}.{room + 1} : {rng.choice(EVENT_THEMES)}",
                            starts_at=datetime.time(begin, 0),
                            ends_at=datetime.time(end, 0),
                            room=f"Salle {room + 1}",
                            capacity=event.capacity // 3 + rng.randint(0, 10),
                            round_number=round_number,
                            speakers=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, Ansa",
                        )
                    )
        self.event_sessions = self._bulk(Session, sessions)
        by_event: dict[int, list[Session]] = defaultdict(list)
        event_year = {e.pk: e.date.year for e in self.events}
        for session in self.event_sessions:
            by_event[session.event_id].append(session)
            presented = [i for i in open_innovations if i.year_selected <= event_year[session.event_id]]
            if session.round_number and presented and rng.random() < 0.5:
                session_links.append((session, rng.choice(presented)))
        through = Session.innovations.through
        through.objects.bulk_create(
            [through(session_id=s.pk, innovation_id=i.pk) for s, i in session_links], batch_size=BATCH
        )
        # Registrations: popular events overflow into a waiting list; a few people cancel.
        per_event = _distribute(self.counts["registrations"], [e.capacity * rng.uniform(0.6, 1.3) for e in self.events])
        per_event = [min(n, len(people)) for n in per_event]
        registrations, choices = [], []
        for event, count in zip(self.events, per_event, strict=True):
            opens = event.registration_opens_at
            span = (event.registration_closes_at - opens).total_seconds()
            moments = sorted(opens + datetime.timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
            confirmed = 0
            taken: dict[int, int] = defaultdict(int)
            rounds: dict[int, list[Session]] = defaultdict(list)
            for session in by_event[event.pk]:
                if session.round_number:
                    rounds[session.round_number].append(session)
            for person, moment in zip(rng.sample(people, k=count), moments, strict=True):
                registration = Registration(
                    event=event,
                    full_name=f"{person.first_name} {person.last_name}",
                    email=person.email,
                    organisation=rng.choice(self.carriers).name,
                    job_title=rng.choice(["Directeur·rice", "Chargé·e de mission", "Conseiller·ère emploi"]),
                    created_at=moment,
                )
                if rng.random() < 0.05:
                    registration.status = RegistrationStatus.CANCELLED
                    registration.cancelled_at = moment + datetime.timedelta(days=rng.randint(1, 10))
                elif confirmed < event.capacity:
                    registration.status = RegistrationStatus.CONFIRMED
                    confirmed += 1
                    if event.date <= self.as_of and rng.random() < 0.85:
                        registration.checked_in_at = _at(event.date, 9)
                    for sessions_of_round in rounds.values():
                        free = [s for s in sessions_of_round if taken[s.pk] < s.capacity]
                        if free:
                            chosen = rng.choice(free)
                            taken[chosen.pk] += 1
                            choices.append((len(registrations), chosen))
                else:
                    registration.status = RegistrationStatus.WAITING
                    registration.waiting_since = moment
                registrations.append(registration)
        self.registrations = self._bulk(Registration, registrations, batch_size=5000)
        self._bulk(
            SessionChoice,
            [
                SessionChoice(registration=self.registrations[i], session=s, round_number=s.round_number)
                for i, s in choices
            ],
            batch_size=5000,
        )


def generate(*, seed: int = 1, scale: float = 1.0, year: int = DEFAULT_YEAR, password=None, log=None) -> Generator:
    """Generate the programme (in one transaction); returns the generator with its timings."""
    generator = Generator(seed=seed, scale=scale, year=year, password=password, log=log)
    generator.run()
    return generator


# --------------------------------------------------------------------------
# What was generated: counts, digest, flush
# --------------------------------------------------------------------------


def generated_users():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def generated_calls():
    return Call.objects.filter(slug__startswith=SLUG_PREFIX)


def generated_organisations():
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user__in=generated_users(), organisation__isnull=False).values(
            "organisation_id"
        )
    )


def generated_innovations():
    return Innovation.objects.filter(carrier__in=generated_organisations())


def generated_counts() -> dict[str, int]:
    structures = SpreadStructure.objects.filter(innovation__in=generated_innovations())
    responses = Response.objects.filter(structure__in=structures)
    events = Event.objects.filter(slug__startswith=SLUG_PREFIX)
    return {
        "users": generated_users().count(),
        "organisations": generated_organisations().count(),
        "calls": generated_calls().count(),
        "dossiers": Dossier.objects.filter(call__in=generated_calls()).count(),
        "review_assignments": ReviewAssignment.objects.filter(dossier__call__in=generated_calls()).count(),
        "reviews": Review.objects.filter(assignment__dossier__call__in=generated_calls()).count(),
        "scores": Score.objects.filter(review__assignment__dossier__call__in=generated_calls()).count(),
        "innovations": generated_innovations().count(),
        "structures": structures.count(),
        "questionnaires": responses.count(),
        "answers": Answer.objects.filter(response__in=responses).count(),
        "trainings": Training.objects.filter(innovation__in=generated_innovations()).count(),
        "trainees": TrainingParticipant.objects.filter(training__innovation__in=generated_innovations()).count(),
        "attendances": Attendance.objects.filter(day__training__innovation__in=generated_innovations()).count(),
        "events": events.count(),
        "sessions": Session.objects.filter(event__in=events).count(),
        "registrations": Registration.objects.filter(event__in=events).count(),
    }


def digest() -> str:
    """SHA-256 of the generated data's names and values (no ids, no tokens): equal for
    two runs with the same seed, scale and year."""
    hasher = hashlib.sha256()
    calls = generated_calls()
    innovations = generated_innovations()
    events = Event.objects.filter(slug__startswith=SLUG_PREFIX)
    queries = [
        generated_users().values_list("email", "first_name", "last_name", "date_joined"),
        generated_organisations().values_list("name", "kind", "commune_id"),
        calls.values_list("slug", "title", "opens_at", "closes_at", "reviewers_per_dossier"),
        Dossier.objects.filter(call__in=calls).values_list(
            "call__slug", "organisation__name", "innovation_name", "status", "people_accompanied", "publics"
        ),
        Score.objects.filter(review__assignment__dossier__call__in=calls).values_list(
            "review__assignment__dossier__innovation_name",
            "review__assignment__member__email",
            "criterion__position",
            "value",
        ),  # fmt: skip
        SessionDecision.objects.filter(session__call__in=calls).values_list("dossier__innovation_name", "decision"),
        innovations.values_list("name", "slug", "stage", "year_selected", "lead_manager__email"),
        SpreadStructure.objects.filter(innovation__in=innovations).values_list(
            "innovation__slug", "organisation__name", "status", "wave", "start_date", "withdrawn_on"
        ),
        Response.objects.filter(structure__innovation__in=innovations).values_list(
            "structure__organisation__name", "phase", "status", "opens_on", "submitted_at"
        ),
        Answer.objects.filter(response__structure__innovation__in=innovations).values_list(
            "response__structure__organisation__name", "response__phase", "question__code", "value"
        ),
        TrainingParticipant.objects.filter(training__innovation__in=innovations).values_list(
            "training__title", "structure__organisation__name", "full_name"
        ),
        events.values_list("slug", "date", "capacity"),
        Registration.objects.filter(event__in=events).values_list("event__slug", "email", "status", "created_at"),
        SessionChoice.objects.filter(registration__event__in=events).values_list(
            "registration__email", "registration__event__slug", "session__title", "session__room"
        ),
    ]
    for query in queries:
        rows = sorted(json.dumps(row, default=str, ensure_ascii=False) for row in query)
        hasher.update("\n".join(rows).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


class RealDataError(Exception):
    """The database holds data that was not generated: nothing is deleted."""


def flush() -> dict[str, int]:
    """Delete the generated data, and only it (no history rows are written for it).
    Refused (``RealDataError``) when the database holds calls that were not generated."""
    real = Call.objects.exclude(slug__startswith=SLUG_PREFIX).count()
    if real:
        raise RealDataError(real)
    from django.test.utils import override_settings

    deleted = {}
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        innovations = list(generated_innovations().values_list("pk", flat=True))
        organisations = list(generated_organisations().values_list("pk", flat=True))
        calls = list(generated_calls().values_list("pk", flat=True))
        steps = [
            ("events", Event.objects.filter(slug__startswith=SLUG_PREFIX)),
            ("reports", Report.objects.filter(innovation__in=innovations)),
            ("trainings", Training.objects.filter(innovation__in=innovations)),
            ("answers", Answer.objects.filter(response__structure__innovation__in=innovations)),
            ("structures", SpreadStructure.objects.filter(innovation__in=innovations)),
            ("sessions", SelectionSession.objects.filter(call__in=calls)),
            ("scores", Score.objects.filter(review__assignment__dossier__call__in=calls)),
            ("dossiers", Dossier.objects.filter(call__in=calls)),
            ("calls", Call.objects.filter(pk__in=calls)),
            ("innovations", Innovation.objects.filter(pk__in=innovations)),
            ("organisations", Organisation.objects.filter(pk__in=organisations)),
            ("users", generated_users()),
        ]
        for name, queryset in steps:
            deleted[name] = queryset.delete()[0]
    return deleted
