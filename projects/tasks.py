"""Celery tasks of calls and dossiers: thin, they call the services."""

from celery import shared_task

from . import services


@shared_task(name="projects.remind_unsubmitted_drafts")
def remind_unsubmitted_drafts() -> int:
    """Daily: remind carriers of drafts before their call closes (never twice)."""
    return services.remind_unsubmitted_drafts()
