"""Role predicates (django-rules), composed by every app's ``rules.py``."""

import rules

from .models import Role


@rules.predicate
def is_manager(user) -> bool:
    return user.is_authenticated and user.has_role(Role.MANAGER)


@rules.predicate
def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN))


@rules.predicate
def is_committee_member(user) -> bool:
    return user.is_authenticated and user.has_role(Role.COMMITTEE)


@rules.predicate
def is_carrier(user) -> bool:
    return user.is_authenticated and user.has_role(Role.CARRIER)


@rules.predicate
def is_structure_contact(user) -> bool:
    return user.is_authenticated and user.has_role(Role.STRUCTURE)


is_staff_role = is_manager | is_admin

rules.add_perm("core.view_history", is_staff_role)
rules.add_perm("outbox.view_outbox", is_admin)
rules.add_perm("outbox.retry_email", is_admin)
rules.add_perm("accounts.view_directory", is_staff_role)
rules.add_perm("accounts.manage_people", is_admin)
