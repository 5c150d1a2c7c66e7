"""Applying online to a call for structures: open calls only, one application per
organisation and contact, within the call's departments; a receipt by e-mail."""

import pytest
from django.urls import reverse

from ais.outbox.models import OutgoingEmail
from essaimage.emails import STRUCTURE_APPLICATION
from essaimage.models import ApplicationStatus, StructureApplication
from tests.ais.factories import NetworkFactory
from tests.essaimage.factories import StructureApplicationFactory, StructureCallFactory
from tests.essaimage.structures.conftest import application_data
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(db):
    return StructureCallFactory(innovation=InnovationFactory(name="Parcours Gardien"), title="Devenez gardien")


def _url(call, name="essaimage:call_public"):
    return reverse(name, kwargs={"pk": call.pk})


def test_open_call_page_shows_the_form_to_anonymous_visitors(client, call):
    response = client.get(_url(call))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Devenez gardien" in content and "Parcours Gardien" in content
    for field in (
        "organisation_name",
        "organisation_kind",
        "network",
        "siret",
        "commune",
        "is_qpv",
        "is_rural",
        "capacity",
        "motivation",
        "contact_email",
        "consent",
    ):
        assert f'name="{field}"' in content
    assert "commune-picker.js" in content


def test_apply_to_open_call_records_application_and_emails_receipt(client, call, lyon):
    network = NetworkFactory(name="CNLRQ")

    response = client.post(_url(call), application_data(lyon, network=network.pk, siret="732 829 320 00074"))

    assert response.status_code == 302
    assert response.url == _url(call, "essaimage:call_applied")
    application = StructureApplication.objects.get(call=call)
    assert application.status == ApplicationStatus.RECEIVED
    assert application.organisation_name == "Régie de quartier Lyon Est"
    assert application.contact_email == "nadia.haddad@regie-lyon-est.fr"
    assert (application.commune, application.network, application.siret) == (lyon, network, "73282932000074")
    assert application.is_qpv and not application.is_rural
    email = OutgoingEmail.objects.get(reason=STRUCTURE_APPLICATION)
    assert email.recipient == "nadia.haddad@regie-lyon-est.fr"
    assert "Parcours Gardien" in email.subject
    assert "Régie de quartier Lyon Est" in email.body
    thanks = client.get(response.url).content.decode()
    assert "nadia.haddad@regie-lyon-est.fr" in thanks


def test_apply_to_closed_call_is_refused(client, english, lyon):
    call = StructureCallFactory(closed=True)

    page = client.get(_url(call)).content.decode()
    response = client.post(_url(call), application_data(lyon))

    assert 'name="organisation_name"' not in page
    assert response.status_code == 400
    assert "This call is closed: applications are no longer accepted." in response.content.decode()
    assert not StructureApplication.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_apply_to_upcoming_call_is_refused(client, lyon):
    import datetime

    today = datetime.date.today()
    call = StructureCallFactory(opens_on=today + datetime.timedelta(days=5), closes_on=today + datetime.timedelta(40))

    response = client.post(_url(call), application_data(lyon))

    assert response.status_code == 400
    assert not StructureApplication.objects.exists()


def test_unpublished_call_is_not_found(client, lyon):
    call = StructureCallFactory(draft=True)

    assert client.get(_url(call)).status_code == 404
    assert client.post(_url(call), application_data(lyon)).status_code == 404
    assert client.get(_url(call, "essaimage:call_applied")).status_code == 404
    assert not StructureApplication.objects.exists()


def test_duplicate_application_is_refused_and_keeps_what_was_typed(client, english, call, lyon):
    StructureApplicationFactory(
        call=call, organisation_name="Régie de quartier Lyon Est", contact_email="nadia.haddad@regie-lyon-est.fr"
    )

    response = client.post(
        _url(call), application_data(lyon, organisation_name="RÉGIE DE QUARTIER LYON EST", motivation="Deuxième envoi")
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "already received for this call" in content
    assert 'value="RÉGIE DE QUARTIER LYON EST"' in content
    assert "Deuxième envoi" in content
    assert StructureApplication.objects.filter(call=call).count() == 1
    assert not OutgoingEmail.objects.exists()


def test_commune_outside_target_departments_is_refused(client, english, lyon, rouen):
    call = StructureCallFactory()
    call.target_departments.set([rouen.department])

    response = client.post(_url(call), application_data(lyon))

    content = response.content.decode()
    assert response.status_code == 400
    assert "This call is limited to these departments: Seine-Maritime (76). Lyon is in Rhône (69)" in content
    assert 'value="Régie de quartier Lyon Est"' in content
    assert not StructureApplication.objects.exists()


def test_commune_inside_target_departments_is_accepted(client, lyon):
    call = StructureCallFactory()
    call.target_departments.set([lyon.department])

    response = client.post(_url(call), application_data(lyon))

    assert response.status_code == 302
    assert StructureApplication.objects.filter(call=call, commune=lyon).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("siret", "12345678901234"), ("consent", ""), ("capacity", "0"), ("contact_email", "pas-une-adresse")],
    ids=["bad-siret", "no-consent", "no-capacity", "bad-email"],
)
def test_invalid_application_keeps_what_was_typed(client, call, lyon, field, value):
    response = client.post(_url(call), application_data(lyon, **{field: value}))

    content = response.content.decode()
    assert response.status_code == 400
    assert 'value="Régie de quartier Lyon Est"' in content
    assert "Nous accompagnons 40 DELD par an" in content
    assert f'<option value="{lyon.pk}" selected>' in content  # the commune picker keeps the chosen commune
    assert not StructureApplication.objects.exists()


def test_public_list_shows_open_and_upcoming_calls_only(client):
    import datetime

    today = datetime.date.today()
    StructureCallFactory(title="Appel ouvert VITA-Air")
    StructureCallFactory(
        title="Appel à venir TAPAJ", opens_on=today + datetime.timedelta(7), closes_on=today + datetime.timedelta(60)
    )
    StructureCallFactory(title="Appel clos Soleni", closed=True)
    StructureCallFactory(title="Appel brouillon A.CO.R", draft=True)

    content = client.get(reverse("essaimage:call_list_public")).content.decode()

    assert "Appel ouvert VITA-Air" in content
    assert "Appel à venir TAPAJ" in content
    assert "Appel clos Soleni" not in content
    assert "Appel brouillon A.CO.R" not in content
