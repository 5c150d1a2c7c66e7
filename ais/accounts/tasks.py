"""Celery tasks of accounts: thin, they call the services."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="accounts.sweep_inactive_accounts")
def sweep_inactive_accounts() -> dict:
    """Daily: warn the accounts close to the inactivity limit, anonymise those warned
    long enough ago that did not come back (GDPR_INACTIVE_DAYS, GDPR_WARNING_DAYS)."""
    warned = services.warn_inactive_accounts()
    anonymised = services.anonymise_inactive_accounts()
    logger.info("Inactive accounts: %s warned, %s anonymised", warned, anonymised)
    return {"warned": warned, "anonymised": anonymised}
