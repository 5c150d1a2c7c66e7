from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from ais.core.figures_cache import invalidate_on_save
        from ais.outbox.reasons import register_reasons
        from essaimage import signals

        from . import schedule
        from .emails import REASONS
        from .models import Response

        invalidate_on_save(Response)  # the indicators follow the questionnaires' statuses

        signals.start_date_changed.connect(schedule.on_start_date_changed, dispatch_uid="evaluation-schedule")
        signals.structure_withdrawn.connect(schedule.on_structure_withdrawn, dispatch_uid="evaluation-cancel")

        register_reasons(REASONS)  # why this app sends e-mails (the outbox knows no app)
