"""The upload form of the history workbook."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .workbook import MAX_IMPORT_SIZE, WorkbookRefused, check_file


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("History workbook (XLSX)"),
        help_text=_("The template filled in, %(max)s MB at most. Nothing is written before you confirm the preview.")
        % {"max": MAX_IMPORT_SIZE // (1024 * 1024)},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file(upload)
        except WorkbookRefused as refused:
            raise forms.ValidationError(refused.message, code="refused") from refused
        return upload
