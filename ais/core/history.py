"""The audit history of the tracked models: django-simple-history's ``HistoricalRecords``,
with the manager class of ``Model.history`` made once per model.

The library's descriptor makes a new manager class each time ``instance.history`` or
``Model.history`` is read (``Manager.from_queryset``, which walks every method of the queryset
class with ``inspect.getmembers``), and it reads it to write each history row: on every save of
a tracked model. Made once, that work leaves the saves (a twentieth of the time of the tests
that make rows; the same in production). What the manager does is unchanged. The history
models are named in the user's language (« structure adoptante (historique) » in the admin):
the library writes "historical {}" untranslated.

Every tracked model declares ``history = HistoricalRecords(...)`` from this module.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords as LibraryHistoricalRecords


class _HistoryDescriptor(HistoryDescriptor):
    """simple-history's descriptor, its manager class made when the model is prepared."""

    def __init__(self, model, manager, queryset):
        super().__init__(model, manager=manager, queryset=queryset)
        self.manager_with_queryset = manager.from_queryset(queryset)

    def __get__(self, instance, owner):
        return self.manager_with_queryset(self.model, instance)


class HistoricalRecords(LibraryHistoricalRecords):
    """``simple_history.models.HistoricalRecords`` (same arguments), with the descriptor above
    and translated names."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        # The same English as the library's ("historical training"): no migration changes.
        if not self.user_set_verbose_name:
            options["verbose_name"] = format_lazy(_("historical {}"), model._meta.verbose_name)
        if not self.user_set_verbose_name_plural:
            options["verbose_name_plural"] = format_lazy(_("historical {}"), model._meta.verbose_name_plural)
        return options

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:  # not set for an abstract model's subclass
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(descriptor.model, descriptor.manager_class, descriptor.queryset_class),
            )
