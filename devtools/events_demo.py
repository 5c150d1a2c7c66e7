"""Demo data of the events and the resources library: last year's national exchange
day (round tables, three speed-dating rounds in four rooms, workshops, registrations,
check-ins, a published restitution), an upcoming thematic day open for registration,
and a few resources of the library (some about evaluation).

Idempotent: an event or a resource whose address identifier exists is left as it is.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from events import services
from events.models import (
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Resource,
    ResourceKind,
    Session,
    SessionChoice,
    SessionKind,
    Theme,
)

ROOMS = ["Salle Jaurès", "Salle Curie", "Salle Hugo", "Salle Zola"]
PEOPLE = [
    ("Amina Diallo", "Régie de quartier Saint-Nicaise", "Encadrante technique"),
    ("Julien Moreau", "Maison de l'emploi de Rouen", "Chargé de mission"),
    ("Claire Dubois", "Pôle emploi Normandie", "Conseillère"),
    ("Karim Benali", "Association VITA-Air", "Directeur"),
    ("Sophie Garnier", "Département de la Seine-Maritime", "Cheffe de service insertion"),
    ("Lucas Martin", "Chantier école Bretagne", "Coordinateur"),
    ("Nadia Roussel", "CAARUD Horizons", "Éducatrice"),
    ("Pierre Lambert", "Fondation Agir contre l'exclusion", "Délégué régional"),
    ("Inès Fontaine", "Entreprise d'insertion Tremplin", "Responsable RH"),
    ("Hugo Perrin", "DGEFP – ministère du Travail", "Chargé d'études"),
    ("Léa Chevalier", "ANCT", "Cheffe de projet"),
    ("Mehdi Haddad", "Mission locale de Lille", "Conseiller"),
]

RESOURCES = [
    (
        "guide-essaimage",
        "Guide de l'essaimage d'une innovation sociale",
        ResourceKind.GUIDE,
        [Theme.SPREADING, Theme.GOVERNANCE],
        True,
        "Les quatre étapes pour transposer une innovation dans un nouveau territoire.",
        "Étude de faisabilité, mobilisation des parties prenantes, essaimage puis évaluation : "
        "ce guide reprend chaque étape avec des exemples et des outils.",
    ),
    (
        "boite-a-outils-evaluation",
        "Boîte à outils : évaluer l'essaimage",
        ResourceKind.TOOLBOX,
        [Theme.EVALUATION],
        True,
        "Questionnaires, indicateurs et tableaux de bord pour évaluer une innovation essaimée.",
        "Comment évaluer les effets sur les personnes accompagnées, à 3, 9 et 18 mois ? "
        "Les questionnaires types et les indicateurs de sortie vers l'emploi.",
    ),
    (
        "revue-systematique-chomage-longue-duree",
        "Revue systématique des dispositifs pour les chômeurs de longue durée",
        ResourceKind.SYSTEMATIC_REVIEW,
        [Theme.PUBLIC_POLICY, Theme.EVALUATION],
        True,
        "Ce que disent les études sur les dispositifs d'accès à l'emploi des chômeurs de longue durée.",
        "Une revue de 120 études françaises et européennes ; la méthode d'évaluation de chaque étude "
        "est précisée (expérimentale, quasi expérimentale, qualitative).",
    ),
    (
        "etat-des-savoirs-mobilisation-employeurs",
        "État des savoirs : mobiliser les employeurs",
        ResourceKind.STATE_OF_KNOWLEDGE,
        [Theme.EMPLOYERS],
        True,
        "Les leviers qui fonctionnent pour associer les entreprises au retour à l'emploi.",
        "Médiation active, immersions, recrutement sans CV : synthèse des pratiques repérées.",
    ),
    (
        "restitution-journee-nationale",
        "Restitution de la journée nationale d'échanges",
        ResourceKind.RESTITUTION,
        [Theme.SPREADING, Theme.TERRITORIES],
        True,
        "Ce qui s'est dit lors des tables rondes et des ateliers de la journée nationale.",
        "Synthèse des tables rondes, des ateliers et du speed-dating des innovations.",
    ),
    (
        "kit-accompagnement-global",
        "Kit d'accompagnement global des demandeurs d'emploi",
        ResourceKind.TOOLBOX,
        [Theme.SUPPORT, Theme.TRAINING],
        False,
        "Fiches pratiques pour les conseillers : diagnostic, levée des freins, suivi dans l'emploi.",
        "Réservé aux membres du réseau : fiches et modèles à adapter.",
    ),
    (
        "note-evaluation-impact",
        "Note méthodologique : évaluation d'impact",
        ResourceKind.GUIDE,
        [Theme.EVALUATION],
        False,
        "Choisir une méthode pour évaluer l'impact d'une innovation sur le retour à l'emploi.",
        "Groupe témoin, suivi de cohorte, analyse de contribution : avantages et limites.",
    ),
    (
        "guide-gouvernance-locale",
        "Guide de la gouvernance locale d'une innovation",
        ResourceKind.GUIDE,
        [Theme.GOVERNANCE, Theme.TERRITORIES],
        True,
        "Constituer un comité de pilotage local et faire vivre le partenariat.",
        "Qui inviter, à quel rythme se réunir, quels engagements formaliser dans la convention.",
    ),
]


def _at(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


def _session(event, kind, title, start, end, *, room="", capacity=None, round_number=None, speakers="", innovations=()):
    session = Session.objects.create(
        event=event,
        kind=kind,
        title=title,
        starts_at=start,
        ends_at=end,
        room=room,
        capacity=capacity,
        round_number=round_number,
        speakers=speakers,
    )
    if innovations:
        session.innovations.set(innovations)
    return session


def _national_day(innovations: list, manager, today: datetime.date) -> None:
    date = datetime.date(today.year - 1, 6, 12)
    event = Event.objects.create(
        kind=EventKind.NATIONAL_DAY,
        title=f"Journée nationale d'échanges {date.year}",
        slug=f"journee-nationale-{date.year}",
        date=date,
        starts_at=_at(9, 30),
        ends_at=_at(17, 0),
        place="Cité internationale universitaire, 17 boulevard Jourdan, 75014 Paris",
        description=(
            "La journée annuelle de l'Accélérateur : tables rondes, speed-dating des innovations "
            "et ateliers pour partager ce qui marche pour l'emploi des chômeurs de longue durée."
        ),
        capacity=150,
        is_published=True,
    )
    _session(
        event,
        SessionKind.PLENARY,
        "Ouverture : dix ans d'innovations pour l'emploi",
        _at(9, 30),
        _at(10, 0),
        room="Grand amphithéâtre",
        speakers="Directrice générale, Ansa\nSous-directeur, DGEFP – ministère du Travail",
    )
    _session(
        event,
        SessionKind.ROUND_TABLE,
        "Table ronde : essaimer sans dénaturer",
        _at(10, 0),
        _at(11, 0),
        room="Grand amphithéâtre",
        speakers="Nadia Haddad, Association VITA-Air\nPierre Lambert, Fondation Agir contre l'exclusion",
        innovations=innovations[:2],
    )
    speed = []
    for round_number, (start, end) in enumerate(
        [(_at(11, 15), _at(11, 45)), (_at(11, 45), _at(12, 15)), (_at(12, 15), _at(12, 45))], start=1
    ):
        for index, room in enumerate(ROOMS):
            presented = innovations[(round_number * 4 + index) % len(innovations)] if innovations else None
            title = f"Speed-dating : {presented.name}" if presented else f"Speed-dating {round_number}.{index + 1}"
            speed.append(
                _session(
                    event,
                    SessionKind.SPEED_DATING,
                    title,
                    start,
                    end,
                    room=room,
                    capacity=12,
                    round_number=round_number,
                    innovations=[presented] if presented else (),
                )
            )
    workshops = [
        _session(
            event,
            SessionKind.WORKSHOP,
            title,
            _at(14, 0),
            _at(15, 30),
            room=room,
            capacity=30,
            round_number=4,
        )
        for title, room in [
            ("Atelier : mobiliser les employeurs", ROOMS[0]),
            ("Atelier : évaluer les effets pour les personnes", ROOMS[1]),
            ("Atelier : financer l'essaimage", ROOMS[2]),
        ]
    ]
    _session(
        event,
        SessionKind.PLENARY,
        "Restitution des ateliers et clôture",
        _at(16, 0),
        _at(17, 0),
        room="Grand amphithéâtre",
    )
    # Registrations, recorded as they were (registration closed since).
    for index, (name, organisation, job_title) in enumerate(PEOPLE):
        registration = Registration.objects.create(
            event=event,
            full_name=name,
            email=f"participant{index + 1}@demo.ais-emploi.fr",
            organisation=organisation,
            job_title=job_title,
            status=RegistrationStatus.CONFIRMED,
            checked_in_at=timezone.make_aware(datetime.datetime.combine(date, _at(9, 10))) if index % 4 else None,
            checked_in_by=manager if index % 4 else None,
        )
        chosen = [speed[(round_number - 1) * 4 + index % 4] for round_number in (1, 2, 3)]
        chosen.append(workshops[index % 3])
        SessionChoice.objects.bulk_create(
            SessionChoice(registration=registration, session=s, round_number=s.round_number) for s in chosen
        )
    services.save_restitution(
        workshops[1],
        text=(
            "Les participants ont partagé leurs pratiques d'évaluation : questionnaires à 3, 9 et 18 mois, "
            "entretiens avec les personnes accompagnées, suivi du taux de sortie vers l'emploi.\n\n"
            "Prochaine étape : une boîte à outils commune, publiée dans la bibliothèque de ressources."
        ),
        is_published=True,
        by=manager,
    )


def _thematic_day(innovations: list, today: datetime.date) -> None:
    date = today + datetime.timedelta(days=45)
    event = Event.objects.create(
        kind=EventKind.THEMATIC_DAY,
        title="Journée thématique : l'accès à l'emploi dans les métiers du domicile",
        slug=f"journee-thematique-domicile-{date.year}",
        date=date,
        starts_at=_at(9, 30),
        ends_at=_at(16, 30),
        place="Maison des associations, 22 rue Saint-Julien, 76000 Rouen",
        online_link="https://visio.ais-emploi.fr/journee-domicile",
        description="Une journée de travail avec les structures qui préparent aux métiers de l'aide à domicile.",
        capacity=60,
        is_published=True,
    )
    _session(
        event,
        SessionKind.PLENARY,
        "Accueil et enjeux du secteur",
        _at(9, 30),
        _at(10, 30),
        room="Salle 1",
        speakers="Léa Chevalier, ANCT",
    )
    for round_number, (start, end) in enumerate([(_at(10, 45), _at(12, 15)), (_at(14, 0), _at(15, 30))], start=1):
        for index, room in enumerate(ROOMS[:2]):
            _session(
                event,
                SessionKind.WORKSHOP,
                [
                    "Atelier : recruter sans CV",
                    "Atelier : tutorat en situation de travail",
                    "Atelier : mobilité et horaires décalés",
                    "Atelier : fidéliser dans l'emploi",
                ][(round_number - 1) * 2 + index],
                start,
                end,
                room=room,
                capacity=25,
                round_number=round_number,
                innovations=innovations[index : index + 1],
            )
    _session(event, SessionKind.PLENARY, "Mise en commun", _at(15, 45), _at(16, 30), room="Salle 1")


def _resources(innovations: list, events: list) -> None:
    now = timezone.now()
    for index, (slug, title, kind, themes, public, summary, body) in enumerate(RESOURCES):
        if Resource.objects.filter(slug=slug).exists():
            continue
        resource = Resource.objects.create(
            slug=slug,
            title=title,
            kind=kind,
            themes=list(themes),
            is_public=public,
            summary=summary,
            body=body,
            published_at=now - datetime.timedelta(days=30 * (index + 1)),
        )
        if innovations:
            resource.innovations.set(innovations[index % len(innovations) : index % len(innovations) + 1])
        if kind == ResourceKind.RESTITUTION and events:
            resource.events.set(events[:1])


def load(innovations=None, manager=None) -> None:
    """Create the demo events and resources (``innovations``: a dict or a list)."""
    if isinstance(innovations, dict):
        innovations = list(innovations.values())
    innovations = list(innovations or [])
    today = timezone.localdate()
    with transaction.atomic():
        if not Event.objects.filter(kind=EventKind.NATIONAL_DAY, date__year=today.year - 1).exists():
            _national_day(innovations, manager, today)
        if not Event.objects.filter(kind=EventKind.THEMATIC_DAY, date__gt=today).exists():
            _thematic_day(innovations, today)
        _resources(innovations, list(Event.objects.filter(kind=EventKind.NATIONAL_DAY).order_by("-date")))
