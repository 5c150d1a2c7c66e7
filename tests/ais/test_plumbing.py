"""The shared plumbing of ``ais.core``: the domain's one exception, the form views'
skeleton (``form_action``, ``perform``) and the documents (PDF, XLSX, CSV)."""

import ast
import csv
import datetime
import html
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from ais.accounts.models import Role
from ais.accounts.services import ActivationError
from ais.core import documents
from ais.core.errors import DomainError
from ais.core.forms import FORM_ERRORS, add_domain_error, perform
from essaimage.models import SpreadStructure
from essaimage.services import SpreadingError
from essaimage.support_services import SupportError
from evaluation.links import LinkError
from evaluation.services import AnswerConflict, EvaluationError, InvalidAnswer
from events.services import EventError
from projects.accompaniment import StageError
from projects.services import DossierError, EditConflict
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.security.auth.test_two_factor import emailed_code

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = {"projects", "essaimage", "evaluation", "events", "reporting", "portal", "devtools"}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The domain's exception ----------------------------------------------------------------


@pytest.mark.parametrize(
    "error_class",
    [
        DossierError,
        EditConflict,
        StageError,
        SpreadingError,
        SupportError,
        EvaluationError,
        InvalidAnswer,
        EventError,
        ActivationError,
    ],
)
def test_every_domain_error_is_a_domain_error(error_class):
    error = error_class("Refusé : la règle l'interdit.")

    assert isinstance(error, DomainError)
    assert str(error) == error.message == "Refusé : la règle l'interdit."
    assert error.field is None


def test_domain_errors_with_their_own_arguments_keep_them():
    stage = StageError("Des livrables manquent.", code="missing")
    link = LinkError("expired", "Ce lien a expiré.")
    conflict = AnswerConflict("Quelqu'un a enregistré cette réponse.", answer="la réponse")

    assert (stage.code, str(stage)) == ("missing", "Des livrables manquent.")
    assert (link.reason, link.code, link.message, link.response) == ("expired", "expired", "Ce lien a expiré.", None)
    assert (conflict.answer, isinstance(conflict, DomainError)) == ("la réponse", True)


def test_the_core_imports_no_domain_app():
    imported = set()
    for path in (ROOT / "ais" / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported |= {(path.name, alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add((path.name, node.module.split(".")[0]))

    assert not {(name, module) for name, module in imported if module in DOMAIN_APPS}


# form_action: a refusal of the domain comes back on the form ----------------------------


def test_domain_refusal_comes_back_on_the_form_with_400_and_what_was_typed(client, db):
    """A real view (a manager adds a structure): the domain refuses an organisation that
    already spreads the innovation; the page comes again with the reason, nothing lost."""
    existing = SpreadStructureFactory()
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    url = reverse("essaimage:structure_create", kwargs={"pk": existing.innovation.pk})

    response = client.post(
        url,
        {
            "organisation": existing.organisation.pk,
            "wave": "7",
            "status": "selected",
            "capacity": "42",
            "is_rural": "on",
        },
    )

    refusal = gettext("“%(name)s” already spreads this innovation.") % {"name": existing.organisation.name}
    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [refusal]
    assert _messages(response) == [refusal]  # the reason itself, not the generic banner
    assert (form["wave"].value(), form["capacity"].value(), form["is_rural"].value()) == ("7", "42", True)
    page = _text(response)
    assert 'value="42"' in page and 'value="7"' in page
    assert refusal in page
    assert SpreadStructure.objects.count() == 1


def test_invalid_form_comes_back_with_the_banner_and_400(client, db):
    existing = SpreadStructureFactory()
    client.force_login(make_user(Role.MANAGER))

    response = client.post(
        reverse("essaimage:structure_create", kwargs={"pk": existing.innovation.pk}),
        {"organisation": existing.organisation.pk, "wave": "zéro", "status": "selected"},
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("wave")
    assert _messages(response) == [str(FORM_ERRORS)]


def test_success_redirects_with_the_message(client, db):
    structure = SpreadStructureFactory(wave=1)
    client.force_login(make_user(Role.MANAGER))

    response = client.post(
        reverse("essaimage:structure_edit", kwargs={"pk": structure.pk}),
        {"wave": "3", "capacity": "", "status": structure.status},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("essaimage:structure_detail", kwargs={"pk": structure.pk}), 302)]
    assert gettext("The structure is saved.") in _messages(response)
    structure.refresh_from_db()
    assert structure.wave == 3


def test_domain_error_naming_a_field_lands_under_it_without_banner(client, db):
    """The set-up of the authenticator refuses a wrong code as a ``DomainError`` on ``code``."""
    user = make_user(Role.MANAGER)
    client.force_login(user)
    setup = reverse("accounts:two_factor_setup")
    client.get(setup)  # the code e-mailed to the account comes first
    client.post(setup, {"email_code": emailed_code(user)})
    client.get(setup)
    device = TOTPDevice.objects.get(confirmed=False)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"

    response = client.post(setup, {"code": wrong})

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        gettext("This code is not the right one: check your app's clock and type the current code.")
    ]
    assert _messages(response) == []
    device.refresh_from_db()
    assert not device.confirmed


class _NameForm(forms.Form):
    name = forms.CharField()


def test_a_domain_error_on_a_field_the_form_lacks_goes_on_the_form():
    form = _NameForm({"name": "Alpha"})
    form.is_valid()

    assert add_domain_error(form, DomainError("Refusé.", field="nowhere")) is None
    assert add_domain_error(form, DomainError("Nom déjà pris."), field="name") == "name"
    assert (form.non_field_errors(), form.errors["name"]) == (["Refusé."], ["Nom déjà pris."])


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_perform_says_the_refusal_or_the_success():
    request = _request()

    def refuse():
        raise EventError("Cette séance a des inscrits.")

    assert perform(request, refuse, success_message="jamais") is False
    assert perform(request, lambda: 3, success_message=lambda n: f"{n} courriels partent.") is True
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Cette séance a des inscrits."),
        ("success", "3 courriels partent."),
    ]


# Documents ------------------------------------------------------------------------------


def test_render_pdf_reads_back_with_its_text_and_stylesheet(settings, tmp_path):
    (tmp_path / "plumbing.html").write_text(
        "<!doctype html><html lang='fr'><body><h1>{{ title }}</h1><p>{{ when|date:'d/m/Y' }}</p></body></html>"
    )
    (tmp_path / "a5.css").write_text("@page { size: A5; }")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    pdf = documents.render_pdf(
        "plumbing.html",
        {"title": "Procès-verbal du comité", "when": datetime.date(2026, 6, 12)},
        stylesheets=[documents.PDF_CSS, tmp_path / "a5.css"],
    )

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Procès-verbal du comité" in text and "12/06/2026" in text
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (420, 595)  # A5, from the stylesheet given


def test_pdf_response_is_a_download():
    response = documents.pdf_response(b"%PDF-1.7 ...", "proces-verbal-appel-2026.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="proces-verbal-appel-2026.pdf"'
    assert response.content == b"%PDF-1.7 ..."


def test_xlsx_stores_formulas_as_text():
    body = documents.xlsx_workbook(
        [
            ("Dossiers", ["No.", "Organisation", "=Critère"], [[1, "=1+1", "@SUM(A1:A2)"], [2, "Régie Est", 3.5]]),
            documents.Sheet("Questions", ["Code", "Question"], [["q1", "-2+3"]], freeze=None, widths=[30, 80]),
        ],
        title="Appel 2026",
    )

    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Dossiers", "Questions"]
    assert workbook.properties.title == "Appel 2026"
    dossiers, questions = workbook["Dossiers"], workbook["Questions"]
    assert [[cell.value for cell in row] for row in dossiers.iter_rows()] == [
        ["No.", "Organisation", "=Critère"],
        [1, "=1+1", "@SUM(A1:A2)"],
        [2, "Régie Est", 3.5],
    ]
    assert {dossiers[ref].data_type for ref in ("C1", "B2", "C2")} == {"s"}
    assert questions["B2"].value == "-2+3" and questions["B2"].data_type == "s"
    assert dossiers["A1"].font.bold and dossiers.freeze_panes == "A2" and questions.freeze_panes is None
    assert questions.column_dimensions["B"].width == 80
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)  # no formula anywhere


def test_xlsx_response_is_a_download():
    response = documents.xlsx_response("classement-appel-2026.xlsx", [("Classement", ["Rang"], [[1]])])

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="classement-appel-2026.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(response.content))["Classement"]["A2"].value == 1


def test_csv_has_a_bom_semicolons_and_neutralised_formulas():
    response = documents.csv_response(
        "dossiers-appel-2026.csv",
        ["No.", "Organisation", "Commune"],
        [[1, '=HYPERLINK("http://x")', "Lyon; Est"], [2, "Régie Nord", "+33"]],
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dossiers-appel-2026.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "No.;Organisation;Commune"
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["No.", "Organisation", "Commune"],
        ["1", '\'=HYPERLINK("http://x")', "Lyon; Est"],
        ["2", "Régie Nord", "'+33"],
    ]


def test_neutralise_only_touches_text_that_starts_a_formula():
    assert [documents.neutralise(v) for v in ["=A1", "-3", "@x", "\tx", "Alpha", "", -3, None]] == [
        "'=A1",
        "'-3",
        "'@x",
        "'\tx",
        "Alpha",
        "",
        -3,
        None,
    ]
