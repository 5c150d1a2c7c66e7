"""The form renderer: Django's own template renderer, with the project's widget overrides."""

from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property


class FormRenderer(DjangoTemplates):
    """Django's default renderer (its own template engine: Django's widget templates, then
    those of the apps, such as the admin's), reading ``templates/django/forms/`` first.

    The one override there is ``widgets/select.html``, which writes Django's default option
    inline instead of including a template per option: the list filters have selects of
    more than a hundred options (departments), and those includes cost more than the rest
    of the filter form. The HTML is Django's (``tests/test_form_rendering.py``).
    """

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates", Path(django.forms.__file__).parent / "templates"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
