"""Celery tasks of the evaluation: thin, they call the domain."""

from celery import shared_task

from . import reminders


@shared_task(name="evaluation.send_reminders")
def send_reminders() -> int:
    """Hourly: the questionnaires' reminders due today (never twice)."""
    return reminders.send_due_reminders()
