from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from essaimage import signals

        from . import schedule

        signals.start_date_changed.connect(schedule.on_start_date_changed, dispatch_uid="evaluation-schedule")
        signals.structure_withdrawn.connect(schedule.on_structure_withdrawn, dispatch_uid="evaluation-cancel")
