"""Celery tasks of the reports: thin, they call the domain."""

from celery import shared_task

from . import reports


@shared_task(name="reporting.generate_report", acks_late=True)
def generate_report(*, report_id: int) -> str:
    """Build one report's PDF (and XLSX); the row shows the progress."""
    report = reports.generate(report_id)
    return report.status if report else "skipped"


@shared_task(name="reporting.retry_stale_reports")
def retry_stale_reports() -> int:
    """Every few minutes: reports left waiting (broker down, worker died) are queued again."""
    return reports.retry_stale()
