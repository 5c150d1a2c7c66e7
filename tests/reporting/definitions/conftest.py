"""The history tests' fixtures, for the reports built on that history."""

from tests.history.conftest import _history_rows, default_templates, history, today  # noqa: F401
