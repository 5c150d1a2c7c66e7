"""Demo data of the events and the resources library: last year's national exchange
day (round tables, three speed-dating rounds in four rooms, workshops, registrations,
check-ins, a published restitution), an upcoming thematic day open for registration,
and a few resources of the library (some about evaluation).

The events, their speakers and participants are the demo's (fictional people of fictional
organisations, the demo's fictional innovations in the speed-dating); two resources are the
programme's real publications, described as its documents describe them.

Idempotent: an event or a resource whose address identifier exists is left as it is.
"""

import datetime
from zoneinfo import ZoneInfo

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
# Fictional people of fictional organisations (a real organisation would be given a staff member
# and a presence it never had).
PEOPLE = [
    ("Amina Diallo", "Régie de quartier de démonstration – Rouen", "Encadrante technique"),
    ("Julien Moreau", "Maison de l'emploi de démonstration – Rouen", "Chargé de mission"),
    ("Claire Dubois", "Service public de l'emploi (démonstration)", "Conseillère"),
    ("Karim Benali", "Association porteuse de démonstration – Lyon", "Directeur"),
    ("Sophie Garnier", "Département de démonstration", "Cheffe de service insertion"),
    ("Lucas Martin", "Chantier école de démonstration – Rennes", "Coordinateur"),
    ("Nadia Roussel", "CAARUD de démonstration – Toulouse", "Éducatrice"),
    ("Pierre Lambert", "Fondation de démonstration", "Délégué régional"),
    ("Inès Fontaine", "EI de démonstration – Strasbourg", "Responsable RH"),
    ("Hugo Perrin", "Partenaire de démonstration du comité de pilotage", "Chargé d'études"),
    ("Léa Chevalier", "Agence publique de démonstration", "Cheffe de projet"),
    ("Mehdi Haddad", "AI de démonstration – Lille", "Conseiller"),
]

RESOURCES = [
    (
        # « A l'issu de 6 années d'activités, un guide "L'essaimage à l'épreuve du terrain" a été publié pour
        # capitaliser sur les enseignements des différents essaimages accompagnés par l'Ansa » (programme_facts
        # [fiche], « 2020-2022 : capitalisation »); the four stages: [resti-2016], « Modèle d'intervention ».
        "guide-essaimage",
        "L'essaimage à l'épreuve du terrain",
        ResourceKind.GUIDE,
        [Theme.SPREADING, Theme.GOVERNANCE],
        True,
        "Le guide publié par l'Ansa après six années d'activité pour capitaliser sur les essaimages accompagnés.",
        "Étude de faisabilité, mobilisation des parties prenantes, essaimage puis évaluation : "
        "les enseignements des essaimages accompagnés par l'Ansa, étape par étape.",
    ),
    (
        "boite-a-outils-evaluation",
        "Boîte à outils : évaluer l'essaimage (démonstration)",
        ResourceKind.TOOLBOX,
        [Theme.EVALUATION],
        True,
        "Questionnaires, indicateurs et tableaux de bord pour évaluer une innovation essaimée.",
        "Comment évaluer les effets sur les personnes accompagnées, à 3, 9 et 18 mois ? "
        "Les questionnaires types et les indicateurs de sortie vers l'emploi.",
    ),
    (
        # « un partenariat avec l'Ecole d'économie de Paris a permis la réalisation d'une revue des expérimentations
        # menées dans les pays de l'OCDE … Ce travail mené entre août et décembre 2016 »; « Articles et rapports en
        # français et anglais depuis 1995 »; « 131 articles identifiés, 25 retenus. Auxquels s'ajoutent 28 revues de
        # littérature » (programme_facts [resti-2016], « Le temps de la recherche »).
        "revue-systematique-chomage-longue-duree",
        "Accompagnement des chômeurs de longue durée : revue des évaluations d'impact",
        ResourceKind.SYSTEMATIC_REVIEW,
        [Theme.PUBLIC_POLICY, Theme.EVALUATION],
        True,
        "La revue des évaluations d'impact de l'accompagnement des demandeurs d'emploi dans les pays de l'OCDE, "
        "réalisée avec l'École d'économie de Paris entre août et décembre 2016.",
        "131 articles identifiés, 25 retenus pour la rigueur de leur méthode, auxquels s'ajoutent 28 revues de "
        "littérature ; articles et rapports en français et en anglais depuis 1995.",
    ),
    (
        "etat-des-savoirs-mobilisation-employeurs",
        "État des savoirs : mobiliser les employeurs (démonstration)",
        ResourceKind.STATE_OF_KNOWLEDGE,
        [Theme.EMPLOYERS],
        True,
        "Les leviers qui fonctionnent pour associer les entreprises au retour à l'emploi.",
        "Médiation active, immersions, recrutement sans CV : synthèse des pratiques repérées.",
    ),
    (
        "restitution-journee-nationale",
        "Restitution de la journée nationale d'échanges (démonstration)",
        ResourceKind.RESTITUTION,
        [Theme.SPREADING, Theme.TERRITORIES],
        True,
        "Ce qui s'est dit lors des tables rondes et des ateliers de la journée nationale.",
        "Synthèse des tables rondes, des ateliers et du speed-dating des innovations.",
    ),
    (
        "kit-accompagnement-global",
        "Kit d'accompagnement global des demandeurs d'emploi (démonstration)",
        ResourceKind.TOOLBOX,
        [Theme.SUPPORT, Theme.TRAINING],
        False,
        "Fiches pratiques pour les conseillers : diagnostic, levée des freins, suivi dans l'emploi.",
        "Réservé aux membres du réseau : fiches et modèles à adapter.",
    ),
    (
        "note-evaluation-impact",
        "Note méthodologique : évaluation d'impact (démonstration)",
        ResourceKind.GUIDE,
        [Theme.EVALUATION],
        False,
        "Choisir une méthode pour évaluer l'impact d'une innovation sur le retour à l'emploi.",
        "Groupe témoin, suivi de cohorte, analyse de contribution : avantages et limites.",
    ),
    (
        "guide-gouvernance-locale",
        "Guide de la gouvernance locale d'une innovation (démonstration)",
        ResourceKind.GUIDE,
        [Theme.GOVERNANCE, Theme.TERRITORIES],
        True,
        "Constituer un comité de pilotage local et faire vivre le partenariat.",
        "Qui inviter, à quel rythme se réunir, quels engagements formaliser dans la convention.",
    ),
]


# The programme's real publications, with the publication date the documents give (the library
# shows it as « mois année »), linked to none of the demo's (fictional) innovations. The review was
# presented on 7 December 2016 (programme_facts [resti-2016], « Le temps de la recherche »); the
# guide's date is not given beyond « à l'issu de 6 années d'activités » ([fiche]): it stays a draft.
REAL_RESOURCES = {
    "guide-essaimage": None,
    "revue-systematique-chomage-longue-duree": datetime.datetime(2016, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
}


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
        title=f"Journée nationale d'échanges {date.year} (démonstration)",
        slug=f"journee-nationale-{date.year}",
        date=date,
        starts_at=_at(9, 30),
        ends_at=_at(17, 0),
        place="Lieu de démonstration, Paris",
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
        speakers="Directrice générale, Ansa\nReprésentant, Partenaire de démonstration du comité de pilotage",
    )
    _session(
        event,
        SessionKind.ROUND_TABLE,
        "Table ronde : essaimer sans dénaturer",
        _at(10, 0),
        _at(11, 0),
        room="Grand amphithéâtre",
        speakers="Nadia Haddad, Association porteuse de démonstration – Lyon\n"
        "Pierre Lambert, Fondation de démonstration",
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
        title="Journée thématique : l'accès à l'emploi dans les métiers du domicile (démonstration)",
        slug=f"journee-thematique-domicile-{date.year}",
        date=date,
        starts_at=_at(9, 30),
        ends_at=_at(16, 30),
        place="Lieu de démonstration, Rouen",
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
        speakers="Léa Chevalier, Agence publique de démonstration",
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
            published_at=REAL_RESOURCES[slug]
            if slug in REAL_RESOURCES
            else now - datetime.timedelta(days=30 * (index + 1)),
        )
        if innovations and slug not in REAL_RESOURCES:
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
