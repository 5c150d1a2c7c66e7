"""Permissions of calls and dossiers. Object access goes through
``Dossier.objects.for_user``: someone else's dossier is a 404."""

import rules

from ais.accounts.rules import is_admin, is_carrier, is_committee_member, is_manager

is_staff_role = is_manager | is_admin

rules.add_perm("projects.manage_calls", is_staff_role)
rules.add_perm("projects.screen_dossiers", is_staff_role)
rules.add_perm("projects.apply", is_carrier)
rules.add_perm("projects.view_own_dossiers", is_carrier | is_staff_role)

rules.add_perm("projects.review_dossiers", is_committee_member)
rules.add_perm("projects.manage_accompaniment", is_staff_role)
