"""Permissions of the essaimage. Object access goes through the ``for_user``
querysets: someone else's structure, training or support entry is a 404."""

import rules

from ais.accounts.rules import is_admin, is_manager

is_staff_role = is_manager | is_admin

rules.add_perm("essaimage.manage_spreading", is_staff_role)
