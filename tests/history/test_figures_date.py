"""The date of a questionnaire's figures (``Response.figures_on``): set at the first
sending; a questionnaire returned and sent again keeps it unless one of its numeric
answers changed, then it takes the date of the new sending. Managers recording the
history give sending and validation dates in the past, never in the future."""

import datetime
import html

import pytest
import time_machine

from evaluation.models import Phase, ResponseStatus
from evaluation.services import EvaluationError, return_response, submit_response, validate_response
from reporting import definitions
from tests.ais.factories import OrganisationFactory
from tests.essaimage.factories import SpreadStructureFactory
from tests.history.builder import TODAY, answer, questionnaire, send
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def structure(today, default_templates):
    from evaluation.schedule import schedule_for_structure

    structure = SpreadStructureFactory(
        innovation=InnovationFactory(), organisation=OrganisationFactory(), start_date=D(2017, 1, 2)
    )
    schedule_for_structure(structure.pk)
    return structure


def _return_and_send_again(structure, values, manager, when):
    with time_machine.travel(when, tick=False):
        return_response(questionnaire(structure, Phase.IMPLEMENTATION), reason="À corriger", by=manager)
        answer(questionnaire(structure, Phase.IMPLEMENTATION), values, by=manager)
        submit_response(questionnaire(structure, Phase.IMPLEMENTATION), by=manager)
        validate_response(questionnaire(structure, Phase.IMPLEMENTATION), by=manager)
    return questionnaire(structure, Phase.IMPLEMENTATION)


def test_first_sending_dates_the_figures(structure, manager):
    response = send(structure, Phase.IMPLEMENTATION, on=D(2017, 10, 20), people=30, deld=20, exits=(5, 3), by=manager)

    assert response.figures_on == D(2017, 10, 20)
    assert response.submitted_at.date() == D(2017, 10, 20)
    assert response.submitted_figures["people_accompanied"] == 30


def test_sent_again_with_the_same_figures_keeps_their_date(structure, manager):
    send(structure, Phase.IMPLEMENTATION, on=D(2017, 10, 20), people=30, deld=20, exits=(5, 3), by=manager)

    response = _return_and_send_again(
        structure, {"activities": "Texte corrigé"}, manager, datetime.datetime(2026, 3, 10, 9, 0)
    )

    assert response.status == ResponseStatus.VALIDATED
    assert response.submitted_at.date() == D(2026, 3, 10)
    assert response.figures_on == D(2017, 10, 20)
    assert definitions.people_reached(D(2017, 12, 31)) == 30


def test_sent_again_with_a_changed_figure_takes_the_new_date(structure, manager):
    send(structure, Phase.APPROPRIATION, on=D(2017, 4, 5), people=12, by=manager)
    send(structure, Phase.IMPLEMENTATION, on=D(2017, 10, 20), people=30, deld=20, exits=(5, 3), by=manager)

    response = _return_and_send_again(
        structure, {"people_accompanied": "32"}, manager, datetime.datetime(2026, 3, 10, 9, 0)
    )

    assert response.figures_on == D(2026, 3, 10)
    # At the end of 2017 the corrected figure is not known yet: the 3-month one counts.
    assert definitions.people_reached(D(2017, 12, 31)) == 12
    assert definitions.people_reached(TODAY) == 32


def test_a_figure_changed_then_changed_back_keeps_the_date(structure, manager):
    send(structure, Phase.IMPLEMENTATION, on=D(2017, 10, 20), people=30, deld=20, exits=(5, 3), by=manager)

    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        return_response(questionnaire(structure, Phase.IMPLEMENTATION), reason="À corriger", by=manager)
        answer(questionnaire(structure, Phase.IMPLEMENTATION), {"people_accompanied": "31"}, by=manager)
        answer(questionnaire(structure, Phase.IMPLEMENTATION), {"people_accompanied": "30"}, by=manager)
        submit_response(questionnaire(structure, Phase.IMPLEMENTATION), by=manager)

    assert questionnaire(structure, Phase.IMPLEMENTATION).figures_on == D(2017, 10, 20)


def test_submitted_but_not_validated_figures_do_not_count(structure, manager):
    response = questionnaire(structure, Phase.IMPLEMENTATION)
    answer(response, {"people_accompanied": "30", "people_deld": "20"}, by=manager)
    submit_response(response, by=manager, on=D(2017, 10, 20))

    assert definitions.people_reached(TODAY) is None


@pytest.mark.parametrize("what", ["submission", "validation"])
def test_dates_in_the_future_are_refused(structure, manager, what):
    response = questionnaire(structure, Phase.IMPLEMENTATION)
    answer(response, {"people_accompanied": "30", "people_deld": "20"}, by=manager)
    tomorrow = TODAY + datetime.timedelta(days=1)

    if what == "submission":
        with pytest.raises(EvaluationError, match="La date d'envoi ne peut pas être dans le futur."):
            submit_response(response, by=manager, on=tomorrow)
    else:
        submit_response(response, by=manager, on=D(2017, 10, 20))
        with pytest.raises(EvaluationError, match="La date de validation ne peut pas être dans le futur."):
            validate_response(response, by=manager, on=tomorrow)
        with pytest.raises(EvaluationError, match="La validation ne peut pas précéder l'envoi."):
            validate_response(response, by=manager, on=D(2017, 10, 19))


def test_manager_sends_and_validates_with_past_dates_from_the_pages(client, structure, manager):
    from django.urls import reverse

    response = questionnaire(structure, Phase.IMPLEMENTATION)
    answer(response, {"people_accompanied": "30", "people_deld": "20"}, by=manager)
    client.force_login(manager)

    future = client.post(
        reverse("evaluation:response_submit", kwargs={"pk": response.pk}), {"submitted_on": "2027-01-04"}
    )
    sent = client.post(
        reverse("evaluation:response_submit", kwargs={"pk": response.pk}), {"submitted_on": "2017-10-20"}
    )
    validated = client.post(
        reverse("evaluation:response_validate", kwargs={"pk": response.pk}), {"validated_on": "2017-11-02"}
    )

    assert future.status_code == 400
    assert "La date d'envoi ne peut pas être dans le futur." in html.unescape(future.content.decode())
    assert (sent.status_code, validated.status_code) == (302, 302)
    response = questionnaire(structure, Phase.IMPLEMENTATION)
    assert (response.status, response.figures_on, response.validated_at.date()) == (
        ResponseStatus.VALIDATED,
        D(2017, 10, 20),
        D(2017, 11, 2),
    )
    page = client.get(reverse("evaluation:response_manage", kwargs={"pk": response.pk})).content.decode()
    assert "Date des chiffres" in page and "20/10/2017" in page
