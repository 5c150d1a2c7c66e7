from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from django.db.models.signals import post_save

        from ais.accounts.models import Organisation
        from essaimage import signals
        from essaimage.models import SpreadStructure

        from . import indicators, schedule
        from .models import Response

        # The cached indicators follow the questionnaires, the structures and their communes.
        # (No post_delete receiver: it would turn every bulk delete of these rows into a
        # row-by-row one; the product deletes none of them, and generate_data and restore,
        # which do, invalidate by themselves.)
        for model in (Response, SpreadStructure, Organisation):
            uid = f"indicators-{model.__name__}"
            post_save.connect(indicators.invalidate_on_commit, sender=model, dispatch_uid=uid)

        signals.start_date_changed.connect(schedule.on_start_date_changed, dispatch_uid="evaluation-schedule")
        signals.structure_withdrawn.connect(schedule.on_structure_withdrawn, dispatch_uid="evaluation-cancel")
