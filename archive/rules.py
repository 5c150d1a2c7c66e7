"""Permissions of the import of the history: administrators only (the administrator's
duties include the referentials and the programme's figures; importing rewrites dated
facts of every innovation and structure). Loaded by the rules autodiscovery."""

import rules

from ais.accounts.rules import is_admin

rules.add_perm("archive.import_history", is_admin)
