"""An innovation's reports through the pages: the texts saved with their revision (a
conflict keeps what was typed), the generation's progress, the download, the preview."""

import html
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reporting import reports
from reporting.models import Report, ReportKind, ReportNarrative, ReportStatus

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(name, innovation, kind=ReportKind.FINAL):
    return reverse(f"reporting:{name}", kwargs={"pk": innovation.pk, "kind": kind})


def test_report_list_shows_both_kinds_forms_and_quote_candidates(client, manager, innovation):
    client.force_login(manager)

    page = _text(client.get(reverse("reporting:report_list", kwargs={"pk": innovation.pk})))

    for kind in ("intermediate", "final"):
        assert f'name="{kind}-conclusions"' in page
        assert _url("report_preview", innovation, kind) in page
    assert "Témoignage de Régie de quartier Saint-Nicaise" in page
    # No 9-month questionnaire answered: the intermediate report cannot be generated, and says why.
    assert re.search(r'disabled aria-describedby="not-ready-intermediate"', page)
    assert 'aria-describedby="not-ready-final"' not in page


def test_narrative_saved_with_its_revision_and_quotes(client, manager, innovation):
    client.force_login(manager)
    quote = reports.quote_candidates(innovation).get(value="Témoignage de Chantier Nîmes Solidarité")

    response = client.post(
        _url("report_narrative", innovation),
        {
            "final-revision": "0",
            "final-summary": "Un essaimage réussi.",
            "final-conclusions": "Les structures ont adopté le modèle.",
            "final-recommendations": "Poursuivre.",
            "final-quotes": [str(quote.pk)],
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("reporting:report_list", kwargs={"pk": innovation.pk})
    narrative = ReportNarrative.objects.get(innovation=innovation, kind=ReportKind.FINAL)
    assert (narrative.revision, narrative.conclusions, narrative.quotes) == (
        1,
        "Les structures ont adopté le modèle.",
        [quote.pk],
    )
    assert narrative.updated_by == manager
    page = _text(client.get(reverse("reporting:report_list", kwargs={"pk": innovation.pk})))
    assert 'name="final-revision" value="1"' in page
    assert re.search(rf'value="{quote.pk}" id="id_final-quotes_\d+" checked', page)


def test_narrative_conflict_keeps_the_typed_text_and_shows_the_saved_one(client, manager, innovation):
    narrative = reports.narrative_for(innovation, ReportKind.FINAL)
    reports.save_narrative(
        innovation,
        ReportKind.FINAL,
        summary="",
        conclusions="Conclusion enregistrée par une collègue.",
        recommendations="",
        quotes=[],
        revision=narrative.revision,
        by=manager,
    )
    client.force_login(manager)

    response = client.post(
        _url("report_narrative", innovation),
        {"final-revision": "0", "final-conclusions": "Ma conclusion tapée pendant ce temps."},
    )

    assert response.status_code == 409
    page = _text(response)
    assert "Ma conclusion tapée pendant ce temps." in page  # kept in the form
    assert "Conclusion enregistrée par une collègue." in page  # shown to compare
    assert "Someone else saved these texts" in page or "Quelqu'un d'autre a enregistré" in page
    assert 'name="final-revision" value="1"' in page  # saving again replaces it knowingly
    assert ReportNarrative.objects.get(innovation=innovation, kind="final").conclusions == (
        "Conclusion enregistrée par une collègue."
    )


def test_generate_then_status_shows_progress_then_download(
    client, manager, innovation, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_url("report_generate", innovation))

    assert response.status_code == 302
    assert response.url == reverse("reporting:report_list", kwargs={"pk": innovation.pk})
    assert len(callbacks) == 1  # the Celery task, queued after commit
    report = Report.objects.get(innovation=innovation)
    assert (report.kind, report.version, report.status, report.requested_by) == ("final", 1, "queued", manager)
    status_url = reverse("reporting:report_status", kwargs={"pk": report.pk})
    listing = _text(client.get(reverse("reporting:report_list", kwargs={"pk": innovation.pk})))
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in listing

    queued = _text(client.get(status_url, headers={"HX-Request": "true"}))
    assert 'role="progressbar"' in queued and 'aria-valuenow="0"' in queued
    assert 'hx-trigger="every 2s"' in queued
    assert "<html" not in queued  # a partial

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=50, step="Mise en page")
    running = _text(client.get(status_url, headers={"HX-Request": "true"}))
    assert 'aria-valuenow="50"' in running and 'data-step="10"' in running
    assert "Mise en page" in running

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED, progress=0, step="")
    reports.generate(report.pk)

    done = _text(client.get(status_url, headers={"HX-Request": "true"}))
    pdf_url = reverse("reporting:report_download", kwargs={"pk": report.pk, "fmt": "pdf"})
    assert pdf_url in done
    assert "hx-trigger" not in done  # polling stops
    assert 'role="progressbar"' not in done

    download = client.get(pdf_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="ais-emploi-final-parcours-gardien-v1.pdf"'
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # An innovation's report has no spreadsheet.
    xlsx = client.get(reverse("reporting:report_download", kwargs={"pk": report.pk, "fmt": "xlsx"}))
    assert xlsx.status_code == 404


def test_generate_refused_when_not_ready_says_why(client, manager, innovation):
    client.force_login(manager)

    response = client.post(_url("report_generate", innovation, ReportKind.INTERMEDIATE), follow=True)

    assert not Report.objects.exists()
    assert "Mise en œuvre" in _text(response)  # the phase still to be answered


def test_failed_report_shows_its_error_and_a_retry(client, manager, innovation):
    report = Report.objects.create(
        innovation=innovation, kind="final", version=1, status=ReportStatus.FAILED, error="Police introuvable"
    )
    client.force_login(manager)

    page = _text(client.get(reverse("reporting:report_status", kwargs={"pk": report.pk})))

    assert "Police introuvable" in page
    assert f'action="{_url("report_generate", innovation)}"' in page


def test_preview_shows_the_figures_in_html_with_the_report_css(client, manager, innovation):
    narrative = reports.narrative_for(innovation, ReportKind.FINAL)
    reports.save_narrative(
        innovation,
        "final",
        summary="",
        conclusions="Conclusion de l'aperçu.",
        recommendations="",
        quotes=[],
        revision=narrative.revision,
        by=manager,
    )
    client.force_login(manager)

    response = client.get(_url("report_preview", innovation))

    assert response.status_code == 200
    page = _text(response)
    assert page.startswith("<!doctype html>")
    for expected in [
        "Parcours Gardien",
        "Régie de quartier Saint-Nicaise",
        "Chantier Nîmes Solidarité",
        "55,6 %",
        "90",
    ]:
        assert expected in page, expected
    assert "Conclusion de l'aperçu." in page
    assert 'href="/static/css/report-pdf.css"' in page and 'href="/static/css/reports.css"' in page
    assert '<body class="report-preview">' in page
    # Nothing the strict CSP would block: no inline style or script.
    assert "style=" not in page and "<style" not in page and "<script" not in page
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_carrier_sees_its_reports_read_only(client, innovation, carrier_of):
    report = Report.objects.create(innovation=innovation, kind="final", version=3, status=ReportStatus.QUEUED)
    client.force_login(carrier_of(innovation))

    page = _text(client.get(reverse("reporting:report_list", kwargs={"pk": innovation.pk})))

    assert reverse("reporting:report_status", kwargs={"pk": report.pk}) in page
    assert 'name="final-conclusions"' not in page
    assert _url("report_generate", innovation) not in page
    assert client.get(_url("report_preview", innovation)).status_code == 403
    assert client.post(_url("report_generate", innovation)).status_code == 403
    assert not Report.objects.exclude(pk=report.pk).exists()


def test_yearly_report_generated_by_an_administrator(
    client, admin_user, innovation, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reporting:yearly_report"), {"year": "2026"})
        since_start = client.post(reverse("reporting:yearly_report"), {"year": ""})

    assert response.status_code == since_start.status_code == 302
    yearly, start = Report.objects.filter(kind="yearly").order_by("pk")
    assert (yearly.year, yearly.version, start.year) == (2026, 1, None)
    reports.generate(yearly.pk)
    page = _text(client.get(reverse("reporting:yearly_report")))
    assert reverse("reporting:report_download", kwargs={"pk": yearly.pk, "fmt": "xlsx"}) in page
    assert reverse("reporting:report_download", kwargs={"pk": yearly.pk, "fmt": "pdf"}) in page
    assert f'hx-get="{reverse("reporting:report_status", kwargs={"pk": start.pk})}"' in page
    download = client.get(reverse("reporting:report_download", kwargs={"pk": yearly.pk, "fmt": "xlsx"}))
    assert download["Content-Disposition"] == 'attachment; filename="ais-emploi-yearly-2026-v1.xlsx"'
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_yearly_report_refuses_an_unknown_year(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("reporting:yearly_report"), {"year": "1990"})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_innovation_dashboard_figures_targets_and_wave_filter(client, manager, innovation):
    client.force_login(manager)
    url = reverse("reporting:innovation_dashboard", kwargs={"pk": innovation.pk})

    page = _text(client.get(url))

    assert "Taux de sortie vers l'emploi" in page
    assert "55,6" in page  # (20 + 5) × 2 / 90
    assert 'id="report-charts"' in page and '"id": "chart-phases"' in page
    assert "Régie de quartier Saint-Nicaise" in page and "Chantier Nîmes Solidarité" in page

    wave_two = _text(client.get(url, {"wave": "2"}))
    assert "Chantier Nîmes Solidarité" in wave_two
    assert "Régie de quartier Saint-Nicaise" not in wave_two
    assert "50" in wave_two and "55,6" not in wave_two  # 25 / 50 = 50 %


def test_programme_dashboard_year_selector(client, manager, innovation):
    client.force_login(manager)

    current = _text(client.get(reverse("reporting:programme_dashboard"), {"year": "2026"}))
    before = _text(client.get(reverse("reporting:programme_dashboard"), {"year": "2025"}))

    assert "Parcours Gardien" in current and "Occitanie" in current
    assert '"labels": ["2022", "2023", "2024", "2025", "2026"]' in current
    # The questionnaires were submitted in March 2026: nothing known at the end of 2025.
    assert "Parcours Gardien" not in before.split('id="innovations-title"')[1]


def test_indicator_definitions_name_the_question_codes(client, user_with_role):
    client.force_login(user_with_role("committee"))

    page = _text(client.get(reverse("reporting:indicators")))

    assert "exits_transitional_employment" in page
    assert "retention_6_months" in page


def test_generate_saves_the_typed_texts_first(client, manager, innovation, django_capture_on_commit_callbacks):
    """« Générer le PDF » posts the page's texts: typed but not saved, they are saved
    before the report is queued, so the PDF holds them (issue 16)."""
    client.force_login(manager)
    page = _text(client.get(reverse("reporting:report_list", kwargs={"pk": innovation.pk})))
    assert f'form="narrative-final" formaction="{_url("report_generate", innovation)}"' in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            _url("report_generate", innovation),
            {"final-revision": "0", "final-conclusions": "Conclusion tapée puis « Générer le PDF »."},
        )

    assert response.status_code == 302
    narrative = ReportNarrative.objects.get(innovation=innovation, kind=ReportKind.FINAL)
    assert (narrative.conclusions, narrative.revision) == ("Conclusion tapée puis « Générer le PDF ».", 1)
    report = Report.objects.get(innovation=innovation)
    reports.generate(report.pk)
    report.refresh_from_db()
    with report.pdf.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages).split())
    assert "Conclusion tapée puis « Générer le PDF »." in text


def test_generate_with_unchanged_texts_does_not_save_them_again(
    client, manager, innovation, django_capture_on_commit_callbacks
):
    narrative = reports.narrative_for(innovation, ReportKind.FINAL)
    reports.save_narrative(
        innovation, "final", summary="", conclusions="Déjà là.", recommendations="", quotes=[], revision=0, by=manager
    )
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(_url("report_generate", innovation), {"final-revision": "1", "final-conclusions": "Déjà là."})

    narrative.refresh_from_db()
    assert narrative.revision == 1
    assert Report.objects.filter(innovation=innovation).count() == 1


def test_generate_with_texts_saved_meanwhile_by_someone_else_keeps_both_and_generates_nothing(
    client, manager, innovation
):
    reports.save_narrative(
        innovation,
        "final",
        summary="",
        conclusions="D'une collègue.",
        recommendations="",
        quotes=[],
        revision=0,
        by=manager,
    )
    client.force_login(manager)

    response = client.post(_url("report_generate", innovation), {"final-revision": "0", "final-conclusions": "Mien."})

    assert response.status_code == 409
    assert "Mien." in _text(response)
    assert not Report.objects.exists()
