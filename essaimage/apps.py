from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EssaimageConfig(AppConfig):
    name = "essaimage"
    verbose_name = _("Essaimage")

    def ready(self):
        from ais.accounts.models import Organisation
        from ais.core.figures_cache import invalidate_on_save
        from ais.outbox.reasons import register_reasons
        from ais.territories.models import Department
        from projects.models import Innovation

        from . import stage_checks
        from .emails import REASONS
        from .models import (
            Attendance,
            SpreadStructure,
            StructureLocation,
            SupportRequest,
            Training,
            TrainingDay,
            TrainingParticipant,
        )

        # Indicators and maps count the structures (status, wave, innovation) by the
        # commune of their organisation or of their location at the date counted
        # (StructureLocation), and the public map only published innovations;
        # the managers' key figures count trainings, people trained and hotline requests.
        invalidate_on_save(SpreadStructure, StructureLocation, Organisation, Innovation)
        invalidate_on_save(Training, TrainingDay, TrainingParticipant, Attendance, SupportRequest)
        invalidate_on_save(Department)  # the structures' department filter lists them

        register_reasons(REASONS)  # why this app sends e-mails (the outbox knows no app)
        stage_checks.register()  # the stage II and III gates read structures and trainings
