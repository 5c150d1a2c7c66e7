"""Recording and editing hotline entries and site visits: the innovation comes from the
structure, the acting user is in the audit history, bad input comes back with what was
typed and a message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from ais.accounts.models import Role
from essaimage import support_forms, support_services
from essaimage.models import SiteVisit, SpreadStructure, SupportRequest
from essaimage.support_services import SupportError
from tests.conftest import make_user
from tests.essaimage.factories import SiteVisitFactory, SpreadStructureFactory, SupportRequestFactory
from tests.essaimage.support.conftest import select_options, structure

MINUTES_MESSAGE = "Enter a time spent between 1 and 1440 minutes (24 hours)."
FUTURE_MESSAGE = "The date cannot be in the future."


def _request_data(structure, **overrides):
    return {
        "structure": structure.pk,
        "date": "2025-09-02",
        "channel": "email",
        "topic": "partners",
        "minutes_spent": "35",
        "question": "Quels employeurs du BTP solliciter pour les premières embauches ?",
        "answer": "",
        **overrides,
    }


def _visit_data(structure, **overrides):
    return {
        "structure": structure.pk,
        "date": "2025-10-14",
        "visitors": "Claire Moreau (Ansa), Karim Haddad (porteur)",
        "people_met": "Directrice\nEncadrant technique",
        "report": "Les ateliers collectifs ont démarré ; deux embauches en CDI.",
        **overrides,
    }


# Hotline -----------------------------------------------------------------------------


def test_support_create_records_entry_under_structure_innovation_with_history(client, manager, dataset):
    client.force_login(manager)

    # An "innovation" sent along is ignored: the structure's innovation is used.
    response = client.post(
        reverse("essaimage:support_create"), _request_data(dataset.beta, innovation=dataset.tapaj.pk)
    )

    entry = SupportRequest.objects.get(question__startswith="Quels employeurs du BTP")
    assert response.status_code == 302
    assert response.url == reverse("essaimage:support_detail", kwargs={"pk": entry.pk})
    assert (entry.innovation, entry.structure, entry.date, entry.channel, entry.topic) == (
        dataset.vita,
        dataset.beta,
        datetime.date(2025, 9, 2),
        "email",
        "partners",
    )
    assert (entry.minutes_spent, entry.resolved, entry.handled_by) == (35, False, manager)
    assert [(h.history_type, h.history_user) for h in entry.history.all()] == [("+", manager)]


def test_support_edit_records_answer_and_resolution_with_editor_in_history(client, manager, dataset):
    entry = SupportRequestFactory(structure=dataset.beta, resolved=False, answer="", handled_by=manager)
    support_services.update_support_request(entry, by=manager)  # a first history row by the recorder
    colleague = make_user(Role.MANAGER)
    client.force_login(colleague)

    response = client.post(
        reverse("essaimage:support_edit", kwargs={"pk": entry.pk}),
        _request_data(
            dataset.beta,
            question=entry.question,
            answer="Contacter la fédération du BTP et le club d'entreprises local.",
            resolved="on",
        ),
        follow=True,
    )

    entry.refresh_from_db()
    assert response.redirect_chain == [(reverse("essaimage:support_detail", kwargs={"pk": entry.pk}), 302)]
    assert entry.resolved is True
    assert entry.answer == "Contacter la fédération du BTP et le club d'entreprises local."
    assert entry.handled_by == manager  # still the person who took the call
    assert entry.history.first().history_user == colleague
    assert "Contacter la fédération du BTP et le club d&#x27;entreprises local." in response.content.decode()


@pytest.mark.parametrize("minutes", ["0", "1441", "deux heures"])
def test_support_create_refuses_time_spent_out_of_range_keeping_typed_values(client, manager, dataset, minutes):
    client.force_login(manager)

    response = client.post(reverse("essaimage:support_create"), _request_data(dataset.alpha, minutes_spent=minutes))

    content = response.content.decode()
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["minutes_spent"]
    if minutes != "deux heures":
        assert response.context["form"].errors["minutes_spent"] == [gettext(MINUTES_MESSAGE)]
    assert f'value="{minutes}"' in content
    assert "Quels employeurs du BTP solliciter pour les premières embauches ?" in content
    # The chosen structure is still shown, and only it.
    assert select_options(content)[1:] == [(str(dataset.alpha.pk), "Alpha Insertion – VITA-Air", True)]
    assert not SupportRequest.objects.filter(question__startswith="Quels employeurs").exists()


def test_support_create_refuses_date_in_future(client, manager, dataset):
    client.force_login(manager)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(reverse("essaimage:support_create"), _request_data(dataset.alpha, date=tomorrow.isoformat()))

    assert response.status_code == 400
    assert response.context["form"].errors["date"] == [gettext(FUTURE_MESSAGE)]
    assert f'value="{tomorrow.isoformat()}"' in response.content.decode()


def test_support_create_refuses_candidate_structure(client, manager, dataset):
    client.force_login(manager)

    response = client.post(reverse("essaimage:support_create"), _request_data(dataset.candidate))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["structure"]
    assert not SupportRequest.objects.filter(structure=dataset.candidate).exists()


def test_support_create_builds_no_structure_list(client, manager, dataset):
    """The structure is searched (static/js/structure-picker.js): the page holds the empty
    choice only, however many structures there are."""
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_create"))

    content = response.content.decode()
    assert [value for value, _text, _selected in select_options(content)] == [""]
    assert 'data-structure-picker="/suivi/accompagnement/structures/"' in content
    assert 'data-open-to-support="1"' in content  # the search offers active structures only
    assert "js/structure-picker.js" in content
    assert "Alpha Insertion" not in content and "Gamma Solidarité" not in content


def test_support_create_preselects_structure_from_query(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_create") + f"?structure={dataset.delta.pk}")

    assert response.context["form"]["structure"].value() == dataset.delta.pk
    assert select_options(response.content.decode())[1:] == [(str(dataset.delta.pk), "Delta Chantier – TAPAJ", True)]


def test_support_create_ignores_preselection_of_structure_not_open_to_support(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_create") + f"?structure={dataset.candidate.pk}")

    assert [value for value, _text, _selected in select_options(response.content.decode())] == [""]


def test_support_create_refuses_structure_that_does_not_exist(client, manager, dataset):
    client.force_login(manager)

    response = client.post(reverse("essaimage:support_create"), {**_request_data(dataset.alpha), "structure": "999999"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["structure"]
    assert [value for value, _text, _selected in select_options(response.content.decode())] == [""]


def test_support_form_refuses_structure_outside_the_user_scope(carrier, dataset):
    """The posted id is checked against the user's scope: a carrier's form (were carriers
    to record entries) refuses another innovation's structure with the usual message."""
    own = structure(carrier.innovation, "Régie du porteur")

    refused = support_forms.SupportRequestForm(_request_data(dataset.alpha), user=carrier)
    accepted = support_forms.SupportRequestForm(_request_data(own), user=carrier)
    visit = support_forms.SiteVisitForm(_visit_data(dataset.delta), user=carrier)

    assert refused.errors["structure"] == [
        gettext("Select a valid choice. That choice is not one of the available choices.")
    ]
    assert accepted.is_valid(), accepted.errors
    assert list(visit.errors) == ["structure"]
    assert "Alpha Insertion" not in str(refused["structure"])  # not shown back either


def test_support_edit_keeps_structure_withdrawn_since_in_choices(client, manager, dataset):
    entry = SupportRequestFactory(structure=dataset.gamma)
    dataset.gamma.status, dataset.gamma.withdrawn_on, dataset.gamma.withdrawal_reason = (
        "withdrawn",
        datetime.date(2025, 9, 1),
        "Fin de financement",
    )
    dataset.gamma.save()
    client.force_login(manager)

    response = client.get(reverse("essaimage:support_edit", kwargs={"pk": entry.pk}))
    saved = client.post(
        reverse("essaimage:support_edit", kwargs={"pk": entry.pk}),
        _request_data(dataset.gamma, question=entry.question, resolved="on"),
    )

    [(value, text, selected)] = select_options(response.content.decode())[1:]
    assert (value, selected) == (str(dataset.gamma.pk), True)
    assert text.startswith("Gamma Solidarité (") and text.endswith(") – VITA-Air")  # with its status
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert entry.resolved is True


def test_support_edit_refuses_moving_entry_to_withdrawn_structure(client, manager, dataset):
    withdrawn = SpreadStructureFactory(innovation=dataset.vita, withdrawn=True)
    entry = SupportRequestFactory(structure=dataset.alpha)
    client.force_login(manager)

    response = client.post(
        reverse("essaimage:support_edit", kwargs={"pk": entry.pk}), _request_data(withdrawn, question=entry.question)
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["structure"]
    entry.refresh_from_db()
    assert entry.structure == dataset.alpha


def test_record_support_request_refuses_minutes_out_of_range(manager, dataset):
    entry = SupportRequest(structure=dataset.alpha, channel="phone", topic="method", minutes_spent=0, question="?")

    with pytest.raises(SupportError):
        support_services.record_support_request(entry, by=manager)

    assert entry.pk is None


# Site visits ----------------------------------------------------------------------------


def test_visit_create_records_visit_under_structure_innovation_with_history(client, manager, dataset):
    client.force_login(manager)

    response = client.post(reverse("essaimage:visit_create"), _visit_data(dataset.delta), follow=True)

    visit = SiteVisit.objects.get(date=datetime.date(2025, 10, 14))
    assert response.redirect_chain == [(reverse("essaimage:visit_detail", kwargs={"pk": visit.pk}), 302)]
    assert (visit.innovation, visit.structure, visit.visitors) == (
        dataset.tapaj,
        dataset.delta,
        "Claire Moreau (Ansa), Karim Haddad (porteur)",
    )
    assert [(h.history_type, h.history_user) for h in visit.history.all()] == [("+", manager)]
    assert "Les ateliers collectifs ont démarré ; deux embauches en CDI." in response.content.decode()


def test_visit_edit_records_editor_in_history(client, manager, dataset):
    visit = SiteVisitFactory(structure=dataset.alpha)
    client.force_login(manager)

    client.post(
        reverse("essaimage:visit_edit", kwargs={"pk": visit.pk}),
        _visit_data(dataset.alpha, report="Compte rendu complété après l'échange avec la directrice."),
    )

    visit.refresh_from_db()
    assert visit.report == "Compte rendu complété après l'échange avec la directrice."
    assert visit.history.first().history_user == manager


def test_visit_can_be_planned_in_the_future_without_a_report(client, manager, dataset):
    """A visit to come is planned (issue 16: « site visits cannot be planned »); its report
    comes afterwards, and it is not counted before it takes place."""
    client.force_login(manager)
    next_week = timezone.localdate() + datetime.timedelta(days=7)

    response = client.post(
        reverse("essaimage:visit_create"), _visit_data(dataset.alpha, date=next_week.isoformat(), report="")
    )

    assert response.status_code == 302
    visit = SiteVisit.objects.get(structure=dataset.alpha, date=next_week)
    assert visit.is_planned and visit.report == ""
    counted = support_services.support_counts_by_structure(SpreadStructure.objects.filter(pk=dataset.alpha.pk)).get()
    assert (
        counted.visit_count == SiteVisit.objects.filter(structure=dataset.alpha, date__lte=timezone.localdate()).count()
    )


def test_visit_made_needs_its_report(client, manager, dataset):
    client.force_login(manager)

    response = client.post(
        reverse("essaimage:visit_create"), _visit_data(dataset.alpha, date=timezone.localdate().isoformat(), report="")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["report"] == [gettext("Write the report of the visit: it has taken place.")]


def test_visit_create_today_is_accepted(client, manager, dataset):
    client.force_login(manager)

    client.post(reverse("essaimage:visit_create"), _visit_data(dataset.alpha, date=timezone.localdate().isoformat()))

    assert SiteVisit.objects.filter(structure=dataset.alpha, date=timezone.localdate()).exists()


def test_visit_create_preselects_structure_and_visitor(client, manager, dataset):
    client.force_login(manager)

    response = client.get(reverse("essaimage:visit_create") + f"?structure={dataset.alpha.pk}")

    form = response.context["form"]
    assert form["structure"].value() == dataset.alpha.pk
    assert form["visitors"].value() == manager.get_full_name()
    alpha = (str(dataset.alpha.pk), "Alpha Insertion – VITA-Air", True)
    assert select_options(response.content.decode())[1:] == [alpha]


def test_record_site_visit_in_the_future_is_planned(manager, dataset):
    visit = SiteVisit(
        structure=dataset.alpha,
        date=timezone.localdate() + datetime.timedelta(days=1),
        visitors="Ansa",
        people_met="",
        report="",
    )

    support_services.record_site_visit(visit, by=manager)

    assert visit.pk is not None and visit.is_planned
