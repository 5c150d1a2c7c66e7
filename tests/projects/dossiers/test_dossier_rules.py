"""The rules of a dossier: dates of the call, required answers, locking after
submission, corrections, concurrent saves, target departments, consistent
results, eligibility, and the e-mails each decision sends (once)."""

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ais.accounts.models import Role
from ais.celery import app
from ais.outbox.models import OutgoingEmail
from projects import services
from projects.emails import DOSSIER_CORRECTIONS, DOSSIER_ELIGIBILITY, DOSSIER_RECEIPT, DOSSIER_REMINDER
from projects.forms import SECTION_FIELDS, dossier_section_form_class
from projects.models import Dossier, DossierSection, DossierStatus
from projects.services import DossierError, EditConflict
from tests.ais.factories import CommuneFactory, DepartmentFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.projects.factories import CallFactory, DossierAttachmentFactory, DossierFactory

PARIS = ZoneInfo("Europe/Paris")
# Closing falls the day after the switch to summer time (30 March 2025): 12:00 in
# Paris is 10:00 UTC, not 11:00.
OPENS = datetime(2025, 3, 3, 9, 0, tzinfo=PARIS)
CLOSES = datetime(2025, 3, 31, 12, 0, tzinfo=PARIS)
SECOND = timedelta(seconds=1)
# Reminders go out ``reminder_days`` x 24 hours before closing (absolute time: across
# the DST switch that is 11:00 in Paris on 24 March, not noon).
REMINDER_WINDOW_OPENS = CLOSES.astimezone(ZoneInfo("UTC")) - timedelta(days=7)


def _french(msgid: str) -> str:
    """What the (French) page shows for ``msgid``, translated or not yet."""
    with translation.override("fr"):
        return gettext(msgid)


@pytest.fixture
def dated_call(db):
    with time_machine.travel(OPENS - timedelta(days=20), tick=False):
        return CallFactory(title="Appel 2025", opens_at=OPENS, closes_at=CLOSES)


def _emails(reason=None):
    emails = OutgoingEmail.objects.all()
    if reason:
        emails = emails.filter(reason=reason)
    return emails


# Dates of the call -------------------------------------------------------------------


def test_call_closing_is_noon_paris_time_ten_utc_after_dst_switch(dated_call):
    assert dated_call.closes_at == datetime(2025, 3, 31, 10, 0, tzinfo=ZoneInfo("UTC"))


def test_start_dossier_one_second_before_opening_is_refused(dated_call, carrier_organisation, carrier):
    with time_machine.travel(OPENS - SECOND, tick=False), pytest.raises(DossierError):
        services.start_dossier(dated_call, organisation=carrier_organisation, by=carrier)

    assert not Dossier.objects.exists()


def test_start_dossier_at_opening_creates_a_draft(dated_call, carrier_organisation, carrier):
    with time_machine.travel(OPENS, tick=False):
        dossier, created = services.start_dossier(dated_call, organisation=carrier_organisation, by=carrier)

    assert created
    assert (dossier.status, dossier.organisation, dossier.created_by) == (
        DossierStatus.DRAFT,
        carrier_organisation,
        carrier,
    )


def test_start_dossier_at_closing_is_refused(dated_call, carrier_organisation, carrier):
    with time_machine.travel(CLOSES, tick=False), pytest.raises(DossierError):
        services.start_dossier(dated_call, organisation=carrier_organisation, by=carrier)

    assert not Dossier.objects.exists()


def test_start_dossier_twice_returns_the_existing_dossier(dated_call, carrier_organisation, carrier):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        first, _ = services.start_dossier(dated_call, organisation=carrier_organisation, by=carrier)
        second, created = services.start_dossier(dated_call, organisation=carrier_organisation, by=carrier)

    assert (second.pk, created) == (first.pk, False)
    assert Dossier.objects.count() == 1


def test_dossier_start_view_before_opening_creates_nothing_and_returns_to_call(
    dated_call, carrier_client, carrier_organisation
):
    url = reverse("projects:dossier_start", args=[dated_call.slug])

    with time_machine.travel(OPENS - SECOND, tick=False):
        response = carrier_client.post(url, {"organisation": carrier_organisation.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("projects:call_detail", args=[dated_call.slug])
    assert not Dossier.objects.exists()


def test_dossier_start_view_while_open_creates_draft_and_opens_first_step(
    dated_call, carrier_client, carrier_organisation, carrier
):
    url = reverse("projects:dossier_start", args=[dated_call.slug])

    with time_machine.travel(OPENS + timedelta(hours=1), tick=False):
        response = carrier_client.post(url, {"organisation": carrier_organisation.pk})

    dossier = Dossier.objects.get()
    assert (dossier.call, dossier.organisation, dossier.created_by) == (dated_call, carrier_organisation, carrier)
    assert response["Location"] == reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.ORGANISATION])


def _complete_draft(call, organisation, carrier):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        return DossierFactory(complete=True, call=call, organisation=organisation, created_by=carrier)


def test_submit_dossier_one_second_before_closing_is_accepted(dated_call, carrier_organisation, carrier):
    dossier = _complete_draft(dated_call, carrier_organisation, carrier)

    with time_machine.travel(CLOSES - SECOND, tick=False):
        services.submit_dossier(dossier, by=carrier)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.submitted_at == CLOSES - SECOND


def test_submit_dossier_at_closing_is_refused(dated_call, carrier_organisation, carrier):
    dossier = _complete_draft(dated_call, carrier_organisation, carrier)

    with time_machine.travel(CLOSES, tick=False), pytest.raises(DossierError):
        services.submit_dossier(dossier, by=carrier)

    dossier.refresh_from_db()
    assert (dossier.status, dossier.submitted_at) == (DossierStatus.DRAFT, None)
    assert not _emails().exists()


def test_submit_dossier_before_opening_is_refused(dated_call, carrier_organisation, carrier):
    with time_machine.travel(OPENS - timedelta(days=2), tick=False):
        dossier = DossierFactory(complete=True, call=dated_call, organisation=carrier_organisation, created_by=carrier)
        with pytest.raises(DossierError):
            services.submit_dossier(dossier, by=carrier)

    assert Dossier.objects.get().status == DossierStatus.DRAFT


def test_submit_view_after_closing_keeps_the_draft(dated_call, carrier_organisation, carrier, carrier_client):
    dossier = _complete_draft(dated_call, carrier_organisation, carrier)

    with time_machine.travel(CLOSES + timedelta(hours=2), tick=False):
        response = carrier_client.post(reverse("projects:dossier_submit", args=[dossier.pk]), follow=True)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not _emails().exists()


def test_edit_view_after_closing_shows_the_draft_locked(dated_call, carrier_organisation, carrier, carrier_client):
    dossier = _complete_draft(dated_call, carrier_organisation, carrier)
    url = reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.INNOVATION])

    with time_machine.travel(CLOSES + SECOND, tick=False):
        page = carrier_client.get(url)
        post = carrier_client.post(url, {"version": dossier.version, "summary": "Trop tard"})

    assert page.context["editable"] is False
    assert "<fieldset disabled>" in page.content.decode()
    assert post.status_code == 302
    dossier.refresh_from_db()
    assert dossier.summary == "Un accompagnement vers l'emploi qui marche."


# Required answers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "empty"),
    [
        ("summary", ""),
        ("year_started", None),
        ("origin_commune", None),
        ("publics", []),
        ("people_accompanied", None),
        ("formalisation_level", ""),
        ("transposition_capacity", ""),
    ],
)
def test_submit_dossier_with_a_required_answer_missing_is_refused(draft, carrier, field, empty):
    setattr(draft, field, empty)
    draft.save()

    with pytest.raises(DossierError):
        services.submit_dossier(draft, by=carrier)

    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at) == (DossierStatus.DRAFT, None)
    assert services.completeness(draft)["missing_count"] == 1
    assert not _emails().exists()


def test_submit_dossier_complete_is_accepted_and_sends_receipt(draft, carrier):
    services.submit_dossier(draft, by=carrier)

    draft.refresh_from_db()
    assert draft.status == DossierStatus.SUBMITTED
    assert draft.submitted_at is not None
    receipt = _emails(DOSSIER_RECEIPT).get()
    assert receipt.recipient == carrier.email
    assert draft.innovation_name in receipt.body
    assert receipt.related_object == draft


def test_submit_dossier_with_required_attachment_missing_is_refused_then_accepted_once_attached(draft, carrier):
    draft.call.required_questions = [*draft.call.required_questions, "attachments"]
    draft.call.save()

    with pytest.raises(DossierError):
        services.submit_dossier(draft, by=carrier)
    DossierAttachmentFactory(dossier=draft)
    services.submit_dossier(draft, by=carrier)

    draft.refresh_from_db()
    assert draft.status == DossierStatus.SUBMITTED


def test_detail_page_of_incomplete_draft_offers_no_submit_button(carrier_client, draft):
    draft.summary = ""
    draft.save()

    response = carrier_client.get(reverse("projects:dossier_detail", args=[draft.pk]))

    assert response.context["can_submit"] is False
    assert response.context["completeness"]["missing"][DossierSection.INNOVATION] == ["summary"]
    assert reverse("projects:dossier_submit", args=[draft.pk]) not in response.content.decode()


def test_submit_view_with_complete_draft_submits_it(carrier_client, draft):
    detail = carrier_client.get(reverse("projects:dossier_detail", args=[draft.pk]))

    response = carrier_client.post(reverse("projects:dossier_submit", args=[draft.pk]))

    assert reverse("projects:dossier_submit", args=[draft.pk]) in detail.content.decode()
    assert response["Location"] == reverse("projects:dossier_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == DossierStatus.SUBMITTED


# Locked after submission -------------------------------------------------------------


@pytest.mark.parametrize("section", list(SECTION_FIELDS))
def test_save_section_after_submission_raises_and_writes_nothing(draft, carrier, section):
    services.submit_dossier(draft, by=carrier)
    draft.refresh_from_db()
    version = draft.version

    with pytest.raises(DossierError):
        services.save_section(
            draft, section=section, values={"resources": "changé"}, by=carrier, expected_version=version
        )

    draft.refresh_from_db()
    assert draft.version == version
    assert draft.resources == "5 ETP, budget de 300 000 euros, financé par le Département."
    assert services.editable_sections(draft) == set()


@pytest.mark.parametrize("htmx", [False, True])
def test_edit_view_post_after_submission_does_not_change_the_dossier(carrier_client, draft, carrier, htmx):
    services.submit_dossier(draft, by=carrier)
    draft.refresh_from_db()
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.INNOVATION])
    headers = {"HX-Request": "true"} if htmx else {}

    response = carrier_client.post(
        url, {"version": draft.version, "innovation_name": "Nom changé", "summary": "Résumé changé"}, headers=headers
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("projects:dossier_detail", args=[draft.pk])
    fresh = Dossier.objects.get(pk=draft.pk)
    assert (fresh.innovation_name, fresh.summary, fresh.version) == (
        draft.innovation_name,
        draft.summary,
        draft.version,
    )


def test_attachment_upload_after_submission_attaches_nothing(carrier_client, draft, carrier, pdf_upload):
    services.submit_dossier(draft, by=carrier)

    response = carrier_client.post(
        reverse("projects:dossier_attachments", args=[draft.pk]), {"file": pdf_upload(), "description": "Tardif"}
    )

    assert response["Location"] == reverse("projects:dossier_detail", args=[draft.pk])
    assert not draft.attachments.exists()


def test_organisation_step_post_after_submission_does_not_change_organisation(
    carrier_client, draft, carrier, carrier_organisation
):
    services.submit_dossier(draft, by=carrier)
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.ORGANISATION])

    carrier_client.post(
        url, {"name": "Nom piraté", "kind": carrier_organisation.kind, "commune": carrier_organisation.commune_id}
    )

    carrier_organisation.refresh_from_db()
    assert carrier_organisation.name == "Association Tremplin"


# Corrections -------------------------------------------------------------------------


@pytest.fixture
def submitted(draft, carrier):
    services.submit_dossier(draft, by=carrier)
    draft.refresh_from_db()
    return draft


def test_request_corrections_reopens_only_the_named_sections(submitted, manager, carrier):
    services.request_corrections(
        submitted, sections=[DossierSection.RESULTS], reason="Précisez la période mesurée.", by=manager
    )
    submitted.refresh_from_db()

    services.save_section(
        submitted,
        section=DossierSection.RESULTS,
        values={"results_period": "janvier 2023 – décembre 2024"},
        by=carrier,
        expected_version=submitted.version,
    )
    with pytest.raises(DossierError):
        services.save_section(
            submitted,
            section=DossierSection.INNOVATION,
            values={"summary": "Autre"},
            by=carrier,
            expected_version=submitted.version,
        )

    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.CORRECTIONS
    assert submitted.reopened_sections == [DossierSection.RESULTS]
    assert services.editable_sections(submitted) == {DossierSection.RESULTS}
    assert submitted.results_period == "janvier 2023 – décembre 2024"
    assert submitted.summary == "Un accompagnement vers l'emploi qui marche."


def test_correction_request_through_views_reopens_named_section_only(client, manager, carrier, submitted):
    client.force_login(manager)
    client.post(
        reverse("projects:dossier_corrections", args=[submitted.pk]),
        {"sections": [DossierSection.PROCESS], "reason": "Décrivez les outils."},
    )
    client.force_login(carrier)
    submitted.refresh_from_db()
    version = submitted.version

    process = client.post(
        reverse("projects:dossier_edit", args=[submitted.pk, DossierSection.PROCESS]),
        {"version": version, "formalisation_level": "modelised", "process_description": "Étapes et outils."},
    )
    innovation = client.post(
        reverse("projects:dossier_edit", args=[submitted.pk, DossierSection.INNOVATION]),
        {"version": version + 1, "innovation_name": "Renommée", "summary": "Autre"},
    )
    page = client.get(reverse("projects:dossier_detail", args=[submitted.pk]))

    submitted.refresh_from_db()
    assert process["Location"] == reverse("projects:dossier_edit", args=[submitted.pk, DossierSection.PROCESS])
    assert innovation["Location"] == reverse("projects:dossier_detail", args=[submitted.pk])
    assert (submitted.formalisation_level, submitted.process_description) == ("modelised", "Étapes et outils.")
    assert submitted.innovation_name != "Renommée"
    assert "Décrivez les outils." in html.unescape(page.content.decode())


@pytest.mark.parametrize(
    ("sections", "reason"),
    [([], "Précisez."), ([DossierSection.RESULTS], "   "), (["inconnue"], "Précisez.")],
)
def test_request_corrections_without_section_or_reason_is_refused(submitted, manager, sections, reason):
    with pytest.raises(DossierError):
        services.request_corrections(submitted, sections=sections, reason=reason, by=manager)

    submitted.refresh_from_db()
    assert submitted.status == DossierStatus.SUBMITTED
    assert not _emails(DOSSIER_CORRECTIONS).exists()


def test_request_corrections_on_a_draft_is_refused(draft, manager):
    with pytest.raises(DossierError):
        services.request_corrections(draft, sections=[DossierSection.RESULTS], reason="Précisez.", by=manager)

    assert Dossier.objects.get(pk=draft.pk).status == DossierStatus.DRAFT


def test_resubmission_after_closing_is_accepted_and_sends_a_second_receipt(
    dated_call, carrier_organisation, carrier, manager
):
    dossier = _complete_draft(dated_call, carrier_organisation, carrier)
    with time_machine.travel(CLOSES - timedelta(days=1), tick=False):
        services.submit_dossier(dossier, by=carrier)
    with time_machine.travel(CLOSES + timedelta(days=3), tick=False):
        services.request_corrections(dossier, sections=[DossierSection.RESULTS], reason="Chiffres 2024 ?", by=manager)
    dossier.refresh_from_db()

    with time_machine.travel(CLOSES + timedelta(days=5), tick=False):
        services.save_section(
            dossier,
            section=DossierSection.RESULTS,
            values={"people_accompanied": 130, "exits_to_employment": 60},
            by=carrier,
            expected_version=dossier.version,
        )
        services.submit_dossier(dossier, by=carrier)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.reopened_sections == []
    assert dossier.submitted_at == CLOSES + timedelta(days=5)
    assert (dossier.people_accompanied, dossier.exits_to_employment) == (130, 60)
    receipts = _emails(DOSSIER_RECEIPT).order_by("created_at")
    assert receipts.count() == 2
    assert receipts[0].subject != receipts[1].subject  # the second says "corrected dossier"


def test_resubmission_after_closing_with_answer_still_missing_is_refused(
    dated_call, carrier_organisation, carrier, manager
):
    dossier = _complete_draft(dated_call, carrier_organisation, carrier)
    with time_machine.travel(CLOSES - timedelta(days=1), tick=False):
        services.submit_dossier(dossier, by=carrier)
        services.request_corrections(dossier, sections=[DossierSection.RESULTS], reason="Chiffres ?", by=manager)
    dossier.refresh_from_db()

    with time_machine.travel(CLOSES + timedelta(days=5), tick=False):
        services.save_section(
            dossier,
            section=DossierSection.RESULTS,
            values={"people_accompanied": None},
            by=carrier,
            expected_version=dossier.version,
        )
        with pytest.raises(DossierError):
            services.submit_dossier(dossier, by=carrier)

    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.CORRECTIONS


def test_submit_an_already_submitted_dossier_is_refused(submitted, carrier):
    with pytest.raises(DossierError):
        services.submit_dossier(submitted, by=carrier)

    assert _emails(DOSSIER_RECEIPT).count() == 1


# Optimistic concurrency --------------------------------------------------------------


def test_save_section_twice_with_same_expected_version_raises_conflict_and_keeps_first(draft, carrier):
    version = draft.version
    other_tab = Dossier.objects.get(pk=draft.pk)

    services.save_section(
        draft, section=DossierSection.INNOVATION, values={"summary": "Premier"}, by=carrier, expected_version=version
    )
    with pytest.raises(EditConflict):
        services.save_section(
            other_tab,
            section=DossierSection.INNOVATION,
            values={"summary": "Second", "description": "Texte du second onglet"},
            by=carrier,
            expected_version=version,
        )

    fresh = Dossier.objects.get(pk=draft.pk)
    assert fresh.summary == "Premier"
    assert fresh.description == "Nous accompagnons chaque personne de la première rencontre jusqu'à l'emploi."
    assert fresh.version == version + 1


def test_edit_view_htmx_post_with_stale_version_answers_conflict_and_keeps_first_text(carrier_client, draft):
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.INNOVATION])
    stale = draft.version
    common = {"innovation_name": draft.innovation_name, "year_started": 2018}

    first = carrier_client.post(
        url, {**common, "version": stale, "summary": "Premier texte"}, headers={"HX-Request": "true"}
    )
    second = carrier_client.post(
        url, {**common, "version": stale, "summary": "Second texte"}, headers={"HX-Request": "true"}
    )

    first_text, second_text = (html.unescape(r.content.decode()) for r in (first, second))
    assert f'name="version" value="{stale + 1}"' in first_text  # the page's version moves on (out-of-band swap)
    assert "text-danger" not in first_text
    conflict = _french(
        "This dossier was saved by someone else (or in another tab) since you opened this page. "
        "Your text is still in the form: copy it, reload the page, then paste what is missing."
    )
    assert conflict in second_text
    assert 'name="version"' not in second_text
    fresh = Dossier.objects.get(pk=draft.pk)
    assert (fresh.summary, fresh.version) == ("Premier texte", stale + 1)


def test_edit_view_normal_post_with_stale_version_keeps_typed_text_in_form(carrier_client, draft, carrier):
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.INNOVATION])
    stale = draft.version
    services.save_section(
        draft,
        section=DossierSection.INNOVATION,
        values={"summary": "Premier texte"},
        by=carrier,
        expected_version=stale,
    )

    response = carrier_client.post(url, {"version": stale, "summary": "Texte tapé dans l'autre onglet"})

    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["__all__"]
    assert "Texte tapé dans l'autre onglet" in html.unescape(response.content.decode())
    assert Dossier.objects.get(pk=draft.pk).summary == "Premier texte"


# Target departments ------------------------------------------------------------------


@pytest.fixture
def paris_only_call(db):
    paris = DepartmentFactory(code="75", name="Paris")
    return CallFactory(title="Appel parisien", target_departments=[paris])


def test_submit_dossier_with_commune_outside_target_departments_is_refused(paris_only_call, carrier_organisation):
    rouen = CommuneFactory()  # Seine-Maritime (76)
    dossier = DossierFactory(
        complete=True, call=paris_only_call, organisation=carrier_organisation, origin_commune=rouen
    )

    with pytest.raises(DossierError):
        services.submit_dossier(dossier, by=dossier.created_by)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    assert not _emails().exists()


def test_submit_dossier_with_commune_in_target_departments_is_accepted(paris_only_call, carrier_organisation):
    paris = CommuneFactory(code="75056", name="Paris", department=DepartmentFactory(code="75"))
    dossier = DossierFactory(
        complete=True, call=paris_only_call, organisation=carrier_organisation, origin_commune=paris
    )

    services.submit_dossier(dossier, by=dossier.created_by)

    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED


def test_submit_dossier_without_commune_to_a_department_limited_call_is_refused(paris_only_call, carrier_organisation):
    paris_only_call.required_questions = [q for q in paris_only_call.required_questions if q != "origin_commune"]
    paris_only_call.save()
    dossier = DossierFactory(
        complete=True, call=paris_only_call, organisation=carrier_organisation, origin_commune=None
    )

    with pytest.raises(DossierError):
        services.submit_dossier(dossier, by=dossier.created_by)

    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DRAFT


def test_submit_dossier_without_commune_to_a_national_call_is_accepted(carrier_organisation):
    call = CallFactory(required_questions=["innovation_name"])
    dossier = DossierFactory(complete=True, call=call, organisation=carrier_organisation, origin_commune=None)

    services.submit_dossier(dossier, by=dossier.created_by)

    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED


# Consistent results ------------------------------------------------------------------


def test_results_form_with_exits_above_people_accompanied_has_field_error(draft):
    form_class = dossier_section_form_class(DossierSection.RESULTS)

    form = form_class(
        {"version": draft.version, "people_accompanied": 10, "exits_to_employment": 12},
        instance=draft,
        section=DossierSection.RESULTS,
    )

    assert not form.is_valid()
    assert list(form.errors) == ["exits_to_employment"]


def test_results_form_with_exits_equal_to_people_is_valid(draft):
    form_class = dossier_section_form_class(DossierSection.RESULTS)

    form = form_class(
        {"version": draft.version, "people_accompanied": 12, "exits_to_employment": 12},
        instance=draft,
        section=DossierSection.RESULTS,
    )

    assert form.is_valid(), form.errors


def test_results_edit_view_with_exits_above_people_is_refused_and_nothing_saved(carrier_client, draft):
    url = reverse("projects:dossier_edit", args=[draft.pk, DossierSection.RESULTS])

    response = carrier_client.post(
        url, {"version": draft.version, "people_accompanied": 10, "exits_to_employment": 12, "results_period": "2024"}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [str(e.message) for e in errors["exits_to_employment"]] == [
        _french("Exits to employment cannot exceed the number of people accompanied.")
    ]
    assert 'value="12"' in response.content.decode()  # the typed figure is kept
    fresh = Dossier.objects.get(pk=draft.pk)
    assert (fresh.people_accompanied, fresh.exits_to_employment, fresh.version) == (120, 54, draft.version)


# Eligibility -------------------------------------------------------------------------


def test_decide_not_eligible_without_reason_is_refused(submitted, manager):
    with pytest.raises(DossierError):
        services.decide_eligibility(submitted, eligible=False, reason="  ", by=manager)

    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_at) == (DossierStatus.SUBMITTED, None)
    assert not _emails(DOSSIER_ELIGIBILITY).exists()


def test_eligibility_view_not_eligible_without_reason_shows_reason_error(manager_client, submitted):
    response = manager_client.post(
        reverse("projects:dossier_eligibility", args=[submitted.pk]), {"decision": "ineligible", "reason": ""}
    )

    assert response.status_code == 400
    assert list(response.context["eligibility_form"].errors) == ["reason"]
    assert Dossier.objects.get(pk=submitted.pk).status == DossierStatus.SUBMITTED
    assert not _emails(DOSSIER_ELIGIBILITY).exists()


def test_eligibility_view_not_eligible_with_reason_records_it_and_tells_carrier(manager_client, manager, submitted):
    reason = "Le territoire d'origine n'est pas couvert par l'appel."

    response = manager_client.post(
        reverse("projects:dossier_eligibility", args=[submitted.pk]), {"decision": "ineligible", "reason": reason}
    )

    assert response["Location"] == reverse("projects:dossier_review", args=[submitted.pk])
    submitted.refresh_from_db()
    assert (submitted.status, submitted.eligibility_reason, submitted.decided_by) == (
        DossierStatus.INELIGIBLE,
        reason,
        manager,
    )
    email = _emails(DOSSIER_ELIGIBILITY).get()
    assert reason in email.body
    assert email.recipient == submitted.created_by.email


def test_decide_eligible_without_reason_is_accepted(submitted, manager):
    services.decide_eligibility(submitted, eligible=True, by=manager)

    submitted.refresh_from_db()
    assert (submitted.status, submitted.eligibility_reason) == (DossierStatus.ELIGIBLE, "")
    assert _emails(DOSSIER_ELIGIBILITY).count() == 1


def test_decide_eligibility_on_a_draft_is_refused(draft, manager):
    with pytest.raises(DossierError):
        services.decide_eligibility(draft, eligible=True, by=manager)

    assert Dossier.objects.get(pk=draft.pk).status == DossierStatus.DRAFT


# E-mails: right reason, right recipients, once ----------------------------------------


@pytest.fixture
def team(carrier_organisation, carrier):
    """Everyone at the carrier organisation, and people who must not be written to."""
    colleague = UserFactory(email="dominique.tremplin@exemple.fr", roles=[(Role.CARRIER, carrier_organisation)])
    UserFactory(email="ancien.tremplin@exemple.fr", is_active=False, roles=[(Role.CARRIER, carrier_organisation)])
    MembershipFactory(
        user=UserFactory(email="structure@exemple.fr"), role=Role.STRUCTURE, organisation=carrier_organisation
    )
    UserFactory(email="autre.porteur@exemple.fr", roles=[(Role.CARRIER, OrganisationFactory())])
    return sorted([carrier.email, colleague.email])


def _recipients(reason):
    return sorted(_emails(reason).values_list("recipient", flat=True))


def test_submit_queues_one_receipt_per_active_carrier_member(draft, carrier, team):
    services.submit_dossier(draft, by=carrier)

    assert _recipients(DOSSIER_RECEIPT) == team
    assert OutgoingEmail.objects.count() == 2


def test_decision_is_not_sent_to_a_creator_who_left_or_was_deactivated(submitted, manager, carrier, team):
    carrier.memberships.all().delete()
    colleague = UserFactory(email="nouvelle.tremplin@exemple.fr", roles=[(Role.CARRIER, submitted.organisation)])
    deactivated = UserFactory(email="partie.tremplin@exemple.fr", roles=[(Role.CARRIER, submitted.organisation)])
    deactivated.is_active = False
    deactivated.save()

    services.decide_eligibility(submitted, eligible=True, by=manager)

    recipients = _recipients(DOSSIER_ELIGIBILITY)
    assert carrier.email not in recipients
    assert deactivated.email not in recipients
    assert recipients == sorted([*(set(team) - {carrier.email}), colleague.email])


def test_submit_view_posted_twice_queues_receipt_once_per_member(carrier_client, draft, team):
    url = reverse("projects:dossier_submit", args=[draft.pk])

    carrier_client.post(url)
    carrier_client.post(url)

    assert _recipients(DOSSIER_RECEIPT) == team


def test_corrections_queue_one_email_per_member_with_reason_and_sections(submitted, manager, team):
    services.request_corrections(
        submitted, sections=[DossierSection.RESULTS, DossierSection.PROCESS], reason="Détaillez 2024.", by=manager
    )

    emails = _emails(DOSSIER_CORRECTIONS)
    assert sorted(e.recipient for e in emails) == team
    for email in emails:
        assert "Détaillez 2024." in email.body
        assert str(dict(DossierSection.choices)[DossierSection.RESULTS]) in email.body
        assert reverse("projects:dossier_detail", args=[submitted.pk]) in email.body


def test_same_eligibility_decision_recorded_twice_at_once_queues_it_once(submitted, manager, team):
    with time_machine.travel(datetime(2025, 6, 2, 10, 0, tzinfo=PARIS), tick=False):
        services.decide_eligibility(submitted, eligible=True, by=manager)
        services.decide_eligibility(submitted, eligible=True, by=manager)

    assert _recipients(DOSSIER_ELIGIBILITY) == team


def test_receipt_is_sent_after_commit_exactly_once_per_member(
    carrier_client, draft, team, settings, django_capture_on_commit_callbacks
):
    previous = app.conf.task_always_eager  # read first: Celery loads its settings lazily
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            carrier_client.post(reverse("projects:dossier_submit", args=[draft.pk]))
            carrier_client.post(reverse("projects:dossier_submit", args=[draft.pk]))
    finally:
        app.conf.task_always_eager = previous

    assert len(callbacks) == 2
    assert sorted(message.to[0] for message in mail.outbox) == team
    assert all(draft.innovation_name in message.body for message in mail.outbox)
    assert set(_emails(DOSSIER_RECEIPT).values_list("status", flat=True)) == {"sent"}


# Reminder sweep ----------------------------------------------------------------------


@pytest.fixture
def reminder_call(dated_call):
    dated_call.reminder_days = 7
    dated_call.save()
    return dated_call


def _drafts_for_reminders(call):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        first = DossierFactory(call=call)
        second = DossierFactory(call=call)
        UserFactory(roles=[(Role.CARRIER, second.organisation)])  # a colleague of the second carrier
        done = DossierFactory(submitted=True, call=call)
    return first, second, done


def test_reminder_window_opens_168_hours_before_closing():
    window_opens = REMINDER_WINDOW_OPENS

    assert window_opens == datetime(2025, 3, 24, 11, 0, tzinfo=PARIS)


def test_remind_unsubmitted_drafts_before_the_window_sends_nothing(reminder_call):
    _drafts_for_reminders(reminder_call)

    with time_machine.travel(REMINDER_WINDOW_OPENS - SECOND, tick=False):
        count = services.remind_unsubmitted_drafts()

    assert count == 0
    assert not _emails(DOSSIER_REMINDER).exists()


def test_remind_unsubmitted_drafts_inside_the_window_writes_once_to_each_draft_carrier(reminder_call):
    first, second, done = _drafts_for_reminders(reminder_call)
    expected = sorted([first.created_by.email, *second.organisation.memberships.values_list("user__email", flat=True)])

    with time_machine.travel(REMINDER_WINDOW_OPENS, tick=False):
        count = services.remind_unsubmitted_drafts()

    assert count == 3
    assert _recipients(DOSSIER_REMINDER) == expected
    assert not _emails(DOSSIER_REMINDER).filter(recipient=done.created_by.email).exists()
    assert {e.object_id for e in _emails(DOSSIER_REMINDER)} == {str(first.pk), str(second.pk)}


def test_remind_unsubmitted_drafts_run_twice_sends_nothing_more(reminder_call):
    _drafts_for_reminders(reminder_call)

    with time_machine.travel(CLOSES - timedelta(days=3), tick=False):
        first_run = services.remind_unsubmitted_drafts()
    with time_machine.travel(CLOSES - timedelta(days=1), tick=False):
        second_run = services.remind_unsubmitted_drafts()

    assert (first_run, second_run) == (3, 0)
    assert _emails(DOSSIER_REMINDER).count() == 3


def test_remind_unsubmitted_drafts_after_closing_sends_nothing(reminder_call):
    _drafts_for_reminders(reminder_call)

    with time_machine.travel(CLOSES + SECOND, tick=False):
        count = services.remind_unsubmitted_drafts()

    assert count == 0
    assert not _emails(DOSSIER_REMINDER).exists()


def test_remind_unsubmitted_drafts_with_reminders_off_sends_nothing(reminder_call):
    reminder_call.reminder_days = 0
    reminder_call.save()
    _drafts_for_reminders(reminder_call)

    with time_machine.travel(CLOSES - timedelta(days=1), tick=False):
        count = services.remind_unsubmitted_drafts()

    assert count == 0


def test_remind_unsubmitted_drafts_after_closing_date_moved_reminds_again(reminder_call):
    _drafts_for_reminders(reminder_call)
    with time_machine.travel(CLOSES - timedelta(days=2), tick=False):
        services.remind_unsubmitted_drafts()
    reminder_call.closes_at = CLOSES + timedelta(days=14)
    reminder_call.save()

    with time_machine.travel(CLOSES + timedelta(days=10), tick=False):
        count = services.remind_unsubmitted_drafts()

    assert count == 3
    assert _emails(DOSSIER_REMINDER).count() == 6
