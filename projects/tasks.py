"""Celery tasks of calls and dossiers: thin, they call the services."""

from celery import shared_task

from . import services


@shared_task(name="projects.remind_unsubmitted_drafts")
def remind_unsubmitted_drafts() -> int:
    """Daily: remind carriers of drafts before their call closes (never twice)."""
    return services.remind_unsubmitted_drafts()


@shared_task(name="projects.remind_pending_reviews")
def remind_pending_reviews() -> int:
    """Daily: remind committee members of pending reviews before the deadline (never twice)."""
    from . import committee

    return committee.remind_pending_reviews()
