"""Demo data: the programme's real innovations with the facts its public documents give
(``devtools/programme_facts.py``), and clearly fictional innovations and organisations
(« … (démonstration) », « … de démonstration – Ville ») that carry every invented
activity: stages in progress, spread structures, trainings, calls, questionnaires. One
user per role. Idempotent: running it again creates nothing twice and keeps what users
changed since."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from ais.accounts.models import Membership, Network, Organisation, OrganisationType, User
from ais.territories.models import Commune
from devtools import programme_facts
from devtools.demo import DEMO_PASSWORD, DEMO_USERS
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Innovation, Keyword, Stage, TargetPublic

T = OrganisationType
K = Keyword
P = TargetPublic

# Fictional organisations (no network: a fictional member would be a fact about a real network):
# name, kind, network, commune INSEE code.
ORGANISATIONS = [
    ("Partenaire de démonstration du comité de pilotage", T.OTHER, None, "75056"),
    # carriers of the fictional innovations
    ("Association porteuse de démonstration – Nancy", T.ASSOCIATION, None, "54395"),
    ("Association porteuse de démonstration – Lyon", T.ASSOCIATION, None, "69123"),
    ("Association porteuse de démonstration – Paris", T.ASSOCIATION, None, "75056"),
    ("CAARUD porteur de démonstration – Bordeaux", T.CAARUD, None, "33063"),
    ("Association porteuse de démonstration – Rennes", T.ASSOCIATION, None, "35238"),
    ("Maison de l'emploi de démonstration – Pipriac", T.MAISON_EMPLOI, None, "35219"),
    ("Association porteuse de démonstration – Rouen", T.ASSOCIATION, None, "76540"),
    ("ACI porteur de démonstration – Alès", T.ACI, None, "30007"),
    # spread structures
    ("Régie de quartier de démonstration – Rouen", T.REGIE, None, "76540"),
    ("ACI de démonstration – Nîmes", T.ACI, None, "30189"),
    ("AI de démonstration – Lille", T.AI, None, "59350"),
    ("ETTI de démonstration – Marseille", T.ETTI, None, "13055"),
    ("CAARUD de démonstration – Toulouse", T.CAARUD, None, "31555"),
    ("CHRS de démonstration – Nantes", T.CHRS, None, "44109"),
    ("EI de démonstration – Strasbourg", T.EI, None, "67482"),
    ("Mission locale de démonstration – Montpellier", T.MISSION_LOCALE, None, "34172"),
    ("Régie de quartier de démonstration – Grenoble", T.REGIE, None, "38185"),
    ("Association de démonstration – Clermont-Ferrand", T.ASSOCIATION, None, "63113"),
    ("Maison de l'emploi de démonstration – Dijon", T.MAISON_EMPLOI, None, "21231"),
    ("ACI de démonstration – Saint-Denis", T.ACI, None, "93066"),
    ("CAARUD de démonstration – Le Havre", T.CAARUD, None, "76351"),
]

# Fictional innovations, each in a role of the demo (their stages are placed around today by
# demo_accompaniment): name, carrier, origin commune, started, stage, publics, keywords, summary.
INNOVATIONS = [
    (
        "Emploi d'utilité locale (démonstration)",
        "Association porteuse de démonstration – Nancy",
        "54395",
        2011,
        Stage.EVALUATION,
        [P.DELD],
        [K.ACCES_DIRECT, K.ACCOMPAGNEMENT_COLLECTIF],
        "Innovation fictive : embaucher les chômeurs de longue durée d'un territoire pour des activités utiles.",
    ),
    (
        "Atelier RH partagé (démonstration)",
        "Association porteuse de démonstration – Lyon",
        "69123",
        2012,
        Stage.EVALUATION,
        [P.DELD, P.RSA],
        [K.FORMATION_QUALIFIANTE, K.ACCOMPAGNEMENT_INDIVIDUEL],
        "Innovation fictive : une formation-action de structures par binômes, une journée par mois, pour mieux "
        "recruter dans les petites entreprises.",
    ),
    (
        "Parcours métiers de l'habitat (démonstration)",
        "Association porteuse de démonstration – Paris",
        "75056",
        2014,
        Stage.ESSAIMAGE,
        [P.DELD, P.QPV],
        [K.FORMATION_QUALIFIANTE, K.CHANTIER, K.ENTREPRISES],
        "Innovation fictive : un parcours d'insertion vers les métiers de l'entretien des immeubles.",
    ),
    (
        "Premier pas rémunéré (démonstration)",
        "CAARUD porteur de démonstration – Bordeaux",
        "33063",
        2012,
        Stage.ESSAIMAGE,
        [P.DECROCHEURS, P.SANS_DOMICILE],
        [K.ACCES_DIRECT, K.ACCOMPAGNEMENT_INDIVIDUEL],
        "Innovation fictive : quelques heures de travail payées le jour même, un premier pas vers l'emploi.",
    ),
    (
        "Tutorat en entreprise (démonstration)",
        "Association porteuse de démonstration – Rennes",
        "35238",
        2013,
        Stage.MOBILISATION,
        [P.DELD],
        [K.COACHING, K.ENTREPRISES],
        "Innovation fictive : un tutorat par des salariés d'entreprise pour accompagner le retour à l'emploi.",
    ),
    (
        "Maison rurale de l'emploi (démonstration)",
        "Maison de l'emploi de démonstration – Pipriac",
        "35219",
        2010,
        Stage.MOBILISATION,
        [P.DELD, P.RSA],
        [K.COMPETENCES_BASE, K.ACCOMPAGNEMENT_COLLECTIF],
        "Innovation fictive : un lieu unique en milieu rural où se former, être accompagné et rencontrer des "
        "employeurs.",
    ),
    (
        "Rencontres entreprises (démonstration)",
        "Association porteuse de démonstration – Rouen",
        "76540",
        2014,
        Stage.FEASIBILITY,
        [P.DELD, P.QPV],
        [K.ENTREPRISES, K.ACCOMPAGNEMENT_COLLECTIF],
        "Innovation fictive : des équipes de demandeurs d'emploi découvrent en une journée les entreprises qui "
        "recrutent.",
    ),
    (
        "Chantier-relais (démonstration)",
        "ACI porteur de démonstration – Alès",
        "30007",
        2015,
        Stage.ESSAIMAGE,
        [P.DELD, P.RSA],
        [K.CHANTIER, K.TRAVAIL_TEMPORAIRE],
        "Innovation fictive : un accompagnement coordonné entre chantier d'insertion et travail temporaire.",
    ),
]
FICTIONAL = {row[0]: row[0] for row in INNOVATIONS}  # the names, for the other demo modules
EMPLOI_LOCAL, ATELIER_RH, HABITAT, PREMIER_PAS, TUTORAT, MAISON_RURALE, RENCONTRES, CHANTIER_RELAIS = FICTIONAL

# structure, innovation, status, wave, start date
STRUCTURES = [
    ("Régie de quartier de démonstration – Rouen", HABITAT, StructureStatus.SPREADING, 1, date(2026, 3, 2)),
    ("ACI de démonstration – Nîmes", HABITAT, StructureStatus.SPREADING, 1, date(2026, 3, 2)),
    ("ACI de démonstration – Saint-Denis", HABITAT, StructureStatus.TRAINING, 2, None),
    ("AI de démonstration – Lille", ATELIER_RH, StructureStatus.EVALUATED, 1, date(2024, 9, 16)),
    ("Association de démonstration – Clermont-Ferrand", ATELIER_RH, StructureStatus.EVALUATED, 1, date(2024, 9, 16)),
    ("Maison de l'emploi de démonstration – Dijon", ATELIER_RH, StructureStatus.SPREADING, 2, date(2025, 10, 1)),
    ("CAARUD de démonstration – Toulouse", PREMIER_PAS, StructureStatus.SPREADING, 1, date(2025, 5, 12)),
    ("CHRS de démonstration – Nantes", PREMIER_PAS, StructureStatus.SPREADING, 1, date(2025, 5, 12)),
    ("CAARUD de démonstration – Le Havre", PREMIER_PAS, StructureStatus.SELECTED, 2, None),
    ("ETTI de démonstration – Marseille", CHANTIER_RELAIS, StructureStatus.SPREADING, 1, date(2026, 1, 5)),
    ("EI de démonstration – Strasbourg", EMPLOI_LOCAL, StructureStatus.EVALUATED, 1, date(2023, 1, 9)),
    ("Régie de quartier de démonstration – Grenoble", EMPLOI_LOCAL, StructureStatus.WITHDRAWN, 1, None),
    ("Mission locale de démonstration – Montpellier", TUTORAT, StructureStatus.CANDIDATE, 1, None),
]

# Every commune the demo refers to (the browser tests load only these).
DEMO_COMMUNES = (
    {row[3] for row in ORGANISATIONS}
    | {row[2] for row in INNOVATIONS}
    | {o.commune for o in [programme_facts.OPERATOR, *programme_facts.CARRIERS] if o.commune}
    | {i.origin_commune for i in programme_facts.INNOVATIONS if i.origin_commune}
)


def _withdrawal(status) -> dict:
    if status != StructureStatus.WITHDRAWN:
        return {}
    return {
        "withdrawn_on": date(2024, 9, 30),
        "withdrawal_reason": "Départ de l'encadrant formé, pas de relais en interne.",
    }


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name.replace("_", "-"))


class Command(BaseCommand):
    help = "Load the demo data set (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not Commune.objects.exists():
            call_command("load_territories")
        networks = {}
        for name, full_name in programme_facts.NETWORKS:
            networks[name], _ = Network.objects.get_or_create(name=name, defaults={"full_name": full_name})
        orgs = {}
        for fact in [programme_facts.OPERATOR, *programme_facts.FUNDERS, *programme_facts.CARRIERS]:
            orgs[fact.name], _ = Organisation.objects.get_or_create(
                name=fact.name,
                defaults={
                    "kind": fact.kind,
                    "network": networks.get(fact.network),
                    "commune_id": fact.commune,
                    "address": fact.address,
                },
            )
        for name, kind, network, commune in ORGANISATIONS:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={"kind": kind, "network": networks.get(network), "commune_id": commune},
            )
        for fact in programme_facts.INNOVATIONS:
            Innovation.objects.get_or_create(
                slug=_slug(fact.name),
                defaults={
                    "name": fact.name,
                    "carrier": orgs[fact.carrier],
                    "origin_commune_id": fact.origin_commune,
                    "year_started": fact.year_started,
                    "year_selected": fact.year_selected,
                    "stage": fact.stage,
                    "spreading_model": fact.spreading_model,
                    "spreading_model_details": fact.spreading_model_details,
                    "publics": list(fact.publics),
                    "keywords": list(fact.keywords),
                    "summary": fact.summary,
                    "description": fact.description,
                    "is_published": True,
                },
            )
        # The fictional innovations carry the demo's activity (stages around today, structures...).
        innovations = {}
        for name, carrier, commune, started, stage, publics, keywords, summary in INNOVATIONS:
            innovations[name], _ = Innovation.objects.get_or_create(
                slug=_slug(name),
                defaults={
                    "name": name,
                    "carrier": orgs[carrier],
                    "origin_commune_id": commune,
                    "year_started": started,
                    "stage": stage,
                    "publics": list(publics),
                    "keywords": list(keywords),
                    "summary": summary,
                    "is_published": True,
                },
            )
        for org, innovation, status, wave, start in STRUCTURES:
            SpreadStructure.objects.get_or_create(
                organisation=orgs[org],
                innovation=innovations[innovation],
                defaults={"status": status, "wave": wave, "start_date": start, **_withdrawal(status)},
            )
        for email, first, last, role, org in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
            if role == "admin" and not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            Membership.objects.get_or_create(user=user, role=role, organisation=orgs.get(org))
        self._calls(orgs)
        from devtools import demo_accompaniment, events_demo

        manager = User.objects.filter(email=DEMO_USERS[0][0]).first()
        demo_accompaniment.load(innovations, orgs, manager)
        demo_accompaniment.schedule_questionnaires(manager)
        events_demo.load(innovations, manager)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(programme_facts.INNOVATIONS)} real and {len(innovations)} fictional "
                f"innovations, {len(orgs)} organisations, "
                f"{len(STRUCTURES)} spread structures, {len(DEMO_USERS)} users."
            )
        )

    def _calls(self, orgs):
        """A closed themed call (2023) and this year's open call, with dossiers."""
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        from projects.models import DEFAULT_REQUIRED_QUESTIONS, Call, Dossier, DossierStatus
        from projects.services import add_default_grid

        paris = ZoneInfo("Europe/Paris")
        now = timezone.now()
        past, _ = Call.objects.get_or_create(
            slug="appel-a-projets-2023-aide-a-domicile",
            defaults={
                # The programme's 2023 work is documented (« Le département de Seine Maritime … et le département
                # du Gard … ont été sélectionnés pour être accompagnés entre janvier et décembre 2023 »,
                # programme_facts [fiche], « 2023 »); this call, its dates and its dossiers are the demo's.
                "title": "Appel à projets 2023 – parcours vers les métiers de l'aide à domicile (démonstration)",
                "year": 2023,
                "theme": "Parcours vers les métiers de l'aide à domicile",
                "description": "Un appel thématique pour repérer des parcours qui mènent des chômeurs de longue durée "
                "vers les métiers de l'aide et du soin à domicile.",
                "eligibility": "Structures implantées en Seine-Maritime ou dans le Gard, dont l'action fonctionne "
                "depuis au moins deux ans.",
                "opens_at": datetime(2023, 3, 1, 9, 0, tzinfo=paris),
                "closes_at": datetime(2023, 5, 31, 18, 0, tzinfo=paris),
                "required_questions": DEFAULT_REQUIRED_QUESTIONS,
                "published_at": datetime(2023, 2, 15, 9, 0, tzinfo=paris),
            },
        )
        past.target_departments.add("76", "30")
        add_default_grid(past)
        current, _ = Call.objects.get_or_create(
            slug=f"appel-a-projets-{now.year}",
            defaults={
                "title": f"Appel à projets {now.year} (démonstration)",
                "year": now.year,
                "theme": "Innovations pour l'emploi des chômeurs de longue durée",
                "description": "L'accélérateur recherche des innovations locales qui ont fait leurs preuves auprès "
                "des demandeurs d'emploi de longue durée et qui peuvent essaimer dans d'autres territoires. "
                "Deux à trois innovations seront accompagnées pendant trois ans.",
                "eligibility": "Associations, SIAE, régies de quartier, maisons de l'emploi et collectivités dont "
                "l'innovation fonctionne depuis au moins deux ans et a des résultats mesurés.",
                "opens_at": now - timedelta(days=30),
                "closes_at": (now + timedelta(days=21)).replace(hour=17, minute=0, second=0, microsecond=0),
                "required_questions": DEFAULT_REQUIRED_QUESTIONS,
                "published_at": now - timedelta(days=31),
            },
        )
        add_default_grid(current)
        carrier = orgs["Association porteuse de démonstration – Lyon"]
        user = User.objects.filter(email=DEMO_USERS[2][0]).first()
        applicants = [
            (
                orgs["Régie de quartier de démonstration – Rouen"],
                "Les Clés de l'emploi (démonstration)",
                "76540",
                DossierStatus.SUBMITTED,
                120,
                78,
                85,
            ),
            (
                orgs["ACI de démonstration – Nîmes"],
                "Chantier école du patrimoine (démonstration)",
                "30189",
                DossierStatus.ELIGIBLE,
                64,
                41,
                90,
            ),
            (
                orgs["AI de démonstration – Lille"],
                "Mobilité vers l'emploi (démonstration)",
                "59350",
                DossierStatus.SUBMITTED,
                210,
                120,
                72,
            ),
        ]
        creator = User.objects.filter(email=DEMO_USERS[0][0]).first()
        for organisation, name, commune, status, people, exits, retention in applicants:
            Dossier.objects.get_or_create(
                call=current,
                organisation=organisation,
                defaults={
                    "created_by": creator or user,
                    "status": status,
                    "innovation_name": name,
                    "summary": f"{name} : un parcours vers l'emploi durable pour les chômeurs de longue durée.",
                    "description": "Accompagnement individuel et collectif, immersion en entreprise, "
                    "suivi dans l'emploi.",
                    "year_started": 2019,
                    "origin_commune_id": commune,
                    "publics": ["deld", "rsa"],
                    "keywords": ["accompagnement_individuel", "entreprises"],
                    "people_accompanied": people,
                    "exits_to_employment": exits,
                    "job_retention_rate": retention,
                    "results_period": "2023–2025",
                    "formalisation_level": "documented",
                    "process_description": "Repérage, diagnostic, parcours de "
                    "six mois, accès à l'emploi, suivi à six mois.",
                    "transposition_will": "Essaimer dans trois départements voisins.",
                    "transposition_capacity": "Une cheffe de projet à mi-temps.",
                    "submitted_at": now - timedelta(days=5),
                },
            )
        member = User.objects.filter(email=DEMO_USERS[1][0]).first()
        if member is not None:
            from projects.committee import assign_reviewers
            from projects.models import ReviewAssignment

            current.committee_members.add(member)
            if not ReviewAssignment.objects.filter(dossier__call=current).exists():
                assign_reviewers(current, by=None)
        if user is not None:
            Dossier.objects.get_or_create(
                call=current,
                organisation=carrier,
                defaults={
                    "created_by": user,
                    "innovation_name": "Atelier RH partagé Jeunes (démonstration)",
                    "summary": "La formation-action de l'Atelier RH partagé adaptée aux jeunes de moins de 26 ans.",
                    "year_started": 2022,
                    "origin_commune_id": "69123",
                },
            )
