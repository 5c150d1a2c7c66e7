"""Permissions of the indicators, dashboards, reports and list exports.

Loaded by the rules autodiscovery like every app's ``rules.py``. Objects still go through
scoped querysets: another innovation's
dashboard or report is a 404, a role that may not use a page at all gets a 403.

- the indicators' definitions (no figures) are for every logged-in user;
- an innovation's dashboard and reports: managers and administrators, and the
  innovation's carrier (read-only: no texts, no generation, no preview);
- the programme dashboard: managers and administrators;
- the yearly programme report: administrators only (the administrator's
  duties: yearly programme report and exports);
- list exports: managers and administrators (every row), carriers (their
  innovation's rows), structure contacts (their own rows); never committee members.
  The hotline log is not exported for structure contacts: ``SupportRequest.objects.for_user``
  shows them nothing.
"""

import rules

from ais.accounts.rules import is_admin, is_carrier, is_manager, is_structure_contact

is_staff_role = is_manager | is_admin

rules.add_perm("reporting.view_indicators", rules.is_authenticated)
rules.add_perm("reporting.view_innovation_dashboard", is_staff_role | is_carrier)
rules.add_perm("reporting.view_programme_dashboard", is_staff_role)
rules.add_perm("reporting.view_reports", is_staff_role | is_carrier)
rules.add_perm("reporting.manage_reports", is_staff_role)
rules.add_perm("reporting.view_programme_report", is_admin)

rules.add_perm("reporting.view_exports", is_staff_role | is_carrier | is_structure_contact)
rules.add_perm("reporting.export_innovations", is_staff_role | is_carrier | is_structure_contact)
rules.add_perm("reporting.export_structures", is_staff_role | is_carrier | is_structure_contact)
rules.add_perm("reporting.export_trainings", is_staff_role | is_carrier | is_structure_contact)
rules.add_perm("reporting.export_questionnaires", is_staff_role | is_carrier | is_structure_contact)
rules.add_perm("reporting.export_support", is_staff_role | is_carrier)
rules.add_perm("reporting.export_events", is_staff_role)
