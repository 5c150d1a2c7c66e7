"""Demo data: the programme's real innovations at plausible stages, networks,
structures in real communes, and one user per role. Idempotent: running it again
creates nothing twice and keeps what users changed since."""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from ais.accounts.models import Membership, Network, Organisation, OrganisationType, User
from ais.demo import DEMO_PASSWORD, DEMO_USERS
from ais.territories.models import Commune
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Innovation, Keyword, Stage, TargetPublic

T = OrganisationType
K = Keyword
P = TargetPublic

NETWORKS = [
    ("COORACE", "Coordination des organismes d'aide aux chômeurs par l'emploi"),
    ("FNARS", "Fédération des acteurs de la solidarité"),
    ("CNLRQ", "Comité national de liaison des régies de quartier"),
    ("USH", "Union sociale pour l'habitat"),
    ("CREPI", "Clubs régionaux d'entreprises partenaires de l'insertion"),
]

# name, kind, network, commune INSEE code
ORGANISATIONS = [
    ("Ansa", T.ASSOCIATION, None, "75056"),
    ("DGEFP – ministère du Travail", T.PUBLIC, None, "75056"),
    ("Association VITA-Air", T.ASSOCIATION, "FNARS", "69123"),
    ("Territoires zéro chômeur de longue durée", T.ASSOCIATION, None, "54135"),
    ("USH – Parcours Gardien", T.NETWORK_HEAD, "USH", "75056"),
    ("Association Oppelia – TAPAJ", T.CAARUD, "FNARS", "33063"),
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
    ("CAARUD La Case – Toulouse", T.CAARUD, "FNARS", "31555"),
    ("CHRS L'Escale – Nantes", T.CHRS, "FNARS", "44109"),
    ("EI Strasbourg Propreté", T.EI, "COORACE", "67482"),
    ("Mission locale de Montpellier", T.MISSION_LOCALE, None, "34172"),
    ("Régie de quartier de Grenoble", T.REGIE, "CNLRQ", "38185"),
    ("Association Clermont Tremplin", T.ASSOCIATION, "FNARS", "63113"),
    ("Maison de l'emploi de Dijon", T.MAISON_EMPLOI, None, "21231"),
    ("ACI Plaine Commune – Saint-Denis", T.ACI, "COORACE", "93066"),
    ("CAARUD Le Havre Accueil", T.CAARUD, "FNARS", "76351"),
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
                defaults={"status": status, "wave": wave, "start_date": start},
            )
        for email, first, last, role, org in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
            if role == "admin" and not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            Membership.objects.get_or_create(user=user, role=role, organisation=orgs.get(org))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(innovations)} innovations, {len(orgs)} organisations, "
                f"{len(STRUCTURES)} spread structures, {len(DEMO_USERS)} users."
            )
        )
