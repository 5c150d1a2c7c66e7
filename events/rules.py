"""Permissions of the events and the resources library. Public pages are open to all
(registration needs no account); organising events, check-in, badges, restitutions
and the library's management are for managers and administrators."""

import rules

from ais.accounts.rules import is_admin, is_manager

is_staff_role = is_manager | is_admin

rules.add_perm("events.manage_events", is_staff_role)


def can_manage(user) -> bool:
    """Managers and administrators (the rules permission only, no model-permission queries)."""
    return rules.has_perm("events.manage_events", user)
