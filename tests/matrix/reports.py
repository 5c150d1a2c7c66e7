"""Access-matrix entries of the indicators, dashboards, reports and exports
(see tests/matrix/__init__.py and reporting/rules.py).

- the indicators' definitions: every logged-in user;
- an innovation's dashboard and reports: managers and administrators, and the
  innovation's carrier (read-only); another innovation's page is a 404; committee
  members and structure contacts may not use these pages (403);
- the texts, the preview and the generation of a report: managers and administrators;
- the programme dashboard: managers and administrators; the yearly report: administrators;
- exports: everyone but committee members (each sees only their own rows); the hotline
  log is not exported for structure contacts.
The read-only pages answer a POST as a GET; the acting views are POST-only (405 in GET).
"""

from django.core.files.base import ContentFile

from ais.accounts.models import Role
from reporting.models import Report, ReportKind, ReportStatus
from tests.access_matrix import Access, logged_in, only

STAFF = (Role.MANAGER, Role.ADMIN)
FOLLOWERS = (Role.CARRIER, *STAFF)
EXPORTERS = (Role.CARRIER, Role.STRUCTURE, *STAFF)
REPORTS_URL = "/suivi/innovations/{pk}/rapports/"
YEARLY_URL = "/suivi/rapports/programme/"

# The matrix's innovation belongs to nobody in the matrix: staff only, carriers a 404.
OTHERS_INNOVATION = {**only(*FOLLOWERS), Role.CARRIER: 404}
# The requesting carrier's own innovation (the matrix's one for the other roles).
OWN_INNOVATION = only(*FOLLOWERS)
# A yearly report: administrators only; a manager or a carrier does not find it.
YEARLY = {**only(*FOLLOWERS, ok=404), Role.ADMIN: 200}


def _report(innovation, *, kind=ReportKind.FINAL, done=False, xlsx=False) -> Report:
    report = Report.objects.create(
        innovation=innovation, kind=kind, year=2026 if kind == ReportKind.YEARLY else None, version=1
    )
    if done:
        report.status = ReportStatus.DONE
        report.progress = 100
        report.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport de test"), save=False)
        if xlsx:
            report.xlsx.save("rapport.xlsx", ContentFile(b"PK tableur"), save=False)
        report.save()
    return report


def _others_report(o) -> dict:
    return {"pk": _report(o.innovation).pk}


def _own_report(o) -> dict:
    return {"pk": _report(o.own_innovation()).pk}


def _yearly_report(o) -> dict:
    return {"pk": _report(None, kind=ReportKind.YEARLY).pk}


def _others_download(o) -> dict:
    return {"pk": _report(o.innovation, done=True).pk, "fmt": "pdf"}


def _own_download(o) -> dict:
    return {"pk": _report(o.own_innovation(), done=True).pk, "fmt": "pdf"}


def _yearly_download(o) -> dict:
    return {"pk": _report(None, kind=ReportKind.YEARLY, done=True, xlsx=True).pk, "fmt": "xlsx"}


def _innovation(o) -> dict:
    return {"pk": o.innovation.pk}


def _own_innovation(o) -> dict:
    return {"pk": o.own_innovation().pk}


def _final(o) -> dict:
    return {"pk": o.innovation.pk, "kind": ReportKind.FINAL}


READ_ONLY = {
    "reporting:indicators": Access(None, logged_in(200), "exits_durable_employment"),
    "reporting:innovation_dashboard": Access(_innovation, OTHERS_INNOVATION, 'id="chart-phases"'),
    "reporting:innovation_dashboard [own]": Access(_own_innovation, OWN_INNOVATION, 'id="chart-phases"'),
    "reporting:programme_dashboard": Access(None, only(*STAFF), 'id="chart-years"'),
    "reporting:report_list": Access(_innovation, OTHERS_INNOVATION, 'id="generated-title"'),
    "reporting:report_list [own]": Access(_own_innovation, OWN_INNOVATION, 'id="generated-title"'),
    "reporting:report_preview": Access(_final, only(*STAFF), "Parcours Gardien"),
    "reporting:report_status": Access(_others_report, OTHERS_INNOVATION, 'role="progressbar"'),
    "reporting:report_status [own]": Access(_own_report, OWN_INNOVATION, 'role="progressbar"'),
    "reporting:report_status [yearly]": Access(_yearly_report, YEARLY, 'role="progressbar"'),
    "reporting:report_download": Access(_others_download, OTHERS_INNOVATION, "%PDF"),
    "reporting:report_download [own]": Access(_own_download, OWN_INNOVATION, "%PDF"),
    "reporting:report_download [yearly]": Access(_yearly_download, YEARLY, "PK"),
    "reporting:exports": Access(None, only(*EXPORTERS), "/suivi/exports/structures.csv"),
    "reporting:export_list": Access(lambda o: {"name": "structures", "fmt": "csv"}, only(*EXPORTERS), "Innovation;"),
    "reporting:export_list [support]": Access(lambda o: {"name": "support", "fmt": "xlsx"}, only(*FOLLOWERS), "PK"),
}

MATRIX: dict = {
    **READ_ONLY,
    "reporting:report_narrative": Access(_final, logged_in(405)),  # require_POST
    "reporting:report_generate": Access(_final, logged_in(405)),  # require_POST
    "reporting:yearly_report": Access(None, only(Role.ADMIN), 'name="year"'),
}

POST_MATRIX: dict = {
    **READ_ONLY,
    "reporting:report_narrative": Access(_final, only(*STAFF, ok=REPORTS_URL)),
    # No questionnaire answered yet: the list comes back with the reason (nothing is queued).
    "reporting:report_generate": Access(_final, only(*STAFF, ok=REPORTS_URL)),
    "reporting:yearly_report": Access(None, only(Role.ADMIN, ok=YEARLY_URL)),
}

POST_DATA: dict = {
    "reporting:report_narrative": {"final-revision": "0", "final-conclusions": "Le modèle a été adopté."},
    "reporting:yearly_report": {"year": "2025"},
}
