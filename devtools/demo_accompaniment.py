"""Demo data of the accompaniment and the essaimage: stage plans and moves,
deliverables, governance, awareness actions, calls for structures and
applications, agreements, trainings with attendance, hotline and site visits.

Dates are placed around today so that the demo always shows current work, one
late stage and an open call for structures. All of it belongs to the demo's
fictional innovations and organisations (the ``demo_data`` command passes only
those): the real innovations keep the facts of ``devtools/programme_facts.py``
and get no invented activity. Idempotent: an innovation that already has stage
plans is left as it is.
"""

from datetime import date, time, timedelta
from functools import cache

from django.core.files.base import ContentFile
from django.utils import timezone

from ais.accounts.models import OrganisationType
from essaimage.models import (
    ACTIVE_STATUSES,
    ApplicationStatus,
    Attendance,
    SiteVisit,
    SpreadStructure,
    StructureApplication,
    StructureCall,
    SupportRequest,
    Training,
    TrainingDay,
    TrainingParticipant,
)
from projects.models import (
    AwarenessAction,
    Deliverable,
    GovernanceMember,
    Innovation,
    InnovationTarget,
    SpreadingModel,
    Stage,
    StagePlan,
    StageTransition,
)

# Months each stage lasts in the demo's plans (three years in all).
STAGE_MONTHS = {Stage.FEASIBILITY: 4, Stage.MOBILISATION: 6, Stage.ESSAIMAGE: 18, Stage.EVALUATION: 8}

TARGETS = {
    "Atelier RH partagé (démonstration)": [("quantitative", "Taux de sortie vers l'emploi", 70, "%", "exit_rate")],
    "Parcours métiers de l'habitat (démonstration)": [
        ("quantitative", "Maintien dans l'emploi à six mois", 90, "%", "retention_6_months"),
        ("quantitative", "Personnes recrutées", 60, "personnes", "exits_durable"),
    ],
    "Premier pas rémunéré (démonstration)": [("quantitative", "Heures d'insertion", 10, "%", "insertion_hours")],
}
DEFAULT_TARGETS = [
    ("quantitative", "Taux de sortie vers l'emploi", 60, "%", "exit_rate"),
    ("quantitative", "DELD accompagnés par structure et par an", 20, "personnes", "people_accompanied"),
    ("qualitative", "Les structures s'approprient le modèle sans en perdre l'esprit", None, "", ""),
]
SPREADING_MODELS = {
    "Atelier RH partagé (démonstration)": SpreadingModel.FORMATION_ACTION,
    "Emploi d'utilité locale (démonstration)": SpreadingModel.INTENSIVE,
    "Parcours métiers de l'habitat (démonstration)": SpreadingModel.FORMATION_ACTION,
    "Premier pas rémunéré (démonstration)": SpreadingModel.PILOT_TOOLING,
    "Chantier-relais (démonstration)": SpreadingModel.FORMATION_ACTION,
}
# Applications to the open call for structures: organisation, type, commune, capacity, contact.
APPLICANTS = [
    (
        "Maison de l'emploi de démonstration – Redon",
        OrganisationType.MAISON_EMPLOI,
        "35236",
        40,
        "Anne",
        "Le Goff",
        "anne.legoff@exemple.fr",
    ),
    ("ACI de démonstration – Rodez", OrganisationType.ACI, "12202", 18, "Bruno", "Vidal", "b.vidal@exemple.fr"),
    (
        "Association de démonstration – Guéret",
        OrganisationType.ASSOCIATION,
        "23096",
        25,
        "Chloé",
        "Marchand",
        "chloe.marchand@exemple.fr",
    ),
    (
        "Régie de démonstration – Cosne-Cours-sur-Loire",
        OrganisationType.REGIE,
        "58086",
        30,
        "David",
        "Perrin",
        "d.perrin@exemple.fr",
    ),
]
APPLICANT_COMMUNES = {row[2] for row in APPLICANTS}
LATE = "Tutorat en entreprise (démonstration)"  # its current stage ended a month ago
OPEN_CALL = "Maison rurale de l'emploi (démonstration)"  # its call for structures is open
DEMO_STRUCTURE = "Régie de quartier de démonstration – Rouen"  # the demo structure contact's organisation
TRAINEES = ["Claire Dubois", "Yanis Moreau", "Inès Garnier", "Hugo Lambert", "Aïcha Diallo", "Paul Fontaine"]


@cache
def _pdf(title: str) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=f"<h1>{title}</h1><p>Document de démonstration AIS#Emploi.</p>").write_pdf()


def _months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28))


def _deliverable(innovation, kind, title, dated, **extra):
    deliverable = Deliverable(innovation=innovation, kind=kind, title=title, dated=dated, **extra)
    data = _pdf(title)
    deliverable.file.save(f"{kind}.pdf", ContentFile(data), save=False)
    deliverable.original_name = f"{title}.pdf".replace("/", "-")
    deliverable.mime_type = "application/pdf"
    deliverable.size = len(data)
    deliverable.save()


def load(innovations: dict[str, Innovation], orgs: dict, manager) -> None:
    today = timezone.localdate()
    for name, innovation in innovations.items():
        if innovation.stage_plans.exists():
            continue
        _plans(innovation, manager, today, late=name == LATE)
        _targets(innovation, name)
        if innovation.stage > Stage.FEASIBILITY:
            _stage_one(innovation, manager)
        if innovation.stage > Stage.MOBILISATION:
            _stage_two(innovation, today)
        if innovation.stage >= Stage.ESSAIMAGE:
            _trainings(innovation, today)
            _support(innovation, manager, today)
        if innovation.stage > Stage.ESSAIMAGE:
            _deliverable(innovation, "tooling", "Boîte à outils des structures", today - timedelta(days=400))
            _deliverable(innovation, "guide", f"Guide de l'essaimage – {name}", today - timedelta(days=300))
    if OPEN_CALL in innovations:
        _open_call(innovations[OPEN_CALL], orgs, today)


def _plans(innovation, manager, today, *, late=False):
    """Plans of the four stages; the current one started three months ago (or ended
    a month ago for the late demo innovation)."""
    current = innovation.stage
    start = today - timedelta(days=90)
    for stage in range(current - 1, 0, -1):
        start = _months(start, -STAGE_MONTHS[stage])
    innovation.accompaniment_start = start
    innovation.selected_on = start - timedelta(days=30)  # the committee selected it a month before
    innovation.year_selected = innovation.selected_on.year
    innovation.lead_manager = manager
    innovation.spreading_model = SPREADING_MODELS.get(innovation.name, "")
    innovation.save(
        update_fields=["accompaniment_start", "selected_on", "year_selected", "lead_manager", "spreading_model"]
    )
    if manager:
        innovation.team.add(manager)
    cursor = start
    for stage in Stage.values:
        end = _months(cursor, STAGE_MONTHS[stage])
        if late and stage == current:
            end = today - timedelta(days=30)
        StagePlan.objects.create(
            innovation=innovation,
            stage=stage,
            planned_start=cursor,
            planned_end=end,
            actual_start=cursor if stage <= current else None,
            actual_end=end if stage < current else None,
        )
        if stage < current:
            StageTransition.objects.create(
                innovation=innovation,
                from_stage=stage,
                to_stage=stage + 1,
                moved_by=manager,
                moved_at=timezone.make_aware(timezone.datetime.combine(end, time(10))),
                effective_on=end,
            )
        cursor = end


def _targets(innovation, name):
    for position, (kind, label, value, unit, code) in enumerate(TARGETS.get(name, DEFAULT_TARGETS)):
        InnovationTarget.objects.create(
            innovation=innovation,
            kind=kind,
            label=label,
            value=value,
            unit=unit,
            indicator_code=code,
            position=position,
        )


def _stage_one(innovation, manager):
    plan = innovation.stage_plans.get(stage=Stage.FEASIBILITY)
    _deliverable(
        innovation,
        "feasibility_study",
        f"Étude de faisabilité – {innovation.name}",
        plan.planned_end - timedelta(days=20),
        conclusion="go",
        notes="Modèle formalisé, porteur mobilisé ; vigilance sur le financement des postes d'encadrement.",
    )
    _deliverable(innovation, "charter", "Charte d'engagement signée", plan.planned_end - timedelta(days=5))


def _stage_two(innovation, today):
    plan = innovation.stage_plans.get(stage=Stage.MOBILISATION)
    for full_name, organisation, function in [
        ("Martine Roux", "Partenaire de démonstration du comité de pilotage", "Représentante d'un financeur"),
        ("Karim Belkacem", innovation.carrier.name, "Directeur du porteur"),
        ("Élise Caron", "Tête de réseau de démonstration", "Tête de réseau"),
    ]:
        GovernanceMember.objects.create(
            innovation=innovation, full_name=full_name, organisation_name=organisation, function=function
        )
    AwarenessAction.objects.create(
        innovation=innovation,
        held_on=plan.planned_start + timedelta(days=30),
        title="Webinaire de présentation aux têtes de réseau",
        audience="Têtes de réseau de l'insertion (démonstration)",
        channel="webinar",
        people_reached=64,
    )
    AwarenessAction.objects.create(
        innovation=innovation,
        held_on=plan.planned_start + timedelta(days=70),
        title="Réunion d'information en région",
        audience="SIAE et maisons de l'emploi de trois régions",
        channel="meeting",
        people_reached=38,
    )
    StructureCall.objects.create(
        innovation=innovation,
        title=f"Devenez structure essaimée de {innovation.name}",
        description="Trois ans d'accompagnement, une formation-action et un outillage complet.",
        opens_on=plan.planned_start + timedelta(days=60),
        closes_on=plan.planned_start + timedelta(days=120),
        places=12,
        published_at=timezone.make_aware(timezone.datetime.combine(plan.planned_start + timedelta(days=59), time(9))),
    )
    for structure in innovation.spread_structures.filter(status__in=ACTIVE_STATUSES):
        signed = plan.planned_end - timedelta(days=15)
        structure.agreement.save("convention.pdf", ContentFile(_pdf("Convention de partenariat")), save=False)
        structure.agreement_name = "Convention de partenariat.pdf"
        structure.agreement_signed_on = signed
        structure.selected_on = structure.selected_on or plan.planned_end - timedelta(days=40)
        structure.capacity = structure.capacity or 24
        structure.save()


def _trainings(innovation, today):
    structures = list(innovation.spread_structures.filter(status__in=ACTIVE_STATUSES).select_related("organisation"))
    if not structures:
        return
    plan = innovation.stage_plans.get(stage=Stage.ESSAIMAGE)
    training = Training.objects.create(
        innovation=innovation,
        title=f"Formation-action {innovation.name} – promotion 1",
        kind="formation_action",
        mode="on_site",
        place="Salle de formation de démonstration, Paris",
        trainers=f"{innovation.carrier.name} et Ansa",
        description="Une journée par mois pendant six mois, par binômes de structures.",
        wave=1,
    )
    training.structures.set(structures)
    days = [
        TrainingDay.objects.create(
            training=training,
            date=plan.actual_start + timedelta(days=30 * index + 7),
            starts_at=time(9, 30),
            ends_at=time(17, 0),
            topic=topic,
        )
        for index, topic in enumerate(
            ["Les fondamentaux du modèle", "Mobiliser les entreprises", "Suivre les parcours", "Évaluer"]
        )
    ]
    participants = [
        TrainingParticipant.objects.create(
            training=training,
            structure=structure,
            full_name=TRAINEES[(index * 2 + offset) % len(TRAINEES)],
            function="Conseiller·ère en insertion" if offset else "Encadrant·e technique",
        )
        for index, structure in enumerate(structures)
        for offset in range(2)
    ]
    for day_index, day in enumerate(days):
        if day.date > today:
            continue
        for index, participant in enumerate(participants):
            Attendance.objects.create(day=day, participant=participant, present=(index + day_index) % 5 != 0)


def _support(innovation, manager, today):
    structures = list(innovation.spread_structures.filter(status__in=ACTIVE_STATUSES))
    entries = [
        ("phone", "method", 30, "Comment garder la fidélité au modèle avec une équipe réduite ?", True),
        ("email", "tools", 15, "Où trouver la dernière version du livret d'accueil ?", True),
        ("video", "partners", 45, "Comment convaincre un bailleur social de recruter ?", False),
    ]
    for index, structure in enumerate(structures):
        for offset, (channel, topic, minutes, question, resolved) in enumerate(entries[: 1 + index % 3]):
            SupportRequest.objects.create(
                innovation=innovation,
                structure=structure,
                date=today - timedelta(days=10 + 17 * offset + 5 * index),
                channel=channel,
                topic=topic,
                minutes_spent=minutes,
                question=question,
                answer="Réponse apportée par la chargée de projets." if resolved else "",
                resolved=resolved,
                handled_by=manager,
            )
        if index == 0:
            SiteVisit.objects.create(
                innovation=innovation,
                structure=structure,
                date=today - timedelta(days=45),
                visitors="Camille Martin (Ansa)",
                people_met="Directrice de la structure\nDeux conseillères en insertion",
                report="Le modèle est bien approprié ; les entreprises du territoire répondent présent. "
                "Point d'attention : le remplacement d'une conseillère formée.",
            )


def _open_call(innovation, orgs, today):
    call, created = StructureCall.objects.get_or_create(
        innovation=innovation,
        title=f"{innovation.name} : appel aux structures",
        defaults={
            "description": "Vous accompagnez des demandeurs d'emploi de longue durée en milieu rural ? Rejoignez "
            "la première vague d'essaimage : formation-action de six mois, outillage et appui à distance.",
            "opens_on": today - timedelta(days=20),
            "closes_on": today + timedelta(days=25),
            "places": 6,
            "published_at": timezone.now() - timedelta(days=20),
        },
    )
    if not created:
        return
    for organisation, kind, commune, capacity, first, last, email in APPLICANTS:
        StructureApplication.objects.create(
            call=call,
            organisation_name=organisation,
            organisation_kind=kind,
            commune_id=commune,
            is_rural=True,
            capacity=capacity,
            motivation="Nous accompagnons des DELD dans un territoire rural sans lieu unique d'accès à la formation "
            "et à l'emploi ; le modèle répond exactement à ce manque.",
            contact_first_name=first,
            contact_last_name=last,
            contact_email=email,
            contact_function="Directeur·rice",
            status=ApplicationStatus.RECEIVED,
        )


def schedule_questionnaires(manager) -> None:
    """Questionnaires of every structure with a start date; those whose due date is past
    are answered (and validated) for the structures that finished their spreading, so
    that the follow-up and the indicators have figures to show."""
    from evaluation import services as evaluation_services
    from evaluation.models import QuestionKind, Response, ResponseStatus
    from evaluation.schedule import schedule_for_structure

    today = timezone.localdate()
    for structure in SpreadStructure.objects.exclude(start_date=None).select_related("innovation", "organisation"):
        if Response.objects.filter(structure=structure).exists():
            continue
        schedule_for_structure(structure.pk)
        for index, response in enumerate(Response.objects.filter(structure=structure).order_by("opens_on")):
            if response.due_on >= today or response.status != ResponseStatus.SCHEDULED:
                continue
            if structure.status != "evaluated" and index > 0:
                continue  # the spreading structures are late on their later questionnaires
            if structure.organisation.name == DEMO_STRUCTURE:
                continue  # the demo structure contact has a questionnaire to answer
            seed = structure.pk * 7 + index
            people = 18 + seed % 25
            values = {
                "people_accompanied": people,
                "people_deld": people - 3 - seed % 4,
                "exits_durable_employment": people * (35 + seed % 20) // 100,
                "exits_transitional_employment": people * (15 + seed % 10) // 100,
                "exits_qualifying_training": people * (5 + seed % 6) // 100,
                "retention_6_months": 70 + seed % 25,
                "insertion_hours": 4000 + 150 * (seed % 30),
                "companies_mobilised": 6 + seed % 12,
                "partners_mobilised": 4 + seed % 6,
                "professionals_trained": 2 + seed % 3,
                "partners_informed": 5 + seed % 7,
                "companies_contacted": 10 + seed % 15,
                "collective_sessions": 8 + seed % 10,
            }
            texts = {
                "testimony": "« Ici, on m'a fait confiance avant de me demander un CV. » – une personne accompagnée",
                "structure_effects": "L'équipe a revu son accompagnement : plus de temps en entreprise, moins de "
                "rendez-vous au bureau.",
                "territory_effects": "Les entreprises du quartier nous appellent désormais directement.",
                "success_conditions": "Une direction convaincue, un binôme formé et un premier employeur partenaire.",
            }
            for question in response.version.questions.all():
                if question.code in values:
                    raw = values[question.code]
                elif question.kind in (QuestionKind.LONG_TEXT, QuestionKind.SHORT_TEXT):
                    raw = texts.get(question.code, "Mise en œuvre conforme au modèle, avec un démarrage progressif.")
                elif question.kind == QuestionKind.SCALE:
                    raw = 3 + seed % 3
                elif question.kind == QuestionKind.YES_NO:
                    raw = "yes"
                elif question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
                    raw = question.choices[seed % len(question.choices)]
                    raw = [raw] if question.kind == QuestionKind.MULTIPLE_CHOICE else raw
                elif question.kind == QuestionKind.DATE:
                    raw = structure.start_date.isoformat()
                else:
                    raw = 10
                evaluation_services.save_answer(response, question, raw, revision=0, by=manager)
            response.refresh_from_db()
            evaluation_services.submit_response(response, by=manager)
            evaluation_services.validate_response(response, by=manager)
