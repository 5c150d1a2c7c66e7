"""Write the programme report of a year, or since the start, as PDF and XLSX.

    manage.py programme_report --year 2017 --out /srv/reports
    manage.py programme_report --since-start --out /srv/reports

The same documents as the yearly report page (``reporting.reports.programme_documents``):
the figures of 31 December of the year (today for the current year), or of today since
the start, by the rules of ``reporting.definitions``. For administrators' scheduled jobs.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from reporting.forms import FIRST_YEAR
from reporting.reports import programme_documents


class Command(BaseCommand):
    help = "Write the programme report of a year (or since the start) as PDF and XLSX in a directory."

    def add_arguments(self, parser):
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--year", type=int, help="the calendar year of the report")
        period.add_argument("--since-start", action="store_true", help="every year since the programme started")
        parser.add_argument("--out", required=True, help="directory to write the files in (created if needed)")

    def handle(self, *args, year=None, since_start=False, out, **options):
        today = timezone.localdate()
        if year is not None and not FIRST_YEAR <= year <= today.year:
            raise CommandError(f"--year must be between {FIRST_YEAR} and {today.year}.")
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        with translation.override(settings.LANGUAGE_CODE):
            pdf, xlsx = programme_documents(None if since_start else year, today=today)
        name = f"ais-emploi-programme-{year if year is not None else 'depuis-2015'}"
        written = []
        for extension, content in (("pdf", pdf), ("xlsx", xlsx)):
            path = directory / f"{name}.{extension}"
            path.write_bytes(content)
            written.append(path)
        for path in written:
            self.stdout.write(str(path))
