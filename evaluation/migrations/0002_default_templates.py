"""The programme's default questionnaires for the three phases (data migration).

A frozen copy of ``evaluation/defaults.py`` as it was when this migration was written, so
that later edits to that module never change what this migration creates (a change to
the defaults for existing databases goes into a new migration with its own copy).
"""

from django.db import migrations
from django.utils import timezone


OBSTACLES = [
    "Financement",
    "Recrutement ou turn-over de l'équipe",
    "Mobilisation des partenaires",
    "Mobilisation des entreprises",
    "Repérage et mobilisation du public",
    "Mobilité des personnes",
    "Temps disponible",
    "Autre",
]

FIDELITY = ["Conforme au modèle", "Adapté sur quelques points", "Profondément adapté au territoire"]

TRAINING_TOPICS = [
    "Les fondamentaux du modèle",
    "Les outils",
    "La mobilisation des entreprises",
    "Le suivi des parcours",
    "L'évaluation",
]


def q(code, label, kind, *, required=True, help_text="", min_value=None, max_value=None, choices=None):
    return {
        "code": code,
        "label": label,
        "kind": kind,
        "required": required,
        "help_text": help_text,
        "min_value": min_value,
        "max_value": max_value,
        "choices": choices or [],
    }


PEOPLE = q(
    "people_accompanied",
    "Nombre de personnes accompagnées depuis le démarrage",
    "integer",
    min_value=0,
    max_value=100000,
    help_text="Toutes les personnes entrées dans le dispositif depuis le démarrage de l'essaimage.",
)
PEOPLE_DELD = q(
    "people_deld",
    "Dont demandeurs d'emploi de longue durée (DELD)",
    "integer",
    min_value=0,
    max_value=100000,
    help_text="Inscrits depuis plus d'un an.",
)
EXITS = [
    q(
        "exits_durable_employment",
        "Sorties vers l'emploi durable",
        "integer",
        min_value=0,
        max_value=100000,
        help_text="CDI, CDD ou mission d'intérim de six mois et plus, création d'entreprise.",
    ),
    q(
        "exits_transitional_employment",
        "Sorties vers l'emploi de transition",
        "integer",
        min_value=0,
        max_value=100000,
        help_text="CDD ou intérim de moins de six mois, contrat aidé, SIAE.",
    ),
    q(
        "exits_qualifying_training",
        "Sorties vers une formation qualifiante",
        "integer",
        min_value=0,
        max_value=100000,
    ),
]
COMPANIES = q(
    "companies_mobilised",
    "Entreprises mobilisées",
    "integer",
    min_value=0,
    max_value=10000,
    help_text="Entreprises ayant accueilli, recruté ou rencontré des personnes accompagnées.",
)


def _people_rules():
    return [
        ("people_deld", "lte", "people_accompanied", "Les DELD ne peuvent pas dépasser les personnes accompagnées."),
        *[
            (
                exit_question["code"],
                "lte",
                "people_accompanied",
                f"« {exit_question['label']} » ne peut pas dépasser le nombre de personnes accompagnées.",
            )
            for exit_question in EXITS
        ],
    ]


DEFAULT_TEMPLATES = [
    {
        "phase": "appropriation",
        "title": "Questionnaire d'appropriation (3 mois)",
        "description": "Trois mois après le démarrage : comment votre structure s'est approprié l'innovation. "
        "Vos réponses s'enregistrent au fil de la saisie ; vous pouvez revenir plus tard avant de les envoyer.",
        "sections": [
            (
                "Dimension politique",
                "Le portage de l'innovation par la gouvernance de la structure et les acteurs du territoire.",
                [
                    q(
                        "political_support",
                        "Votre gouvernance (bureau, conseil d'administration, direction) soutient-elle le projet ?",
                        "scale",
                        help_text="1 : pas du tout ; 5 : pleinement, avec des moyens dédiés.",
                    ),
                    q(
                        "local_authorities_informed",
                        "Les élus et financeurs locaux ont-ils été informés du projet ?",
                        "yes_no",
                    ),
                ],
            ),
            (
                "Dimension interne",
                "L'équipe et l'organisation de la structure.",
                [
                    q(
                        "professionals_trained",
                        "Nombre de professionnels de la structure formés au modèle",
                        "integer",
                        min_value=0,
                        max_value=500,
                    ),
                    q("team_appropriation", "L'équipe s'est-elle approprié le modèle ?", "scale"),
                    q(
                        "internal_changes",
                        "Qu'avez-vous changé dans votre organisation pour mettre en œuvre l'innovation ?",
                        "long_text",
                    ),
                ],
            ),
            (
                "Dimension externe",
                "Les partenaires et les entreprises du territoire.",
                [
                    q(
                        "partners_informed",
                        "Nombre de partenaires du territoire informés ou associés",
                        "integer",
                        min_value=0,
                        max_value=1000,
                    ),
                    q(
                        "companies_contacted",
                        "Nombre d'entreprises contactées",
                        "integer",
                        min_value=0,
                        max_value=10000,
                    ),
                ],
            ),
            (
                "Formation reçue",
                "",
                [
                    q("training_satisfaction", "La formation reçue vous a-t-elle préparé à démarrer ?", "scale"),
                    q(
                        "training_useful_topics",
                        "Quels apports de la formation vous ont été les plus utiles ?",
                        "multiple_choice",
                        required=False,
                        choices=TRAINING_TOPICS,
                    ),
                ],
            ),
            (
                "Fidélité au modèle et adaptation locale",
                "",
                [
                    q("fidelity", "Votre mise en œuvre est-elle…", "single_choice", choices=FIDELITY),
                    q(
                        "local_adaptations",
                        "Quelles adaptations locales avez-vous faites, et pourquoi ?",
                        "long_text",
                        required=False,
                    ),
                ],
            ),
            (
                "Freins et conditions de réussite",
                "",
                [
                    q(
                        "obstacles",
                        "Quels freins rencontrez-vous ?",
                        "multiple_choice",
                        required=False,
                        choices=OBSTACLES,
                    ),
                    q(
                        "success_conditions",
                        "Quelles sont, selon vous, les conditions de réussite de l'essaimage ?",
                        "long_text",
                    ),
                    {**PEOPLE, "required": False, "label": "Nombre de personnes déjà accompagnées"},
                ],
            ),
        ],
        "rules": [],
    },
    {
        "phase": "implementation",
        "title": "Questionnaire de mise en œuvre (9 mois)",
        "description": "Neuf mois après le démarrage : les activités menées, les personnes accompagnées, les "
        "partenaires mobilisés et les freins rencontrés.",
        "sections": [
            (
                "Activités menées",
                "",
                [
                    q("activities", "Décrivez les activités menées depuis le démarrage", "long_text"),
                    q(
                        "collective_sessions",
                        "Nombre d'ateliers ou de temps collectifs organisés",
                        "integer",
                        min_value=0,
                        max_value=10000,
                    ),
                    q("start_date_confirmed", "Date effective du premier accompagnement", "date", required=False),
                ],
            ),
            ("Personnes accompagnées", "", [PEOPLE, PEOPLE_DELD]),
            (
                "Partenaires et entreprises",
                "",
                [
                    q(
                        "partners_mobilised",
                        "Partenaires mobilisés (prescripteurs, financeurs, services publics)",
                        "integer",
                        min_value=0,
                        max_value=1000,
                    ),
                    COMPANIES,
                ],
            ),
            ("Premiers résultats", "À la date de réponse.", EXITS),
            (
                "Freins rencontrés",
                "",
                [
                    q(
                        "obstacles",
                        "Quels freins rencontrez-vous ?",
                        "multiple_choice",
                        required=False,
                        choices=OBSTACLES,
                    ),
                    q(
                        "obstacles_details",
                        "Précisez les freins et ce que vous avez tenté",
                        "long_text",
                        required=False,
                    ),
                    q("fidelity", "Votre mise en œuvre est-elle…", "single_choice", choices=FIDELITY),
                ],
            ),
        ],
        "rules": _people_rules(),
    },
    {
        "phase": "impact",
        "title": "Questionnaire d'impact (18 mois)",
        "description": "Dix-huit mois après le démarrage : les résultats pour les personnes, les effets sur votre "
        "structure et sur le territoire.",
        "sections": [
            ("Personnes accompagnées", "", [PEOPLE, PEOPLE_DELD]),
            (
                "Sorties et maintien dans l'emploi",
                "Depuis le démarrage de l'essaimage.",
                [
                    *EXITS,
                    q(
                        "retention_6_months",
                        "Part des personnes en emploi toujours en emploi six mois après",
                        "percentage",
                    ),
                    q(
                        "insertion_hours",
                        "Heures de travail en insertion réalisées",
                        "integer",
                        min_value=0,
                        max_value=10000000,
                        required=False,
                    ),
                ],
            ),
            ("Entreprises", "", [COMPANIES]),
            (
                "Effets sur la structure et le territoire",
                "",
                [
                    q("structure_effects", "Quels effets l'innovation a-t-elle eus sur votre structure ?", "long_text"),
                    q("territory_effects", "Et sur votre territoire ?", "long_text"),
                    q("continue_model", "Allez-vous poursuivre l'innovation après l'accompagnement ?", "yes_no"),
                    q(
                        "testimony",
                        "Un témoignage à partager (sans nom ni information permettant d'identifier une personne)",
                        "long_text",
                        required=False,
                    ),
                ],
            ),
        ],
        "rules": _people_rules(),
    },
]


def create_default_templates(Template, Version, Section, Question, Rule, *, published_at) -> None:
    """Create the three templates with a published version 1 (model classes are passed
    so that a data migration can use its historical models)."""
    for spec in DEFAULT_TEMPLATES:
        template, created = Template.objects.get_or_create(
            phase=spec["phase"], defaults={"title": spec["title"], "description": spec["description"]}
        )
        if not created or Version.objects.filter(template=template).exists():
            continue
        version = Version.objects.create(
            template=template, number=1, published_at=published_at, notes="Version initiale du programme."
        )
        for section_position, (title, description, questions) in enumerate(spec["sections"], start=1):
            section = Section.objects.create(
                version=version, position=section_position, title=title, description=description
            )
            for position, question in enumerate(questions, start=1):
                Question.objects.create(version=version, section=section, position=position, **question)
        for left, comparison, right, message in spec["rules"]:
            Rule.objects.create(
                version=version, left_code=left, comparison=comparison, right_code=right, message=message
            )


def create(apps, schema_editor):
    create_default_templates(
        apps.get_model("evaluation", "QuestionnaireTemplate"),
        apps.get_model("evaluation", "TemplateVersion"),
        apps.get_model("evaluation", "Section"),
        apps.get_model("evaluation", "Question"),
        apps.get_model("evaluation", "ConsistencyRule"),
        published_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
