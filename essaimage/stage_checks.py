"""What the spreading brings to an innovation's stage gates (``projects.accompaniment``)
and to its page's counters (``projects.extensions``).

Stage II needs a published call for structures, selected structures and their signed
partnership agreements; stage III needs trainings with at least one day held. These
facts belong to this app, so it registers the checks with the accompaniment at start-up
(``EssaimageConfig.ready``) instead of the accompaniment importing this app.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.accompaniment import Requirement, register_stage_check, requirement
from projects.extensions import count_per_innovation, register_innovation_counter
from projects.models import Innovation, Stage

from .models import ACTIVE_STATUSES, SiteVisit, SpreadStructure, SupportRequest, Training


def stage_two(innovation: Innovation) -> list[Requirement]:
    structures = [s for s in innovation.spread_structures.all() if s.status in ACTIVE_STATUSES]
    unsigned = [s for s in structures if not s.agreement_signed]
    calls = [c for c in innovation.structure_calls.all() if c.published_at]
    return [
        requirement(
            "structure_call",
            bool(calls),
            ngettext("%(n)s call published.", "%(n)s calls published.", len(calls)) % {"n": len(calls)},
        ),
        requirement(
            "structures_selected",
            bool(structures),
            ngettext("%(n)s structure selected.", "%(n)s structures selected.", len(structures))
            % {"n": len(structures)},
        ),
        requirement(
            "agreements",
            bool(structures) and not unsigned,
            ngettext("%(n)s agreement still to sign.", "%(n)s agreements still to sign.", len(unsigned))
            % {"n": len(unsigned)}
            if unsigned
            else _("Every selected structure has signed.")
            if structures
            else _("No structure selected yet: no agreement to sign."),
        ),
    ]


def stage_three(innovation: Innovation) -> list[Requirement]:
    today = timezone.localdate()
    held = [t for t in innovation.trainings.all() if any(day.date <= today for day in t.days.all())]
    return [
        requirement(
            "trainings",
            bool(held),
            ngettext(
                "%(n)s training with at least one day held.", "%(n)s trainings with at least one day held.", len(held)
            )
            % {"n": len(held)},
        ),
    ]


def register() -> None:
    register_stage_check(Stage.MOBILISATION, stage_two, prefetch=["structure_calls", "spread_structures"])
    register_stage_check(Stage.ESSAIMAGE, stage_three, prefetch=["trainings__days"])
    register_innovation_counter(
        "active_structure_count", lambda: count_per_innovation(SpreadStructure, status__in=ACTIVE_STATUSES)
    )
    register_innovation_counter("training_count", lambda: count_per_innovation(Training))
    register_innovation_counter("support_count", lambda: count_per_innovation(SupportRequest))
    # Visits made (a planned one, dated after today, is not counted yet).
    register_innovation_counter("visit_count", lambda: count_per_innovation(SiteVisit, date__lte=timezone.localdate()))
