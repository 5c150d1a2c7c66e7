"""What the demo states about the programme's real innovations and organisations, in one place.

Every value below is the one the programme's public documents give; each comment names the
document and its section, with the short labels of ``docs/programme-sources.md`` (which lists the
five documents and quotes the passages):

* ``[résumé]``     Ansa, « Accélérateur d'innovation sociale … – Résumé opérationnel »
* ``[fiche]``      Ansa, fiche projet « L'accélérateur d'innovation sociale pour l'accès à l'emploi des
                   chômeurs de longue durée » (2015-2020, 2020-2022, 2023)
* ``[jn-2017]``    Ansa, journée nationale d'échanges du 6 décembre 2017, « L'évaluation au service de
                   l'essaimage des innovations »
* ``[resti-2016]`` Ansa, événement de restitution et d'échanges du 7 décembre 2016
* ``[avise-2019]`` Avise, « Projets inspirants – AIS#Emploi, l'accélérateur d'innovations pour l'emploi »
                   (28 novembre 2019, mis à jour le 21 avril 2021)

Where the documents are silent the value is empty (``None``, ``""``, ``[]``): the demo states
nothing about a real organisation that they do not say. An innovation must have a carrier; when the
documents do not name it, the carrier is an explicit placeholder (``Porteur non renseigné – …``),
never a guessed organisation. Every invented activity of the demo (spread structures, trainings,
calls, questionnaires, events' participants) belongs to the clearly fictional innovations and
organisations of the ``demo_data`` command (``devtools/management/commands/demo_data.py``).

``tests/devtools/test_demo_facts.py`` pins these values and checks them in the database that
``manage.py demo_data`` builds.
"""

from dataclasses import dataclass, field

from ais.accounts.models import OrganisationType as T
from projects.models import Keyword as K
from projects.models import SpreadingModel, Stage
from projects.models import TargetPublic as P

# The programme's publics as a whole: the accelerator is for projects « attestant d'impacts positifs
# sur le retour à l'emploi des demandeurs d'emplois de longue durée » ([fiche], introduction).
PROGRAMME_PUBLIC = P.DELD


@dataclass(frozen=True)
class RealOrganisation:
    name: str
    kind: str = T.OTHER  # OTHER where the documents do not give the legal form
    commune: str | None = None  # INSEE code, only where the documents name the town
    network: str | None = None  # only where the documents say the organisation belongs to it
    address: str = ""


@dataclass(frozen=True)
class RealInnovation:
    name: str
    carrier: str  # a RealOrganisation's name (CARRIERS)
    summary: str
    description: str
    origin_commune: str | None = None  # INSEE code of the town the documents give
    department: str | None = None  # the department the documents give when they give no town
    network: str | None = None  # the network the documents tie to the innovation (carrier's or spreading's)
    year_started: int | None = None
    year_selected: int | None = None
    # The furthest stage the documents show the innovation reached, with the date they show it; an
    # innovation the documents say nothing about stays at stage I (every selected innovation starts there).
    stage: int = Stage.FEASIBILITY
    stage_known: str = ""
    spreading_model: str = ""
    spreading_model_details: str = ""
    publics: list = field(default_factory=list)
    keywords: list = field(default_factory=list)


# Ansa runs the programme: « Agence nouvelle des solidarités actives, 28, rue du Sentier 75002 Paris »
# ([résumé], footer).
OPERATOR = RealOrganisation("Ansa", commune="75056", address="28, rue du Sentier, 75002 Paris")

# Who funded the programme: « financé par le Ministère du Travail (la DGEFP), le CGET, le FPSPP (Fonds Paritaire de
# Sécurisation des Parcours Professionnels), AG2R la Mondiale, et PRO BTP » ([avise-2019], introduction); the ANCT
# « soutient l'Ansa et son programme AIS#emploi depuis 2015 » ([fiche], 2023). No town is given for any of them.
FUNDERS = [
    RealOrganisation("DGEFP – ministère du Travail", kind=T.PUBLIC),
    RealOrganisation("CGET", kind=T.PUBLIC),
    RealOrganisation("ANCT", kind=T.PUBLIC),
    RealOrganisation("FPSPP – Fonds paritaire de sécurisation des parcours professionnels", kind=T.FUNDER),
    RealOrganisation("AG2R La Mondiale", kind=T.FUNDER),
    RealOrganisation("Pro BTP", kind=T.FUNDER),
]

# Networks the documents name. Only CREPI's full name is given (« les Clubs régionaux d'entreprises partenaires de
# l'insertion (CREPI) », [avise-2019], « La transformation des pratiques »); the others appear as acronyms
# (« 4 têtes de réseau mobilisés (FNARS/COORACE, CNLRQ/USH) », [resti-2016], « Focus sur l'essaimage de Parcours
# gardien »; « le réseau Coorace, partenaire historique de l'AIS#Emploi », [avise-2019]).
NETWORKS = [
    ("COORACE", ""),
    # The documents (2016) name it FNARS; it has since become the Fédération des acteurs de la solidarité,
    # the name the product shows in full (issue 16), the acronym kept as the documents give it.
    ("FNARS", "Fédération des acteurs de la solidarité (ex-FNARS)"),
    ("CNLRQ", ""),
    ("USH", ""),
    ("CREPI", "Clubs régionaux d'entreprises partenaires de l'insertion"),
]


def _unnamed(innovation: str) -> RealOrganisation:
    return RealOrganisation(f"Porteur non renseigné – {innovation}")


CARRIERS = [
    # « Méthode développée et expérimentée par l'association intermédiaire AirServices, VITA-AIR … »
    # ([resti-2016], speed-dating booklet, « VITA-AIR »). Its town is not given.
    RealOrganisation("AirServices", kind=T.AI),
    # « Construit à Villeurbanne, par Unis vers l'Emploi et à Rouen, par Interm'aide Emploi, « Parcours Gardien » …
    # ces deux SIAE » ([resti-2016], booklet, « Parcours Gardien »); the SIAE's kind is not given.
    RealOrganisation("Unis vers l'Emploi", commune="69266"),
    # « Association intermédiaire basée à Rouen, Interm'aide Emploi » ([resti-2016], booklet, « Happy Culture
    # Citadine »). Parcours Gardien's co-builder: the innovation has one carrier, the one who presented it.
    RealOrganisation("Interm'aide Emploi", kind=T.AI, commune="76540"),
    # « Nombre de jeunes inscrits dans le programme au sein du CEID … » ; « Jean-Hugues Morales, Coordinateur du
    # programme TAPAJ, CEID » ([resti-2016], « Focus sur l'essaimage de TAPAJ » and workshop speakers). No town given.
    RealOrganisation("CEID"),
    # « Soleni, porté par Ulisse. Ulisse : GES à Grenoble » ([resti-2016], workshop « Les secteurs d'activité
    # innovants »).
    RealOrganisation("Ulisse", commune="38185"),
    # « En 2005, le CREPI touraine a inventé une action simple intitulée "Rallye pour l'emploi" »; CREPI is a network of
    # clubs (« nos 16 clubs ») ([avise-2019], « La transformation des pratiques »). No town given.
    RealOrganisation("CREPI Touraine", network="CREPI"),
    # The documents name these innovations ([fiche], « Projets ayant intégré l'accélérateur … depuis 2015 ») but not
    # who carries them.
    _unnamed("Territoire Zéro Chômeur"),
    _unnamed("Lieu Ressources Emploi-Formation"),
    _unnamed("Jeun_ESS_Créative"),
    _unnamed("A.CO.R"),
    _unnamed("Chantier multiservices en gare"),
]

# What the documents give no more than the name of ([fiche], « 2015-2020 : accompagnement de structures innovantes
# suite à un appel à projet – Projets ayant intégré l'accélérateur … depuis 2015 »).
_ONLY_NAMED = (
    "Innovation qui a intégré l'accélérateur entre 2015 et 2020. Les documents publics du programme n'en "
    "précisent ni le porteur, ni le territoire, ni l'année de sélection."
)

INNOVATIONS = [
    RealInnovation(
        name="Territoire Zéro Chômeur",
        carrier="Porteur non renseigné – Territoire Zéro Chômeur",
        # « Territoire Zéro Chômeur (avant la loi d'expérimentation) » ([fiche], projects since 2015).
        summary="Territoire Zéro Chômeur, accompagné par l'accélérateur avant la loi d'expérimentation.",
        description=_ONLY_NAMED,
        publics=[PROGRAMME_PUBLIC],
    ),
    RealInnovation(
        name="VITA-Air",
        carrier="AirServices",
        # [resti-2016], booklet « VITA-AIR ».
        summary="Une offre de services en ressources humaines qui aide les TPE-PME à comprendre leurs besoins réels de "
        "recrutement et valorise les compétences des personnes en insertion.",
        description="Méthode développée et expérimentée par l'association intermédiaire AirServices. IsaGroupe, "
        "groupement d'économie solidaire du département du Cher, la développe depuis 2012 et l'a essaimée au sein du "
        "réseau COORACE : neuf structures formées lors d'une formation-action de neuf mois, par binômes réunis une "
        "journée par mois.",
        # « IsaGroupe … dans le département du Cher » ([avise-2019], « Bénéficier de la dynamique ANSA »); no town
        # given, so no home commune: the department is stated in the description.
        department="18",
        # « Vita Air a bénéficié du processus pour essaimer au sein du réseau Coorace » ([avise-2019], same section).
        # The documents do not say AirServices is a COORACE member: the carrier's network stays empty.
        network="COORACE",
        # Not set: « Depuis 2012, nous développons la méthode Vita Air » ([avise-2019]) but « 70 audits … réalisés entre
        # 2010 et 2016 » ([resti-2016], « Focus sur l'essaimage de VITA Air »): the documents disagree.
        year_started=None,
        # Not given: it was in stage IV on 1 December 2016, so selected in 2015 or 2016, which one is not said.
        year_selected=None,
        # « Etape de l'essaimage au 1er décembre 2016 : Etape IV Evaluation » ([resti-2016], focus VITA Air);
        # « Phase 3 : VITA » in 2018 ([jn-2017], « Feuille de route 2018 »).
        stage=Stage.EVALUATION,
        stage_known="Étape IV – Évaluation au 1er décembre 2016 ; phase 3 de l'évaluation en 2018",
        # « Formation-action de 6 mois couplée avec un accompagnement individuel » ([resti-2016], focus VITA Air);
        # « une formation-action de neuf mois » ([avise-2019]).
        spreading_model=SpreadingModel.FORMATION_ACTION,
        spreading_model_details="Formation-action couplée avec un accompagnement individuel (six mois selon le bilan "
        "de décembre 2016, neuf mois selon le porteur en 2019), au sein du réseau COORACE.",
        publics=[PROGRAMME_PUBLIC],
        # « Mots-clés : mobilisation des entreprises du secteur marchand » ([resti-2016], booklet « VITA-AIR »).
        keywords=[K.ENTREPRISES],
    ),
    RealInnovation(
        name="Parcours Gardien",
        # Presented by « Parcours Gardien, Stéphane Charles » ([resti-2016], speed-dating grid), « Stéphane Charles,
        # directeur, Unis vers l'Emploi » (workshop speakers).
        carrier="Unis vers l'Emploi",
        # [resti-2016], booklet « Parcours Gardien ».
        summary="Un parcours qui mène des salariés en insertion vers le métier de gardien d'immeuble, en lien avec les "
        "bailleurs sociaux.",
        description="Construit à Villeurbanne par Unis vers l'Emploi et à Rouen par Interm'aide Emploi, deux SIAE "
        "qui ont observé les besoins croissants de recrutement de gardiens d'immeubles. Essaimage intensif "
        "territorialisé : 22 structures candidates, 3 inter-régions, 15 SIAE formées ; têtes de réseau "
        "mobilisées : FNARS, COORACE, CNLRQ et USH.",
        origin_commune="69266",  # Villeurbanne ([resti-2016], booklet)
        # « 2 experts et 4 têtes de réseau mobilisés (FNARS/COORACE, CNLRQ/USH) » ([resti-2016], focus Parcours
        # gardien): the spreading's networks, none of them given as the carrier's.
        network="FNARS, COORACE, CNLRQ, USH",
        # « Etape de l'essaimage au 1er décembre 2016 : Etape III Essaimage » ([resti-2016], focus); « Phases 2 et
        # 3 : PG » of stage IV planned for 2018 ([jn-2017], « Feuille de route 2018 »): a plan, not a stage reached.
        stage=Stage.ESSAIMAGE,
        stage_known="Étape III – Essaimage au 1er décembre 2016 ; phases 2 et 3 de l'évaluation prévues en 2018",
        # « Modèle d'essaimage : Essaimage intensif territorialisé ; 3 inter-régions sélectionnées ; 15 SIAE formées ».
        spreading_model=SpreadingModel.INTENSIVE,
        spreading_model_details="Essaimage intensif territorialisé : 3 inter-régions sélectionnées, 15 SIAE formées.",
        # « en tension dans un quartier politique de la ville » ([resti-2016], restitution of the territories workshop).
        publics=[PROGRAMME_PUBLIC, P.QPV],
        # « Mots-clés : formation qualifiante, accompagnement individuel, accompagnement collectif, coaching/tutoring ».
        keywords=[K.FORMATION_QUALIFIANTE, K.ACCOMPAGNEMENT_INDIVIDUEL, K.ACCOMPAGNEMENT_COLLECTIF, K.COACHING],
    ),
    RealInnovation(
        name="TAPAJ",
        carrier="CEID",
        # [resti-2016], booklet « TAPAJ ».
        summary="Travail alternatif payé à la journée : un accès rapide, avec le minimum de contraintes préalables, à "
        "un travail rémunéré pour des jeunes en très grande précarité.",
        description="Programme de revalorisation sociale par l'insertion professionnelle mis en place par des CAARUD. "
        "Au CEID, 40 jeunes inscrits depuis sa création ; 13 sites engagés dans la première vague d'essaimage, avec "
        "30 partenaires.",
        # « Etape de l'essaimage au 1er décembre 2016 : Etape III Essaimage » ([resti-2016], focus TAPAJ); its
        # evaluation phase 1 is planned for 2018 ([jn-2017], « Feuille de route 2018 »), not reported as done.
        stage=Stage.ESSAIMAGE,
        stage_known="Étape III – Essaimage au 1er décembre 2016 ; phase 1 de l'évaluation prévue en 2018",
        # « Modèle d'essaimage : Outillage des 13 sites de la première vague » ([resti-2016], focus TAPAJ).
        spreading_model=SpreadingModel.PILOT_TOOLING,
        spreading_model_details="Outillage des 13 sites de la première vague, évaluation et construction du modèle "
        "pérenne.",
        # Its public is « les jeunes en très grande précarité », which none of the catalogue's publics names.
        publics=[],
        # « Mots-clés : travail temporaire d'insertion, accompagnement collectif, accompagnement individuel,
        # mobilisation des entreprises du secteur marchand ».
        keywords=[K.TRAVAIL_TEMPORAIRE, K.ACCOMPAGNEMENT_COLLECTIF, K.ACCOMPAGNEMENT_INDIVIDUEL, K.ENTREPRISES],
    ),
    RealInnovation(
        name="Soleni",
        carrier="Ulisse",
        # [resti-2016], booklet « SOLENI » and workshop « Les secteurs d'activité innovants ».
        summary="Un service d'accompagnement à la maîtrise de l'énergie : des conseillers en énergie, eux-mêmes en "
        "parcours d'insertion, visitent à domicile des ménages en précarité énergétique.",
        description="Service porté par Ulisse, GES à Grenoble. Les conseillers en énergie "
        "effectuent des visites au domicile de ménages en précarité énergétique, sous tous statuts d'occupation.",
        origin_commune="38185",  # Grenoble (« Ulisse : GES à Grenoble »)
        # One of the innovations spread by the end of 2017 (« Vita, Parcours gardien, TAPAJ, Soleni » beside « 42
        # Territoires concernés par les projets essaimés », [jn-2017]); evaluation phase 1 planned for 2018.
        stage=Stage.ESSAIMAGE,
        stage_known="Essaimée à la fin de 2017 ; phase 1 de l'évaluation prévue en 2018",
        publics=[PROGRAMME_PUBLIC],
        # « Mots-clés : formation qualifiante, accompagnement individuel, coaching/tutoring, mobilisation des
        # entreprises du secteur marchand ».
        keywords=[K.FORMATION_QUALIFIANTE, K.ACCOMPAGNEMENT_INDIVIDUEL, K.COACHING, K.ENTREPRISES],
    ),
    RealInnovation(
        name="Lieu Ressources Emploi-Formation",
        carrier="Porteur non renseigné – Lieu Ressources Emploi-Formation",
        summary="Lieu Ressources Emploi-Formation, accompagné par l'accélérateur.",
        # Listed for evaluation phase 1 in 2018 (« LREF », [jn-2017], « Feuille de route 2018 »): a plan, no stage
        # reported as reached.
        description=_ONLY_NAMED,
        publics=[PROGRAMME_PUBLIC],
    ),
    RealInnovation(
        name="Rallye pour l'emploi",
        carrier="CREPI Touraine",
        # « … qui consiste à organiser pendant plusieurs jours des rencontres locales entre demandeurs d'emploi et
        # entreprises » ([avise-2019], « La transformation des pratiques »).
        summary="Pendant plusieurs jours, des rencontres locales entre demandeurs d'emploi et entreprises.",
        description="Action inventée en 2005 par le CREPI Touraine ; le réseau des CREPI a répondu à l'appel à projets "
        "de l'AIS#Emploi en 2017 pour que les rallyes se développent au-delà de ses 16 clubs. En juin 2018, les "
        "membres du CREPI ont co-animé avec l'Ansa une formation de trois jours pour des acteurs de l'emploi "
        "(maisons de l'emploi, structures du COORACE…).",
        network="CREPI",
        year_started=2005,  # « En 2005, le CREPI touraine a inventé … »
        # « nous avons répondu à l'appel à projets de l'AIS#Emploi en 2017 » ([avise-2019]) and listed among the
        # accompanied innovations of the « Feuille de route 2018 » presented on 6 December 2017 ([jn-2017]).
        year_selected=2017,
        # « En juin 2018, les membres du CREPI ont co-animé avec l'ANSA une formation de 3 jours » … « C'est maintenant
        # l'ANSA qui assure le suivi de l'essaimage » ([avise-2019]).
        stage=Stage.ESSAIMAGE,
        stage_known="Formation des essaimés en juin 2018 ; suivi de l'essaimage par l'Ansa en 2019",
        spreading_model=SpreadingModel.OTHER,
        spreading_model_details="Formation de trois jours co-animée par les membres du CREPI et l'Ansa (juin 2018), "
        "pour des acteurs de l'emploi d'horizons variés.",
        publics=[PROGRAMME_PUBLIC],
    ),
    RealInnovation(
        name="Jeun_ESS_Créative",
        carrier="Porteur non renseigné – Jeun_ESS_Créative",
        summary="Jeun_ESS_Créative, accompagnée par l'accélérateur.",
        description=_ONLY_NAMED,
        publics=[PROGRAMME_PUBLIC],
    ),
    RealInnovation(
        name="A.CO.R",
        carrier="Porteur non renseigné – A.CO.R",
        summary="A.CO.R, accompagnée par l'accélérateur.",
        description=_ONLY_NAMED,
        publics=[PROGRAMME_PUBLIC],
    ),
    RealInnovation(
        name="Chantier multiservices en gare",
        carrier="Porteur non renseigné – Chantier multiservices en gare",
        summary="Chantier multiservices en gare, accompagné par l'accélérateur.",
        description=_ONLY_NAMED,
        publics=[PROGRAMME_PUBLIC],
    ),
]

REAL_INNOVATION_NAMES = frozenset(innovation.name for innovation in INNOVATIONS)
REAL_ORGANISATION_NAMES = frozenset(organisation.name for organisation in [OPERATOR, *FUNDERS, *CARRIERS]) | frozenset(
    name for name, _full in NETWORKS
)
