"""Demo data: the programme's real innovations at plausible stages, networks,
structures in real communes, and one user per role. Idempotent: running it again
creates nothing twice and keeps what users changed since."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from ais.accounts.models import Membership, Network, Organisation, OrganisationType, User
from ais.territories.models import Commune
from devtools.demo import DEMO_PASSWORD, DEMO_USERS
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Innovation, Keyword, Stage, TargetPublic

T = OrganisationType
K = Keyword
P = TargetPublic

NETWORKS = [
    ("COORACE", "Coordination des organismes d'aide aux chômeurs par l'emploi"),
    ("FAS", "Fédération des acteurs de la solidarité"),
    ("CNLRQ", "Comité national de liaison des régies de quartier"),
    ("USH", "Union sociale pour l'habitat"),
    ("CREPI", "Clubs régionaux d'entreprises partenaires de l'insertion"),
]

# name, kind, network, commune INSEE code
ORGANISATIONS = [
    ("Ansa", T.ASSOCIATION, None, "75056"),
    ("DGEFP – ministère du Travail", T.PUBLIC, None, "75056"),
    ("Association VITA-Air", T.ASSOCIATION, "FAS", "69123"),
    ("Territoires zéro chômeur de longue durée", T.ASSOCIATION, None, "54135"),
    ("USH – Parcours Gardien", T.NETWORK_HEAD, "USH", "75056"),
    ("Association Oppelia – TAPAJ", T.CAARUD, "FAS", "33063"),
    ("Soleni", T.ASSOCIATION, None, "35238"),
    ("Maison de l'emploi de Pipriac", T.MAISON_EMPLOI, None, "35219"),
    ("CREPI Normandie – Rallye pour l'emploi", T.ASSOCIATION, "CREPI", "76540"),
    ("Jeun_ESS_Créative", T.ASSOCIATION, None, "13055"),
    ("A.CO.R", T.ACI, "COORACE", "30007"),
    ("Régie multiservices en gare", T.REGIE, "CNLRQ", "59350"),
    # spread structures
    ("Régie de quartier Saint-Nicaise", T.REGIE, "CNLRQ", "76540"),
    ("Chantier d'insertion Nîmes Solidarité", T.ACI, "COORACE", "30189"),
    ("AI Lille Emploi Services", T.AI, "COORACE", "59350"),
    ("ETTI Marseille Intérim Solidaire", T.ETTI, "COORACE", "13055"),
    ("CAARUD La Case – Toulouse", T.CAARUD, "FAS", "31555"),
    ("CHRS L'Escale – Nantes", T.CHRS, "FAS", "44109"),
    ("EI Strasbourg Propreté", T.EI, "COORACE", "67482"),
    ("Mission locale de Montpellier", T.MISSION_LOCALE, None, "34172"),
    ("Régie de quartier de Grenoble", T.REGIE, "CNLRQ", "38185"),
    ("Association Clermont Tremplin", T.ASSOCIATION, "FAS", "63113"),
    ("Maison de l'emploi de Dijon", T.MAISON_EMPLOI, None, "21231"),
    ("ACI Plaine Commune – Saint-Denis", T.ACI, "COORACE", "93066"),
    ("CAARUD Le Havre Accueil", T.CAARUD, "FAS", "76351"),
]

# name, carrier, origin commune, started, selected, stage, published, publics, keywords, summary
INNOVATIONS = [
    (
        "Territoire Zéro Chômeur",
        "Territoires zéro chômeur de longue durée",
        "54135",
        2011,
        2015,
        Stage.EVALUATION,
        [P.DELD],
        [K.ACCES_DIRECT, K.ACCOMPAGNEMENT_COLLECTIF],
        "Embaucher en CDI les chômeurs de longue durée d'un territoire pour des activités utiles non couvertes.",
    ),
    (
        "VITA-Air",
        "Association VITA-Air",
        "69123",
        2012,
        2016,
        Stage.EVALUATION,
        [P.DELD, P.RSA],
        [K.FORMATION_QUALIFIANTE, K.ACCOMPAGNEMENT_INDIVIDUEL],
        "Une formation-action de structures par binômes, une journée par mois, pour remobiliser vers l'emploi.",
    ),
    (
        "Parcours Gardien",
        "USH – Parcours Gardien",
        "75056",
        2014,
        2016,
        Stage.ESSAIMAGE,
        [P.DELD, P.QPV],
        [K.FORMATION_QUALIFIANTE, K.CHANTIER, K.ENTREPRISES],
        "Un parcours d'insertion vers les métiers de gardien d'immeuble, avec les bailleurs sociaux.",
    ),
    (
        "TAPAJ",
        "Association Oppelia – TAPAJ",
        "33063",
        2012,
        2017,
        Stage.ESSAIMAGE,
        [P.DECROCHEURS, P.SANS_DOMICILE],
        [K.ACCES_DIRECT, K.ACCOMPAGNEMENT_INDIVIDUEL],
        "Travail alternatif payé à la journée : un premier pas vers l'emploi pour les jeunes en errance.",
    ),
    (
        "Soleni",
        "Soleni",
        "35238",
        2013,
        2018,
        Stage.MOBILISATION,
        [P.DELD],
        [K.COACHING, K.ENTREPRISES],
        "Un tutorat par des salariés d'entreprise pour accompagner le retour à l'emploi.",
    ),
    (
        "Lieu Ressources Emploi-Formation",
        "Maison de l'emploi de Pipriac",
        "35219",
        2010,
        2018,
        Stage.MOBILISATION,
        [P.DELD, P.RSA],
        [K.COMPETENCES_BASE, K.ACCOMPAGNEMENT_COLLECTIF],
        "Un lieu unique en milieu rural où se former, être accompagné et rencontrer des employeurs.",
    ),
    (
        "Rallye pour l'emploi",
        "CREPI Normandie – Rallye pour l'emploi",
        "76540",
        2014,
        2019,
        Stage.FEASIBILITY,
        [P.DELD, P.QPV],
        [K.ENTREPRISES, K.ACCOMPAGNEMENT_COLLECTIF],
        "Des équipes de demandeurs d'emploi découvrent en une journée les entreprises qui recrutent.",
    ),
    (
        "Jeun_ESS_Créative",
        "Jeun_ESS_Créative",
        "13055",
        2016,
        2020,
        Stage.FEASIBILITY,
        [P.DECROCHEURS],
        [K.ACCOMPAGNEMENT_COLLECTIF, K.FORMATION_QUALIFIANTE],
        "Des jeunes décrocheurs créent une activité d'économie sociale et solidaire en collectif.",
    ),
    (
        "A.CO.R",
        "A.CO.R",
        "30007",
        2015,
        2021,
        Stage.ESSAIMAGE,
        [P.DELD, P.RSA],
        [K.CHANTIER, K.TRAVAIL_TEMPORAIRE],
        "Un accompagnement coordonné renforcé entre chantier d'insertion et travail temporaire.",
    ),
    (
        "Chantier multiservices en gare",
        "Régie multiservices en gare",
        "59350",
        2016,
        2022,
        Stage.MOBILISATION,
        [P.DELD, P.SANS_DOMICILE],
        [K.CHANTIER, K.ENTREPRISES],
        "Un chantier d'insertion de services en gare, avec les entreprises du transport ferroviaire.",
    ),
]

# structure, innovation, status, wave, start date
STRUCTURES = [
    ("Régie de quartier Saint-Nicaise", "Parcours Gardien", StructureStatus.SPREADING, 1, date(2026, 3, 2)),
    ("Chantier d'insertion Nîmes Solidarité", "Parcours Gardien", StructureStatus.SPREADING, 1, date(2026, 3, 2)),
    ("ACI Plaine Commune – Saint-Denis", "Parcours Gardien", StructureStatus.TRAINING, 2, None),
    ("AI Lille Emploi Services", "VITA-Air", StructureStatus.EVALUATED, 1, date(2024, 9, 16)),
    ("Association Clermont Tremplin", "VITA-Air", StructureStatus.EVALUATED, 1, date(2024, 9, 16)),
    ("Maison de l'emploi de Dijon", "VITA-Air", StructureStatus.SPREADING, 2, date(2025, 10, 1)),
    ("CAARUD La Case – Toulouse", "TAPAJ", StructureStatus.SPREADING, 1, date(2025, 5, 12)),
    ("CHRS L'Escale – Nantes", "TAPAJ", StructureStatus.SPREADING, 1, date(2025, 5, 12)),
    ("CAARUD Le Havre Accueil", "TAPAJ", StructureStatus.SELECTED, 2, None),
    ("ETTI Marseille Intérim Solidaire", "A.CO.R", StructureStatus.SPREADING, 1, date(2026, 1, 5)),
    ("EI Strasbourg Propreté", "Territoire Zéro Chômeur", StructureStatus.EVALUATED, 1, date(2023, 1, 9)),
    ("Régie de quartier de Grenoble", "Territoire Zéro Chômeur", StructureStatus.WITHDRAWN, 1, None),
    ("Mission locale de Montpellier", "Soleni", StructureStatus.CANDIDATE, 1, None),
]


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
        for name, full_name in NETWORKS:
            networks[name], _ = Network.objects.get_or_create(name=name, defaults={"full_name": full_name})
        orgs = {}
        for name, kind, network, commune in ORGANISATIONS:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={"kind": kind, "network": networks.get(network), "commune_id": commune},
            )
        innovations = {}
        for name, carrier, commune, started, selected, stage, publics, keywords, summary in INNOVATIONS:
            innovations[name], _ = Innovation.objects.get_or_create(
                slug=_slug(name),
                defaults={
                    "name": name,
                    "carrier": orgs[carrier],
                    "origin_commune_id": commune,
                    "year_started": started,
                    "year_selected": selected,
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
                f"Demo data ready: {len(innovations)} innovations, {len(orgs)} organisations, "
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
                "title": "Appel à projets 2023 – parcours vers les métiers de l'aide à domicile",
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
                "title": f"Appel à projets {now.year}",
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
        carrier = orgs["Association VITA-Air"]
        user = User.objects.filter(email=DEMO_USERS[2][0]).first()
        applicants = [
            (
                orgs["Régie de quartier Saint-Nicaise"],
                "Les Clés de l'emploi",
                "76540",
                DossierStatus.SUBMITTED,
                120,
                78,
                85,
            ),
            (
                orgs["Chantier d'insertion Nîmes Solidarité"],
                "Chantier école du patrimoine",
                "30189",
                DossierStatus.ELIGIBLE,
                64,
                41,
                90,
            ),
            (orgs["AI Lille Emploi Services"], "Mobil'Emploi", "59350", DossierStatus.SUBMITTED, 210, 120, 72),
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
                    "innovation_name": "VITA-Air Jeunes",
                    "summary": "La formation-action VITA-Air adaptée aux jeunes de moins de 26 ans.",
                    "year_started": 2022,
                    "origin_commune_id": "69123",
                },
            )
