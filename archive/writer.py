"""Writing a checked plan (``archive.plan``) to the database.

Called inside one transaction by ``archive.services``: everything or nothing. Rows
are written in bulk with their django-simple-history records (``bulk_create_with_history``,
``bulk_update_with_history``: the acting administrator and the reason « Import de
l'historique » on each), so the audit trail shows who imported what and when.

Nothing is sent and nothing is scheduled for a date in the past:

- the domain functions that send e-mails or signals (``essaimage.services.set_start_date``,
  ``select_application``…) are not called; the questionnaires of the file are created
  directly, submitted or validated, with their dates (a submitted questionnaire is never
  reminded);
- the phases the file does not give are created, as the evaluation's schedule would,
  only when they open after today (their reminders then come in their time); a phase
  already open or past is not created, and an unanswered questionnaire of the platform
  whose dates would move into the past is cancelled rather than moved;
- no user account is created (so no invitation), and the figures' cache is invalidated
  once the transaction commits.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ais.accounts.models import Organisation, OrganisationType
from ais.core.figures_cache import invalidate
from essaimage.models import Attendance, SpreadStructure, Training, TrainingDay, TrainingMode, TrainingParticipant
from evaluation.models import PHASE_ORDER, AccessLink, Answer, Response, ResponseStatus
from evaluation.schedule import current_version, phase_dates
from projects.models import Innovation, Stage, StagePlan, StageTransition

from .plan import Plan, at_noon, local_date, trainee_names

BATCH = 1000
STRUCTURE_FIELDS = {
    "wave",
    "selected_on",
    "agreement_signed_on",
    "start_date",
    "withdrawn_on",
    "withdrawal_reason",
    "status",
}
UNANSWERED = (ResponseStatus.SCHEDULED, ResponseStatus.IN_PROGRESS, ResponseStatus.RETURNED)


class Writer:
    def __init__(self, plan: Plan, *, by, reason: str, progress=None):
        self.plan, self.by, self.reason = plan, by, reason
        self.progress = progress or (lambda step, percent: None)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.notes = defaultdict(int)

    def _create(self, objects, model):
        if objects:
            bulk_create_with_history(
                objects, model, batch_size=BATCH, default_user=self.by, default_change_reason=self.reason
            )

    def _update(self, objects, model, fields):
        if objects:
            bulk_update_with_history(
                objects,
                model,
                fields=sorted(fields),
                batch_size=BATCH,
                default_user=self.by,
                default_change_reason=self.reason,
            )

    def write(self) -> dict:
        from django.utils.translation import gettext as _

        self.progress(_("Writing the organisations"), 55)
        self.organisations()
        self.progress(_("Writing the innovations and their stages"), 60)
        self.innovations()
        self.progress(_("Writing the structures"), 65)
        self.structures()
        self.progress(_("Writing the questionnaires"), 70)
        self.responses()
        self.progress(_("Writing the trainings"), 90)
        self.trainings()
        transaction.on_commit(invalidate)
        return dict(self.notes)

    # Organisations -------------------------------------------------------------

    def organisations(self) -> None:
        new = [o for o in self.plan.organisations if o.instance is None and o.row is not None]
        objects = [
            Organisation(name=o.name, siret=o.siret, commune_id=o.commune, kind=o.kind or OrganisationType.ASSOCIATION)
            for o in new
        ]
        self._create(objects, Organisation)
        for org, instance in zip(new, objects, strict=True):
            org.instance = instance
        changed, fields = [], set()
        for org in self.plan.organisations:
            if org.instance is not None and org.changes and org.instance not in objects:
                for name, value in org.changes.items():
                    setattr(org.instance, name, value)
                fields |= set(org.changes)
                changed.append(org.instance)
        self._update(changed, Organisation, fields)

    # Innovations -----------------------------------------------------------------

    def innovations(self) -> None:
        plans = self.plan.innovations
        new, changed = [], []
        for innovation in plans:
            values = dict(innovation.values)
            if innovation.instance is None:
                innovation.instance = Innovation(
                    slug=innovation.slug, carrier=innovation.carrier.instance, is_published=False, **values
                )
                new.append(innovation.instance)
            elif innovation.changed:
                instance = innovation.instance
                if values["accompaniment_start"] is None:
                    values.pop("accompaniment_start")
                if not values["origin_commune_id"]:
                    values.pop("origin_commune_id")
                for name, value in values.items():
                    setattr(instance, name, value)
                instance.carrier = innovation.carrier.instance
                changed.append(instance)
        self._create(new, Innovation)
        self._update(
            changed,
            Innovation,
            {"name", "summary", "carrier", "origin_commune", "year_selected", "spreading_model", "stage"}
            | {"accompaniment_start"},
        )
        # Stage plans (actual dates) and stage moves (effective dates).
        plans_new, plans_changed, moves_new, moves_changed = [], [], [], []
        reason = self.reason
        for innovation in plans:
            if innovation.instance in changed or innovation.instance in new:
                pk = innovation.instance.pk
                existing = self.plan.stage_plans.get(pk, {})
                moves = self.plan.transitions.get(pk, {})
                dates = innovation.stage_dates
                for stage, start in dates.items():
                    end = dates.get(stage + 1)
                    stage_plan = existing.get(stage)
                    if stage_plan is None:
                        plans_new.append(
                            StagePlan(innovation=innovation.instance, stage=stage, actual_start=start, actual_end=end)
                        )
                    elif stage_plan.actual_start != start or stage_plan.actual_end != end:
                        stage_plan.actual_start, stage_plan.actual_end = start, end
                        plans_changed.append(stage_plan)
                    if stage == Stage.FEASIBILITY:
                        continue
                    move = moves.get(stage)
                    if move is None:
                        moves_new.append(
                            StageTransition(
                                innovation=innovation.instance,
                                from_stage=stage - 1,
                                to_stage=stage,
                                moved_at=at_noon(start),
                                moved_by=self.by,
                                is_exception=True,
                                reason=reason,
                            )
                        )
                    elif local_date(move.moved_at) != start:
                        move.moved_at = at_noon(start)
                        moves_changed.append(move)
        self._create(plans_new, StagePlan)
        self._update(plans_changed, StagePlan, {"actual_start", "actual_end"})
        StageTransition.objects.bulk_create(moves_new, batch_size=BATCH)
        StageTransition.objects.bulk_update(moves_changed, ["moved_at"], batch_size=BATCH)

    # Structures ------------------------------------------------------------------

    def structures(self) -> None:
        new, changed = [], []
        for structure in self.plan.structures:
            if structure.instance is None:
                structure.instance = SpreadStructure(
                    innovation=structure.innovation.instance,
                    organisation=structure.organisation.instance,
                    **structure.values,
                )
                new.append(structure.instance)
            elif structure.changed:
                for name, value in structure.values.items():
                    setattr(structure.instance, name, value)
                changed.append(structure.instance)
        self._create(new, SpreadStructure)
        self._update(changed, SpreadStructure, STRUCTURE_FIELDS)

    # Questionnaires ---------------------------------------------------------------

    def responses(self) -> None:
        new, changed = [], []
        for response in self.plan.responses:
            values = response.values
            submitted = values["submitted_on"]
            validated = values["validated_on"]
            instance = response.instance
            if instance is None:
                moment = at_noon(submitted)
                response.instance = Response(
                    structure=response.structure.instance,
                    phase=response.phase,
                    version=response.version,
                    opens_on=values["opens_on"],
                    due_on=values["due_on"],
                    status=values["status"],
                    started_at=moment,
                    submitted_at=moment,
                    validated_at=at_noon(validated) if validated else None,
                )
                new.append(response.instance)
            elif response.changed:
                instance.opens_on, instance.due_on, instance.status = (
                    values["opens_on"],
                    values["due_on"],
                    values["status"],
                )
                if local_date(instance.submitted_at) != submitted:
                    instance.submitted_at = at_noon(submitted)
                if local_date(instance.validated_at) != validated:
                    instance.validated_at = at_noon(validated) if validated else None
                if instance.started_at is None or instance.started_at > instance.submitted_at:
                    instance.started_at = instance.submitted_at
                instance.cancelled_at = None
                changed.append(instance)
        self._create(new, Response)
        self._update(
            changed,
            Response,
            {"opens_on", "due_on", "status", "submitted_at", "validated_at", "started_at", "cancelled_at"},
        )
        self.answers()
        self.schedule_other_phases()

    def answers(self) -> None:
        from django.utils.translation import gettext as _

        self.progress(_("Writing the answers"), 80)
        new, changed = [], []
        for response in self.plan.responses:
            existing = self.plan.existing_answers.get(response.instance.pk, {}) if response.instance.pk else {}
            for code, value in response.answers.items():
                answer = existing.get(code)
                if answer is None:
                    new.append(
                        Answer(
                            response=response.instance,
                            question=response.questions[code],
                            value=value,
                            revision=1,
                            updated_by=self.by,
                        )
                    )
                elif answer.value != value:
                    answer.value, answer.revision = value, answer.revision + 1
                    answer.updated_by, answer.updated_at = self.by, self.now
                    changed.append(answer)
        self._create(new, Answer)
        self._update(changed, Answer, {"value", "revision", "updated_by", "updated_at"})
        self.notes["answers"] = len(new) + len(changed)

    def schedule_other_phases(self) -> None:
        """The phases of the file's structures that the file does not give: scheduled when
        they open after today, never for a date already past (see the module docstring)."""
        create, cancel, move = [], [], []
        for structure in self.plan.structures:
            values = structure.values
            start, withdrawn = values["start_date"], values["withdrawn_on"]
            others = self.plan.other_responses.get(structure.instance.pk, {})
            for phase in PHASE_ORDER:
                if phase in structure.phases:
                    continue
                existing = others.get(phase)
                if existing is not None:
                    if existing.status not in UNANSWERED:
                        continue
                    if withdrawn:
                        cancel.append(existing)
                        continue
                    if start is None:
                        if existing.status == ResponseStatus.SCHEDULED:
                            cancel.append(existing)
                        continue
                    opens_on, due_on = phase_dates(start, phase)
                    if (existing.opens_on, existing.due_on) == (opens_on, due_on):
                        continue
                    if existing.status == ResponseStatus.SCHEDULED and opens_on > self.today:
                        existing.opens_on, existing.due_on = opens_on, due_on
                        move.append(existing)
                    elif existing.status == ResponseStatus.SCHEDULED:
                        cancel.append(existing)
                    continue
                if start is None or withdrawn:
                    continue
                opens_on, due_on = phase_dates(start, phase)
                if opens_on > self.today:
                    create.append(
                        Response(
                            structure=structure.instance,
                            phase=phase,
                            version=current_version(phase),
                            opens_on=opens_on,
                            due_on=due_on,
                        )
                    )
                else:
                    self.notes["past_phases_not_created"] += 1
        for response in cancel:
            response.status, response.cancelled_at = ResponseStatus.CANCELLED, self.now
        self._create(create, Response)
        self._update(cancel, Response, {"status", "cancelled_at"})
        self._update(move, Response, {"opens_on", "due_on"})
        if cancel:
            AccessLink.objects.filter(response__in=cancel, revoked_at__isnull=True).update(revoked_at=self.now)
        self.notes["scheduled"] = len(create)
        self.notes["cancelled"] = len(cancel)

    # Trainings ---------------------------------------------------------------------

    def trainings(self) -> None:
        new = []
        for training in self.plan.trainings:
            if training.instance is None:
                training.instance = Training(
                    innovation=training.innovation.instance,
                    title=training.title,
                    mode=TrainingMode.ON_SITE,
                    **training.values,
                )
                new.append(training.instance)
        self._create(new, Training)
        changed = [t for t in self.plan.trainings if t.changed]
        for training in changed:
            for name, value in training.values.items():
                setattr(training.instance, name, value)
            training.instance.title = training.title
        self._update([t.instance for t in changed], Training, {"title", "kind", "trainers", "wave"})
        for training in self.plan.trainings:
            if training.instance in new or training.changed:
                self._training_content(training, created=training.instance in new)

    def _training_content(self, training, *, created: bool) -> None:
        instance = training.instance
        instance.structures.set([structure.instance for structure in training.structures])
        days = {} if created else {day.date: day for day in instance.days.all()}
        wanted = set(training.days)
        TrainingDay.objects.filter(pk__in=[day.pk for date, day in days.items() if date not in wanted]).delete()
        new_days = [TrainingDay(training=instance, date=date) for date in training.days if date not in days]
        self._create(new_days, TrainingDay)
        all_days = [days[date] for date in training.days if date in days] + new_days
        participants = {} if created else {(p.structure_id, p.full_name): p for p in instance.participants.all()}
        wanted_people = [(structure.instance.pk, name) for structure, name in trainee_names(training)]
        TrainingParticipant.objects.filter(
            pk__in=[p.pk for key, p in participants.items() if key not in set(wanted_people)]
        ).delete()
        new_people = [
            TrainingParticipant(training=instance, structure_id=structure_pk, full_name=name)
            for structure_pk, name in wanted_people
            if (structure_pk, name) not in participants
        ]
        self._create(new_people, TrainingParticipant)
        people = [participants[key] for key in wanted_people if key in participants] + new_people
        present = set()
        if not created:
            present = set(
                Attendance.objects.filter(day__training=instance, present=True).values_list("day_id", "participant_id")
            )
            Attendance.objects.filter(day__training=instance, present=False).delete()
        attendances = [
            Attendance(day=day, participant=person, present=True)
            for day in all_days
            for person in people
            if (day.pk, person.pk) not in present
        ]
        self._create(attendances, Attendance)


def write(plan: Plan, *, by, reason: str, progress=None) -> dict:
    """Apply ``plan`` (checked, without issues) in the current transaction; returns
    notes on what was scheduled, cancelled or not created."""
    assert plan.ok, "a plan with issues is never written"
    return Writer(plan, by=by, reason=reason, progress=progress).write()
