"""The history tests' fixtures, for the reports built on that history."""

from tests.history.conftest import default_templates, history, today  # noqa: F401
