"""Permissions of the essaimage. Object access goes through the ``for_user``
querysets: someone else's structure, training or support entry is a 404."""

import rules

from ais.accounts.rules import is_admin, is_carrier, is_manager, is_structure_contact

is_staff_role = is_manager | is_admin
# The roles that take part in the spreading: staff, carriers (their innovations), structure contacts (theirs).
follows_spreading = is_staff_role | is_carrier | is_structure_contact
# Support is Ansa's and the carrier's work: structure contacts do not see the log.
follows_support = is_staff_role | is_carrier

rules.add_perm("essaimage.manage_spreading", is_staff_role)
rules.add_perm("essaimage.view_structures", follows_spreading)
rules.add_perm("essaimage.view_trainings", follows_spreading)
rules.add_perm("essaimage.print_attendance_sheets", is_staff_role | is_carrier)
rules.add_perm("essaimage.view_support", follows_support)
