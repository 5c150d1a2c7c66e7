"""Celery tasks of the outbox: thin, they take ids and call the services."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="outbox.send_email",
    bind=True,
    autoretry_for=(services.SendFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def send_email(self, *, email_id: int) -> str:
    return services.send_outgoing_email(email_id)


@shared_task(name="outbox.flush")
def flush_outbox() -> int:
    """Periodic: send e-mails left queued (broker was down, worker died...)."""
    ids = services.stale_queued_ids()
    for email_id in ids:
        send_email.apply_async(kwargs={"email_id": email_id})
    return len(ids)
