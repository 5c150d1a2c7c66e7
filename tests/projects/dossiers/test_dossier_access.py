"""Who may open a dossier: a carrier their organisation's only (someone else's is a
404, never a leak); committee and structure users no dossier and no manager page;
internal notes only ever on the managers' review page."""

import csv
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ais.accounts.models import Role
from projects.models import Dossier, DossierAttachment, DossierSection, DossierStatus
from tests.ais.factories import UserFactory
from tests.conftest import make_user
from tests.projects.factories import DossierAttachmentFactory, DossierFactory, InternalNoteFactory

NOTE = "Porteur fragile financièrement : vérifier les comptes 2024"


@pytest.fixture
def theirs(db):
    """Another organisation's complete draft, with an attachment."""
    dossier = DossierFactory(complete=True, innovation_name="Innovation d'autrui")
    DossierAttachmentFactory(dossier=dossier, original_name="comptes-confidentiels.pdf")
    return dossier


def _dossier_urls(dossier):
    attachment = dossier.attachments.get()
    return {
        "detail": reverse("projects:dossier_detail", args=[dossier.pk]),
        "edit": reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.INNOVATION]),
        "edit organisation": reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.ORGANISATION]),
        "attachments": reverse("projects:dossier_attachments", args=[dossier.pk]),
        "download": reverse("projects:attachment_download", args=[dossier.pk, attachment.pk]),
        "pdf": reverse("projects:dossier_pdf", args=[dossier.pk]),
    }


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# Another carrier ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["detail", "edit", "edit organisation", "attachments", "download", "pdf"])
def test_dossier_page_of_another_organisation_is_404_for_a_carrier(carrier_client, draft, theirs, page):
    response = carrier_client.get(_dossier_urls(theirs)[page])

    assert response.status_code == 404
    text = html.unescape(response.content.decode(errors="replace"))
    assert "Innovation d'autrui" not in text
    assert "comptes-confidentiels.pdf" not in text


def test_submit_of_another_organisation_dossier_is_404_and_changes_nothing(carrier_client, theirs):
    response = carrier_client.post(reverse("projects:dossier_submit", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.submitted_at) == (DossierStatus.DRAFT, None)


def test_edit_post_on_another_organisation_dossier_is_404_and_changes_nothing(carrier_client, theirs):
    response = carrier_client.post(
        reverse("projects:dossier_edit", args=[theirs.pk, DossierSection.INNOVATION]),
        {"version": theirs.version, "innovation_name": "Volée", "summary": "Écrasé"},
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.innovation_name, theirs.version) == ("Innovation d'autrui", 1)


def test_attachment_upload_and_delete_on_another_organisation_dossier_are_404(carrier_client, theirs, pdf_upload):
    attachment = theirs.attachments.get()

    upload = carrier_client.post(reverse("projects:dossier_attachments", args=[theirs.pk]), {"file": pdf_upload()})
    delete = carrier_client.post(reverse("projects:attachment_delete", args=[theirs.pk, attachment.pk]))

    assert (upload.status_code, delete.status_code) == (404, 404)
    assert list(DossierAttachment.objects.filter(dossier=theirs)) == [attachment]


def test_attachment_of_another_dossier_through_own_dossier_url_is_404(carrier_client, draft, theirs):
    other_attachment = theirs.attachments.get()

    response = carrier_client.get(reverse("projects:attachment_download", args=[draft.pk, other_attachment.pk]))

    assert response.status_code == 404


def test_own_dossier_pages_open_for_the_carrier(carrier_client, draft):
    DossierAttachmentFactory(dossier=draft, original_name="bilan-2024.pdf")

    responses = {name: carrier_client.get(url) for name, url in _dossier_urls(draft).items()}

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    assert draft.innovation_name in html.unescape(responses["detail"].content.decode())
    assert "bilan-2024.pdf" in html.unescape(responses["attachments"].content.decode())
    assert responses["pdf"]["Content-Type"] == "application/pdf"
    responses["download"].close()


def test_my_dossiers_lists_only_own_organisation_dossiers(carrier_client, draft, theirs):
    response = carrier_client.get(reverse("projects:my_dossiers"))

    assert [d.pk for d in response.context["dossiers"]] == [draft.pk]
    text = html.unescape(response.content.decode())
    assert draft.innovation_name in text
    assert "Innovation d'autrui" not in text


def test_carrier_member_of_two_organisations_sees_both_dossiers(db, theirs, draft):
    both = UserFactory(roles=[(Role.CARRIER, theirs.organisation), (Role.CARRIER, draft.organisation)])

    assert set(Dossier.objects.for_user(both)) == {theirs, draft}


def test_structure_member_of_a_carrier_organisation_sees_no_dossier(db, theirs):
    contact = UserFactory(roles=[(Role.STRUCTURE, theirs.organisation)])

    assert not Dossier.objects.for_user(contact).exists()


# Committee and structure users -------------------------------------------------------


@pytest.fixture(params=[Role.COMMITTEE, Role.STRUCTURE])
def outsider_client(request, client, db):
    client.force_login(make_user(request.param))
    return client


@pytest.mark.parametrize("page", ["detail", "edit", "attachments", "download", "pdf"])
def test_dossier_pages_are_404_for_committee_and_structure_users(outsider_client, theirs, page):
    response = outsider_client.get(_dossier_urls(theirs)[page])

    assert response.status_code == 404
    assert "Innovation d'autrui" not in html.unescape(response.content.decode(errors="replace"))


def test_dossier_submit_is_404_for_committee_and_structure_users(outsider_client, theirs):
    response = outsider_client.post(reverse("projects:dossier_submit", args=[theirs.pk]))

    assert response.status_code == 404
    assert Dossier.objects.get(pk=theirs.pk).status == DossierStatus.DRAFT


def _manager_urls(dossier):
    call = dossier.call
    return {
        "calls": ("get", reverse("projects:call_manage_list")),
        "call create": ("get", reverse("projects:call_create")),
        "call edit": ("get", reverse("projects:call_edit", args=[call.pk])),
        "call publish": ("post", reverse("projects:call_publish", args=[call.pk])),
        "screening": ("get", reverse("projects:screening", args=[call.pk])),
        "csv": ("get", reverse("projects:screening_export", args=[call.pk, "csv"])),
        "xlsx": ("get", reverse("projects:screening_export", args=[call.pk, "xlsx"])),
        "review": ("get", reverse("projects:dossier_review", args=[dossier.pk])),
        "note": ("post", reverse("projects:dossier_note", args=[dossier.pk])),
        "eligibility": ("post", reverse("projects:dossier_eligibility", args=[dossier.pk])),
        "corrections": ("post", reverse("projects:dossier_corrections", args=[dossier.pk])),
    }


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.STRUCTURE, Role.CARRIER])
def test_manager_pages_are_403_for_other_roles(client, db, role):
    dossier = DossierFactory(submitted=True, innovation_name="Dossier à examiner")
    client.force_login(make_user(role))
    data = {"text": "Note", "decision": "ineligible", "reason": "Non", "sections": ["results"]}

    responses = {
        name: getattr(client, method)(url, data if method == "post" else None)
        for name, (method, url) in _manager_urls(dossier).items()
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    assert all("Dossier à examiner" not in r.content.decode() for r in responses.values())
    dossier.refresh_from_db()
    assert (dossier.status, dossier.internal_notes.count()) == (DossierStatus.SUBMITTED, 0)


def test_my_dossiers_is_403_for_committee_and_structure_users(outsider_client):
    response = outsider_client.get(reverse("projects:my_dossiers"))

    assert response.status_code == 403


def test_dossier_pages_send_anonymous_visitors_to_login(client, theirs):
    url = _dossier_urls(theirs)["detail"]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


# Internal notes ----------------------------------------------------------------------


@pytest.fixture
def noted(draft, carrier):
    from projects import services

    services.submit_dossier(draft, by=carrier)
    InternalNoteFactory(dossier=draft, text=NOTE)
    return draft


def test_internal_note_not_on_the_carrier_detail_page(carrier_client, noted):
    response = carrier_client.get(reverse("projects:dossier_detail", args=[noted.pk]))

    text = html.unescape(response.content.decode())
    assert noted.innovation_name in text
    assert NOTE not in text
    assert "vérifier les comptes" not in text


def test_internal_note_not_on_the_carrier_edit_pages(carrier_client, noted):
    pages = [
        carrier_client.get(reverse("projects:dossier_edit", args=[noted.pk, section]))
        for section in (DossierSection.ORGANISATION, DossierSection.INNOVATION, DossierSection.RESULTS)
    ]
    pages.append(carrier_client.get(reverse("projects:dossier_attachments", args=[noted.pk])))

    assert [p.status_code for p in pages] == [200] * 4
    assert all(NOTE not in html.unescape(p.content.decode()) for p in pages)


def test_internal_note_not_in_the_carrier_pdf(carrier_client, noted):
    response = carrier_client.get(reverse("projects:dossier_pdf", args=[noted.pk]))

    text = _pdf_text(response.content)
    assert noted.innovation_name in text
    assert "vérifier les comptes" not in text
    assert "fragile" not in text


def test_internal_note_not_in_the_manager_pdf_either(manager_client, noted):
    response = manager_client.get(reverse("projects:dossier_pdf", args=[noted.pk]))

    text = _pdf_text(response.content)
    assert noted.innovation_name in text
    assert "fragile" not in text


def test_internal_note_not_in_the_csv_export(manager_client, noted):
    response = manager_client.get(reverse("projects:screening_export", args=[noted.call.pk, "csv"]))

    content = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert [row[2] for row in rows[1:]] == [noted.innovation_name]
    assert "fragile" not in content


def test_internal_note_not_in_the_xlsx_export(manager_client, noted):
    response = manager_client.get(reverse("projects:screening_export", args=[noted.call.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert noted.innovation_name in cells
    assert not any("fragile" in cell for cell in cells)


def test_internal_note_on_the_manager_review_page(manager_client, noted):
    response = manager_client.get(reverse("projects:dossier_review", args=[noted.pk]))

    text = html.unescape(response.content.decode())
    assert NOTE in text
    assert noted.innovation_name in text


def test_note_added_by_manager_shows_on_review_page_only(manager, client, noted, carrier):
    client.force_login(manager)
    added = client.post(reverse("projects:dossier_note", args=[noted.pk]), {"text": "À rappeler lundi"}, follow=True)
    client.force_login(carrier)
    carrier_page = client.get(reverse("projects:dossier_detail", args=[noted.pk]))

    assert "À rappeler lundi" in html.unescape(added.content.decode())
    assert noted.internal_notes.filter(text="À rappeler lundi", author=manager).exists()
    assert "À rappeler lundi" not in html.unescape(carrier_page.content.decode())
