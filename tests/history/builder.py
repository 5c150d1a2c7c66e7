"""A small history of the programme, built through the domain functions (as a
manager recording the past would), and the figures the definitions give for it.

"Today" is 6 December 2026 (``TODAY``; the tests travel there with time-machine).

Innovations (selection date; stage moves as they took effect):

| innovation      | selected   | stage II   | stage III  | stage IV   | end                                      |
| --------------- | ---------- | ---------- | ---------- | ---------- | ---------------------------------------- |
| Parcours Alpha  | 2015-06-10 | 2016-01-15 | 2016-06-01 | 2018-09-01 | in progress (formation-action)           |
| Rallye Bêta     | 2016-06-15 | 2017-03-01 | 2017-09-01 |            | in progress (intensive spreading)        |
| Atelier Gamma   | 2017-06-12 |            |            |            | stopped after the study on 2017-11-30    |
| Réseau Delta    | 2018-06-01 |            |            |            | in progress                              |

Structures (the Régie de quartier de Rouen spreads two innovations: two structures):

| structure | innovation | organisation (commune, dept)    | selected   | start      | afterwards            |
| --------- | ---------- | ------------------------------- | ---------- | ---------- | --------------------- |
| A1        | Alpha      | Régie de quartier (Rouen, 76)   | 2016-03-01 | 2016-09-01 |                       |
| A2        | Alpha      | ACI Nîmes (Nîmes, 30)           | 2017-01-10 | 2017-03-01 | withdrawn 2018-05-31  |
| A3        | Alpha      | Chantier Lyon (Lyon, 69)        | 2017-11-01 | 2018-02-01 |                       |
| B1        | Bêta       | Mission Toulouse (Toulouse, 31) | 2017-05-01 | 2017-06-15 | to Lyon on 2019-04-01 |
| B2        | Bêta       | Régie de quartier (Rouen, 76)   | 2017-09-01 | 2017-10-02 |                       |

Validated questionnaires (date of the figures: people accompanied, of whom DELD, exits
to durable + transitional employment):

| structure | phase (opens)              | sent       | people | DELD | exits   |
| --------- | -------------------------- | ---------- | ------ | ---- | ------- |
| A1        | 3 months (2016-12-01)      | 2016-12-20 | 10     |      |         |
| A1        | 9 months (2017-06-01)      | 2017-06-20 | 30     | 20   | 5 + 3   |
| A1        | 18 months (2018-03-01)     | 2018-03-20 | 50     | 35   | 12 + 4  |
| A2        | 3 months (2017-06-01)      | 2017-06-15 | 8      |      |         |
| A2        | 9 months (2017-12-01)      | 2017-12-05 | 20     | 15   | 4 + 2   |
| A3        | 3 months (2018-05-01)      | 2018-05-20 | 7      |      |         |
| B1        | 3 months (2017-09-15)      | 2017-10-01 | 6      |      |         |
| B1        | 9 months (2018-03-15)      | 2018-04-01 | 25     | 18   | 6 + 3   |
| B2        | 3 months (2018-01-02)      | 2018-01-20 | 5      |      |         |

A1's 9-month questionnaire is returned on 10 March 2026 and sent again the same day
with a text corrected (its figures unchanged), validated again on 12 March 2026: its
figures keep their date, 20 June 2017. A2's 18-month questionnaire is cancelled by the
withdrawal. Three organisations apply to Bêta's call for structures: on 10 April and
2 May 2017 and on 1 February 2018.

By the definitions, on 31 December 2017: innovations selected 3 (Delta comes in
2018), accompanied to spreading 2, in progress 2 (Gamma closed); structures spread 4
(A3 starts in 2018), active 4, selected but not started 1 (A3); departments 30, 31,
76 (3) in 2 regions; people 30 + 20 + 6 = 56, of whom DELD 35, exits to employment 14;
methods: formation-action 1, intensive spreading 1; applications 2.

Since the start (6 December 2026): innovations 4, to spreading 2, in progress 3;
structures 5, active 4 (A2 withdrew), not started 0; departments 30, 69, 76 (B1 is in
Lyon now) in 3 regions; people 50 + 20 + 7 + 25 + 5 = 107, DELD 35 + 15 + 18 = 68,
exits 16 + 6 + 9 = 31; applications 3.
"""

import datetime
from types import SimpleNamespace

import time_machine
from django.utils import timezone

from ais.accounts.models import OrganisationType
from essaimage import services as spreading
from essaimage.models import StructureApplication
from evaluation import schedule
from evaluation.models import Phase, QuestionKind, Response
from evaluation.services import return_response, save_answer, submit_response, validate_response
from projects import accompaniment
from projects.models import ClosureKind
from tests.ais.factories import CommuneFactory, DepartmentFactory, RegionFactory
from tests.essaimage.factories import StructureCallFactory
from tests.projects.factories import InnovationFactory

D = datetime.date
TODAY = D(2026, 12, 6)
NOW = datetime.datetime(2026, 12, 6, 10, 0)
END_2017 = D(2017, 12, 31)

EXPECTED_2017 = {
    "innovations_selected": 3,
    "innovations_accompanied_to_spreading": 2,
    "innovations_in_progress": 2,
    "structures_spread": 4,
    "structures_active": 4,
    "structures_selected_not_started": 1,
    "departments": 3,
    "regions": 2,
    "people_reached": 56,
    "long_term_unemployed_reached": 35,
    "exits_to_employment": 14,
    "structure_applications": 2,
}
DEPARTMENTS_2017 = [("30", "Gard", 1), ("31", "Haute-Garonne", 1), ("76", "Seine-Maritime", 2)]
EXPECTED_SINCE_START = {
    "innovations_selected": 4,
    "innovations_accompanied_to_spreading": 2,
    "innovations_in_progress": 3,
    "structures_spread": 5,
    "structures_active": 4,
    "structures_selected_not_started": 0,
    "departments": 3,
    "regions": 3,
    "people_reached": 107,
    "long_term_unemployed_reached": 68,
    "exits_to_employment": 31,
    "structure_applications": 3,
}
DEPARTMENTS_SINCE_START = [("30", "Gard", 1), ("69", "Rhône", 2), ("76", "Seine-Maritime", 2)]


def communes() -> SimpleNamespace:
    normandie = RegionFactory(code="28", name="Normandie")
    occitanie = RegionFactory(code="76", name="Occitanie")
    ara = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")

    def commune(code, name, department_code, department_name, region):
        department = DepartmentFactory(code=department_code, name=department_name, region=region)
        return CommuneFactory(code=code, name=name, department=department, postal_codes="")

    return SimpleNamespace(
        rouen=commune("76540", "Rouen", "76", "Seine-Maritime", normandie),
        nimes=commune("30189", "Nîmes", "30", "Gard", occitanie),
        toulouse=commune("31555", "Toulouse", "31", "Haute-Garonne", occitanie),
        lyon=commune("69123", "Lyon", "69", "Rhône", ara),
    )


def _valid(question) -> str | list | None:
    """An answer every required question accepts (numbers at their minimum)."""
    if question.kind in (QuestionKind.INTEGER, QuestionKind.PERCENTAGE):
        return str(question.bounds[0] or 0)
    if question.kind == QuestionKind.SCALE:
        return "3"
    if question.kind == QuestionKind.YES_NO:
        return "yes"
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return question.choices[0]
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [question.choices[0]]
    if question.kind == QuestionKind.DATE:
        return "2017-01-15"
    return "Réponse"


def questionnaire(structure, phase) -> Response:
    return Response.objects.select_related("version").get(structure=structure, phase=phase)


def answer(response, values: dict, *, by) -> None:
    """Answer ``values`` ({code: raw}) and every other required question."""
    for question in response.version.questions.all():
        raw = values.get(question.code)
        if raw is None and question.required and not response.answers.filter(question=question).exists():
            raw = _valid(question)
        if raw is None:
            continue
        current = response.answers.filter(question=question).first()
        save_answer(response, question, raw, revision=current.revision if current else 0, by=by)


def send(structure, phase, *, on, by, people, deld=None, exits=None, validated_on=None) -> Response:
    """The structure's questionnaire of ``phase`` answered, sent on ``on`` and validated
    (on ``validated_on``, else the same day), as a manager recording the history does."""
    values = {"people_accompanied": str(people)}
    if deld is not None:
        values["people_deld"] = str(deld)
    if exits is not None:
        values["exits_durable_employment"], values["exits_transitional_employment"] = map(str, exits)
        values["exits_qualifying_training"] = "0"
    response = questionnaire(structure, phase)
    answer(response, values, by=by)
    submit_response(response, by=by, on=on)
    validate_response(response, by=by, on=validated_on or on)
    return questionnaire(structure, phase)


def _structure(innovation, *, by, selected, start, organisation=None, name=None, commune=None):
    if organisation is None:
        new = {"name": name, "kind": OrganisationType.ASSOCIATION, "network": None, "siret": "", "commune": commune}
        structure = spreading.create_structure(innovation, new_organisation=new, selected_on=selected, by=by)
    else:
        structure = spreading.create_structure(innovation, organisation=organisation, selected_on=selected, by=by)
    if start:
        spreading.set_start_date(structure, start, by=by)
        schedule.schedule_for_structure(structure.pk)  # what the start_date_changed hook does after commit
    return structure


def _innovation(name, *, selected, moves, by, model=""):
    innovation = InnovationFactory(name=name, year_selected=None)
    accompaniment.update_settings(innovation, selected_on=selected, spreading_model=model, by=by)
    for on in moves:
        accompaniment.advance_stage(innovation, by=by, exception_reason="Reprise de l'historique", on=on)
    innovation.refresh_from_db()
    return innovation


def _apply(call, name, commune):
    application = StructureApplication(
        organisation_name=name,
        organisation_kind=OrganisationType.ACI,
        commune=commune,
        capacity=20,
        motivation="Nous voulons adopter l'innovation.",
        contact_first_name="Sami",
        contact_last_name="Benali",
        contact_email=f"{name.lower().replace(' ', '.')}@exemple.fr",
    )
    return spreading.apply_to_call(call, application)


def build_history(manager) -> SimpleNamespace:
    """The history above; call it with the clock at ``TODAY``."""
    places = communes()
    alpha = _innovation(
        "Parcours Alpha",
        selected=D(2015, 6, 10),
        moves=[D(2016, 1, 15), D(2016, 6, 1), D(2018, 9, 1)],
        model="formation_action",
        by=manager,
    )
    beta = _innovation(
        "Rallye Bêta", selected=D(2016, 6, 15), moves=[D(2017, 3, 1), D(2017, 9, 1)], model="intensive", by=manager
    )
    gamma = _innovation("Atelier Gamma", selected=D(2017, 6, 12), moves=[], by=manager)
    stop = "L'étude de faisabilité conclut à l'arrêt."
    accompaniment.close_accompaniment(gamma, kind=ClosureKind.STOPPED, on=D(2017, 11, 30), reason=stop, by=manager)
    delta = _innovation("Réseau Delta", selected=D(2018, 6, 1), moves=[], by=manager)

    rouen, nimes = places.rouen, places.nimes
    a1 = _structure(
        alpha, name="Régie de quartier de Rouen", commune=rouen, selected=D(2016, 3, 1), start=D(2016, 9, 1), by=manager
    )
    a2 = _structure(alpha, name="ACI Nîmes", commune=nimes, selected=D(2017, 1, 10), start=D(2017, 3, 1), by=manager)
    a3 = _structure(
        alpha, name="Chantier Lyon", commune=places.lyon, selected=D(2017, 11, 1), start=D(2018, 2, 1), by=manager
    )
    b1 = _structure(
        beta, name="Mission Toulouse", commune=places.toulouse, selected=D(2017, 5, 1), start=D(2017, 6, 15), by=manager
    )
    b2 = _structure(beta, organisation=a1.organisation, selected=D(2017, 9, 1), start=D(2017, 10, 2), by=manager)

    P3, P9, P18 = Phase.APPROPRIATION, Phase.IMPLEMENTATION, Phase.IMPACT
    send(a1, P3, on=D(2016, 12, 20), people=10, by=manager)
    send(a1, P9, on=D(2017, 6, 20), people=30, deld=20, exits=(5, 3), by=manager)
    send(a1, P18, on=D(2018, 3, 20), people=50, deld=35, exits=(12, 4), by=manager)
    send(a2, P3, on=D(2017, 6, 15), people=8, by=manager)
    send(a2, P9, on=D(2017, 12, 5), people=20, deld=15, exits=(4, 2), validated_on=D(2017, 12, 10), by=manager)
    send(a3, P3, on=D(2018, 5, 20), people=7, by=manager)
    send(b1, P3, on=D(2017, 10, 1), people=6, by=manager)
    send(b1, P9, on=D(2018, 4, 1), people=25, deld=18, exits=(6, 3), by=manager)
    send(b2, P3, on=D(2018, 1, 20), people=5, by=manager)

    spreading.withdraw_structure(a2, on=D(2018, 5, 31), reason="Fin du financement", by=manager)
    schedule.cancel_for_structure(a2.pk)  # what the structure_withdrawn hook does after commit
    spreading.move_structure(b1, commune=places.lyon, on=D(2019, 4, 1), by=manager)

    with time_machine.travel(datetime.datetime(2017, 3, 1, 9, 0), tick=False):
        call = StructureCallFactory(innovation=beta, title="Appel aux structures Rallye Bêta")
        call.closes_on = D(2018, 3, 1)
        call.save(update_fields=["closes_on"])
    with time_machine.travel(datetime.datetime(2017, 4, 10, 9, 0), tick=False):
        _apply(call, "ACI Perpignan", places.toulouse)
    with time_machine.travel(datetime.datetime(2017, 5, 2, 9, 0), tick=False):
        _apply(call, "Régie Albi", places.toulouse)
    with time_machine.travel(datetime.datetime(2018, 2, 1, 9, 0), tick=False):
        _apply(call, "Chantier Castres", places.toulouse)

    # A1's 9-month questionnaire returned in 2026 and sent again with a text corrected.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        returned = questionnaire(a1, P9)
        return_response(returned, reason="Précisez les activités menées.", by=manager)
        answer(questionnaire(a1, P9), {"activities": "Ateliers collectifs et immersions en entreprise."}, by=manager)
        submit_response(questionnaire(a1, P9), by=manager)
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, 0), tick=False):
        validate_response(questionnaire(a1, P9), by=manager)
    assert timezone.localdate() == TODAY
    return SimpleNamespace(
        places=places, alpha=alpha, beta=beta, gamma=gamma, delta=delta, a1=a1, a2=a2, a3=a3, b1=b1, b2=b2, call=call
    )
