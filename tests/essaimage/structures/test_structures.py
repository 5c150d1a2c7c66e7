"""The structures list and record: who sees what, and the managers' changes."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ais.accounts.models import Membership, Organisation, Role, User
from ais.outbox import reasons
from ais.outbox.models import OutgoingEmail
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Stage
from tests.ais.factories import (
    CommuneFactory,
    DepartmentFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
    tiny_pdf_bytes,
)
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory, StructureApplicationFactory
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


def _detail(structure, name="essaimage:structure_detail"):
    return reverse(name, kwargs={"pk": structure.pk})


def _contact_of(structure):
    return UserFactory(roles=[(Role.STRUCTURE, structure.organisation)])


# Who sees what ----------------------------------------------------------------------


def test_structure_contact_sees_only_its_own_structures(client):
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    own = SpreadStructureFactory(innovation=innovation, organisation=OrganisationFactory(name="Régie Nord"))
    other = SpreadStructureFactory(innovation=innovation, organisation=OrganisationFactory(name="ACI Sud"))
    client.force_login(_contact_of(own))

    listing = client.get(reverse("essaimage:structure_list")).content.decode()
    detail = client.get(_detail(own))

    assert "Régie Nord" in listing and "ACI Sud" not in listing
    assert detail.status_code == 200 and "Régie Nord" in detail.content.decode()
    assert client.get(_detail(other)).status_code == 404


def test_structure_contact_reads_but_cannot_act(client):
    structure = SpreadStructureFactory(signed=True)
    client.force_login(_contact_of(structure))

    detail = client.get(_detail(structure)).content.decode()

    assert _detail(structure, "essaimage:structure_edit") not in detail
    assert _detail(structure, "essaimage:contact_add") not in detail
    assert _detail(structure, "essaimage:agreement_download") in detail  # its own agreement
    assert client.get(_detail(structure, "essaimage:structure_edit")).status_code == 403
    assert (
        client.post(_detail(structure, "essaimage:structure_start_date"), {"start_date": "2026-01-05"}).status_code
        == 403
    )
    assert (
        client.post(
            _detail(structure, "essaimage:structure_withdraw"), {"withdrawn_on": "2026-01-05", "reason": "Non"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            _detail(structure, "essaimage:contact_add"), {"email": "x@y.fr", "first_name": "X", "last_name": "Y"}
        ).status_code
        == 403
    )
    structure.refresh_from_db()
    assert structure.start_date is None and structure.status == StructureStatus.SPREADING


def test_carrier_sees_the_structures_of_its_innovations_only(client):
    carrier = make_user(Role.CARRIER)
    own_innovation = InnovationFactory(carrier=carrier.organisations_for(Role.CARRIER).get())
    mine = SpreadStructureFactory(
        innovation=own_innovation, organisation=OrganisationFactory(name="Structure du porteur")
    )
    other = SpreadStructureFactory(organisation=OrganisationFactory(name="Structure d'un autre"))
    client.force_login(carrier)

    listing = client.get(reverse("essaimage:structure_list")).content.decode()

    assert "Structure du porteur" in listing and "Structure d'un autre" not in listing
    assert client.get(_detail(mine)).status_code == 200
    assert client.get(_detail(other)).status_code == 404


def test_committee_member_may_not_open_structures(client):
    structure = SpreadStructureFactory()
    client.force_login(make_user(Role.COMMITTEE))

    assert client.get(reverse("essaimage:structure_list")).status_code == 403
    assert client.get(_detail(structure)).status_code == 403


# The list ----------------------------------------------------------------------------


@pytest.fixture
def spread(db):
    gardien = InnovationFactory(name="Parcours Gardien")
    tapaj = InnovationFactory(name="TAPAJ")
    lille = CommuneFactory(
        code="59350", name="Lille", department=DepartmentFactory(code="59", name="Nord"), postal_codes="59000"
    )
    SpreadStructureFactory(
        innovation=gardien,
        organisation=OrganisationFactory(
            name="Régie de quartier Rouen", kind="regie", network=NetworkFactory(name="CNLRQ")
        ),
        wave=1,
        is_qpv=True,
    )
    SpreadStructureFactory(
        innovation=gardien,
        organisation=OrganisationFactory(name="ACI Lillois", kind="aci", commune=lille),
        wave=2,
        is_rural=True,
        status=StructureStatus.TRAINING,
    )
    SpreadStructureFactory(
        innovation=tapaj,
        organisation=OrganisationFactory(name="CAARUD Lille", kind="caarud", commune=lille),
        withdrawn=True,
    )


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"Régie de quartier Rouen", "ACI Lillois", "CAARUD Lille"}),
        ({"status": "training"}, {"ACI Lillois"}),
        ({"wave": "2"}, {"ACI Lillois"}),
        ({"department": "59"}, {"ACI Lillois", "CAARUD Lille"}),
        ({"kind": "regie"}, {"Régie de quartier Rouen"}),
        ({"is_qpv": "true"}, {"Régie de quartier Rouen"}),
        ({"is_rural": "true"}, {"ACI Lillois"}),
        ({"is_rural": "false"}, {"Régie de quartier Rouen", "CAARUD Lille"}),
        ({"q": "lille"}, {"ACI Lillois", "CAARUD Lille"}),  # name or commune, accents and case ignored
        ({"q": "cnlrq"}, {"Régie de quartier Rouen"}),  # network
        ({"q": "tapaj"}, {"CAARUD Lille"}),  # innovation
    ],
)
def test_structure_list_filters(manager_client, spread, query, shown):
    content = manager_client.get(reverse("essaimage:structure_list"), query).content.decode()

    names = {"Régie de quartier Rouen", "ACI Lillois", "CAARUD Lille"}
    assert {name for name in names if name in content} == shown


def test_structure_list_filters_by_innovation(manager_client, spread):
    tapaj = SpreadStructure.objects.get(organisation__name="CAARUD Lille").innovation

    content = manager_client.get(reverse("essaimage:structure_list"), {"innovation": tapaj.pk}).content.decode()

    assert "CAARUD Lille" in content and "ACI Lillois" not in content
    assert reverse("essaimage:structure_create", kwargs={"pk": tapaj.pk}) in content


def test_structure_list_shows_agreement_and_region(manager_client):
    SpreadStructureFactory(signed=True, organisation=OrganisationFactory(name="Régie signée"))

    content = manager_client.get(reverse("essaimage:structure_list")).content.decode()

    assert "15/01/2025" in content  # agreement signed on
    assert "Normandie" in content and "Seine-Maritime" in content


def test_structure_list_pagination_keeps_filters(manager_client):
    innovation = InnovationFactory(name="Rallye pour l'emploi")
    for number in range(30):
        SpreadStructureFactory(innovation=innovation, organisation=OrganisationFactory(name=f"Structure {number:02d}"))

    content = manager_client.get(reverse("essaimage:structure_list"), {"status": "spreading"}).content.decode()

    assert "Structure 24" in content and "Structure 25" not in content
    assert "?status=spreading&amp;page=2" in content


# The record --------------------------------------------------------------------------


def test_structure_detail_shows_the_record(manager_client):
    structure = SpreadStructureFactory(
        signed=True,
        organisation=OrganisationFactory(name="Régie de quartier Rouen", network=NetworkFactory(name="CNLRQ")),
        wave=2,
        capacity=25,
        is_qpv=True,
        selected_on=datetime.date(2024, 11, 4),
    )
    contact = UserFactory(
        first_name="Inès",
        last_name="Morel",
        job_title="Cheffe de service",
        roles=[(Role.STRUCTURE, structure.organisation)],
    )
    application = StructureApplicationFactory(structure=structure, motivation="Nous voulons essaimer à Rouen.")

    content = manager_client.get(_detail(structure)).content.decode()

    for text in (
        "Régie de quartier Rouen",
        "CNLRQ",
        "Rouen",
        "Seine-Maritime",
        "Normandie",
        "4 novembre 2024",
        "15 janvier 2025",
        contact.email,
        "Cheffe de service",
        "Nous voulons essaimer à Rouen.",
        application.call.title,
    ):
        assert text in content, text
    assert _detail(structure, "essaimage:agreement_download") in content


def test_structure_detail_shows_withdrawal(manager_client):
    structure = SpreadStructureFactory(withdrawn=True)

    content = manager_client.get(_detail(structure)).content.decode()

    assert "30 juin 2025" in content and "Départ de la personne référente" in content


def test_structure_create_with_a_new_organisation(manager_client):
    innovation = InnovationFactory(name="Soleni")
    commune = CommuneFactory()
    network = NetworkFactory(name="COORACE")

    response = manager_client.post(
        reverse("essaimage:structure_create", kwargs={"pk": innovation.pk}),
        {
            "organisation": "",
            "name": "AI Val de Seine",
            "kind": "ai",
            "network": network.pk,
            "siret": "383 474 814 00100",
            "commune": commune.pk,
            "wave": "2",
            "status": "selected",
            "is_qpv": "on",
            "capacity": "12",
        },
    )

    structure = SpreadStructure.objects.get(innovation=innovation)
    assert response.status_code == 302 and response.url == _detail(structure)
    assert (structure.organisation.name, structure.organisation.siret, structure.organisation.network) == (
        "AI Val de Seine",
        "38347481400100",
        network,
    )
    assert (structure.wave, structure.status, structure.is_qpv, structure.capacity) == (2, "selected", True, 12)
    assert structure.history.first().history_user == manager_client.user


def test_structure_create_with_an_existing_organisation_refuses_a_duplicate(manager_client, english):
    existing = SpreadStructureFactory()
    url = reverse("essaimage:structure_create", kwargs={"pk": existing.innovation.pk})

    response = manager_client.post(url, {"organisation": existing.organisation.pk, "wave": "1", "status": "selected"})

    assert response.status_code == 400
    assert "already spreads this innovation" in response.content.decode()
    assert SpreadStructure.objects.count() == 1


def test_structure_create_needs_an_organisation(manager_client):
    innovation = InnovationFactory()

    response = manager_client.post(
        reverse("essaimage:structure_create", kwargs={"pk": innovation.pk}),
        {"organisation": "", "name": "", "wave": "1", "status": "selected"},
    )

    assert response.status_code == 400
    assert not SpreadStructure.objects.exists()
    assert Organisation.objects.count() == 1  # the innovation's carrier


def test_structure_edit_changes_status_and_flags(manager_client):
    structure = SpreadStructureFactory(candidate=True)

    response = manager_client.post(
        _detail(structure, "essaimage:structure_edit"),
        {"wave": "3", "status": "training", "is_rural": "on", "capacity": "40"},
    )

    assert response.status_code == 302
    structure.refresh_from_db()
    assert (structure.wave, structure.status, structure.is_rural, structure.capacity) == (3, "training", True, 40)
    assert structure.selected_on is not None


def test_structure_edit_records_a_past_selection_date_in_the_audit_trail(manager_client):
    structure = SpreadStructureFactory(start_date=datetime.date(2017, 3, 1))

    response = manager_client.post(
        _detail(structure, "essaimage:structure_edit"),
        {"wave": "1", "status": "spreading", "selected_on": "2016-11-15"},
    )

    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.selected_on == datetime.date(2016, 11, 15)
    last = structure.history.first()
    assert last.selected_on == datetime.date(2016, 11, 15)
    assert last.history_user.email == manager_client.user.email


@pytest.mark.parametrize(
    ("selected_on", "message"),
    [
        ("2999-01-01", "La date de sélection ne peut pas être dans le futur."),
        ("2017-03-02", "La date de sélection ne peut pas être postérieure au début de l\u2019essaimage (01/03/2017)."),
    ],
)
def test_structure_edit_refuses_an_impossible_selection_date_and_keeps_the_form(manager_client, selected_on, message):
    structure = SpreadStructureFactory(start_date=datetime.date(2017, 3, 1), wave=1)
    before = structure.selected_on

    response = manager_client.post(
        _detail(structure, "essaimage:structure_edit"),
        {"wave": "4", "status": "spreading", "selected_on": selected_on},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in html.unescape(page)
    (field,) = re.findall(r"<input[^>]*id=\"id_selected_on\"[^>]*>", page)
    assert "is-invalid" in field
    assert f'value="{selected_on}"' in page and 'value="4"' in page
    structure.refresh_from_db()
    assert (structure.selected_on, structure.wave) == (before, 1)


def test_structure_edit_cannot_withdraw(manager_client):
    structure = SpreadStructureFactory()

    response = manager_client.post(_detail(structure, "essaimage:structure_edit"), {"wave": "1", "status": "withdrawn"})

    assert response.status_code == 400
    structure.refresh_from_db()
    assert structure.status == StructureStatus.SPREADING


def test_structure_edit_of_a_withdrawn_structure_keeps_its_status(manager_client):
    structure = SpreadStructureFactory(withdrawn=True)

    response = manager_client.post(_detail(structure, "essaimage:structure_edit"), {"wave": "2", "status": "spreading"})

    assert response.status_code == 302
    structure.refresh_from_db()
    assert (structure.status, structure.wave) == (StructureStatus.WITHDRAWN, 2)


# Agreement and contacts -------------------------------------------------------------


def test_agreement_upload_and_download(manager_client):
    structure = SpreadStructureFactory()
    upload = SimpleUploadedFile("convention-signée.pdf", tiny_pdf_bytes(), content_type="application/pdf")

    response = manager_client.post(
        _detail(structure, "essaimage:agreement_upload"), {"file": upload, "signed_on": "2025-09-15"}
    )

    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.agreement_signed and structure.agreement_signed_on == datetime.date(2025, 9, 15)
    assert structure.agreement_name == "convention-signée.pdf"
    download = manager_client.get(_detail(structure, "essaimage:agreement_download"))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_agreement_upload_refuses_what_is_not_a_pdf(manager_client):
    structure = SpreadStructureFactory()
    upload = SimpleUploadedFile(
        "convention.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = manager_client.post(
        _detail(structure, "essaimage:agreement_upload"), {"file": upload, "signed_on": "2025-09-15"}
    )

    assert response.status_code == 400
    assert 'value="2025-09-15"' in response.content.decode()
    structure.refresh_from_db()
    assert not structure.agreement


def test_agreement_download_for_the_carrier_and_not_for_others(client):
    structure = SpreadStructureFactory(signed=True)
    carrier = UserFactory(roles=[(Role.CARRIER, structure.innovation.carrier)])
    other_contact = make_user(Role.STRUCTURE)
    url = _detail(structure, "essaimage:agreement_download")

    client.force_login(carrier)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(other_contact)
    assert client.get(url).status_code == 404


def test_agreement_download_without_agreement_is_not_found(manager_client):
    structure = SpreadStructureFactory()

    assert manager_client.get(_detail(structure, "essaimage:agreement_download")).status_code == 404


def test_contact_add_creates_account_and_invites(manager_client, django_capture_on_commit_callbacks):
    structure = SpreadStructureFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            _detail(structure, "essaimage:contact_add"),
            {
                "email": "Chloe.Petit@regie.fr",
                "first_name": "Chloé",
                "last_name": "Petit",
                "job_title": "Coordinatrice",
            },
        )

    assert response.status_code == 302
    user = User.objects.get(email="chloe.petit@regie.fr")
    assert user.job_title == "Coordinatrice"
    assert Membership.objects.filter(user=user, role=Role.STRUCTURE, organisation=structure.organisation).exists()
    assert OutgoingEmail.objects.get(reason=reasons.ACCOUNT_INVITATION).recipient == "chloe.petit@regie.fr"
    assert "chloe.petit@regie.fr" in manager_client.get(_detail(structure)).content.decode()


def test_contact_add_twice_sends_nothing_more(manager_client):
    structure = SpreadStructureFactory()
    data = {"email": "chloe.petit@regie.fr", "first_name": "Chloé", "last_name": "Petit"}
    manager_client.post(_detail(structure, "essaimage:contact_add"), data)

    manager_client.post(_detail(structure, "essaimage:contact_add"), data)

    assert OutgoingEmail.objects.filter(reason=reasons.ACCOUNT_INVITATION).count() == 1
    assert User.objects.filter(email="chloe.petit@regie.fr").count() == 1


def test_contact_add_with_a_bad_address_keeps_what_was_typed(manager_client):
    structure = SpreadStructureFactory()

    response = manager_client.post(
        _detail(structure, "essaimage:contact_add"),
        {"email": "chloe.petit", "first_name": "Chloé", "last_name": "Petit"},
    )

    assert response.status_code == 400
    assert 'value="Chloé"' in response.content.decode()
    assert not Membership.objects.filter(role=Role.STRUCTURE).exists()


def test_structure_edit_page_of_a_withdrawn_structure_has_no_status(manager_client):
    structure = SpreadStructureFactory(withdrawn=True)

    content = manager_client.get(_detail(structure, "essaimage:structure_edit")).content.decode()

    assert 'name="wave"' in content
    assert 'name="status"' not in content


def test_agreement_page_names_the_file_it_replaces(manager_client):
    structure = SpreadStructureFactory(signed=True)

    content = manager_client.get(_detail(structure, "essaimage:agreement_upload")).content.decode()

    assert "convention-partenariat.pdf" in content
    assert 'value="2025-01-15"' in content
