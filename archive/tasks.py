"""Celery tasks of the import: thin, they take the import's id and call the domain."""

from celery import shared_task

from . import services


@shared_task(name="archive.check_import", acks_late=True)
def check_import(*, import_id: int) -> str:
    """Check an uploaded workbook: the preview and its errors (nothing written)."""
    record = services.check_import(import_id)
    return record.status if record else "skipped"


@shared_task(name="archive.apply_import", acks_late=True)
def apply_import(*, import_id: int) -> str:
    """Import a confirmed workbook, all or nothing."""
    record = services.apply_import(import_id)
    return record.status if record else "skipped"
