"""``manage.py import_history FILE [--dry-run] [--by EMAIL]``: the import of the history
from the command line, for scripts. The same checks and the same writing as the
administrators' page (``archive.services.run``): the file is refused whole, with each
error's sheet, row and column, or imported all at once. ``--dry-run`` shows the
preview and writes nothing. Exit status 1 when the file has errors."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ais.accounts.models import User
from archive import services
from archive.workbook import WorkbookRefused, check_file, describe


class Command(BaseCommand):
    help = "Import the programme's history from a workbook (the template of /suivi/import/)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the XLSX workbook")
        parser.add_argument("--dry-run", action="store_true", help="check and show the preview, write nothing")
        parser.add_argument("--by", default="", help="e-mail of the user recorded in the history of the changes")

    def handle(self, *args, file, dry_run, by, **options):
        with translation.override(settings.LANGUAGE_CODE):
            return self._handle(Path(file), dry_run, by, options["verbosity"])

    def _handle(self, path: Path, dry_run: bool, by: str, verbosity: int):
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        user = None
        if by:
            user = User.objects.filter(email__iexact=by).first()
            if user is None:
                raise CommandError(_("No user with the e-mail %(email)s.") % {"email": by})
        data = path.read_bytes()
        try:
            check_file(SimpleUploadedFile(path.name, data))
        except WorkbookRefused as refused:
            raise CommandError(describe(refused.issues[0].as_dict())) from refused
        outcome = services.run(
            data,
            write=not dry_run,
            by=user,
            name=path.name,
            progress=(lambda step, percent: self.stdout.write(f"{percent:3d} % {step}")) if verbosity > 1 else None,
        )
        self._counts(outcome)
        if not outcome.ok:
            for issue in outcome.issues:
                self.stderr.write(describe(issue))
            if outcome.issue_count > len(outcome.issues):
                more = outcome.issue_count - len(outcome.issues)
                self.stderr.write(ngettext("… and %(n)s more error.", "… and %(n)s more errors.", more) % {"n": more})
            raise CommandError(
                ngettext(
                    "%(n)s error: nothing was written. Correct the workbook and run the command again.",
                    "%(n)s errors: nothing was written. Correct the workbook and run the command again.",
                    outcome.issue_count,
                )
                % {"n": outcome.issue_count}
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(_("No error found (dry run: nothing was written).")))
        else:
            notes = outcome.notes
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Imported in %(seconds)s s: %(answers)s answers, %(scheduled)s questionnaires scheduled "
                        "after today, %(past)s past questionnaires not in the file not created."
                    )
                    % {
                        "seconds": f"{outcome.seconds:.1f}",
                        "answers": notes.get("answers", 0),
                        "scheduled": notes.get("scheduled", 0),
                        "past": notes.get("past_phases_not_created", 0),
                    }
                )
            )

    def _counts(self, outcome) -> None:
        if not outcome.counts:
            return
        self.stdout.write(f"{_('sheet'):<16} {_('to create'):>10} {_('to update'):>10} {_('unchanged'):>10}")
        for sheet, counts in outcome.counts.items():
            create, update, same = (counts.get(key, 0) for key in ("create", "update", "unchanged"))
            self.stdout.write(f"{sheet:<16} {create:>10} {update:>10} {same:>10}")
        if outcome.examples:
            self.stdout.write(_("%(n)s example rows of the template skipped.") % {"n": outcome.examples})
