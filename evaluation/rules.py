"""Permissions of the evaluation. Object access goes through
``Response.objects.for_user`` / ``answerable_by``: someone else's questionnaire is a 404."""

import rules

from ais.accounts.rules import is_admin, is_manager, is_structure_contact

is_staff_role = is_manager | is_admin

rules.add_perm("evaluation.manage_evaluation", is_staff_role)
rules.add_perm("evaluation.answer_questionnaires", is_structure_contact | is_staff_role)
