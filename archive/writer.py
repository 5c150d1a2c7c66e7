"""Writing a checked plan (``archive.plan``) to the database.

Called inside one transaction by ``archive.services``: everything or nothing. The
dated facts keep the file's dates: an innovation's selection date and closure, each
stage move's effective date (``StageTransition.effective_on``, recorded as an exception
« Import de l'historique » since the platform did not check its deliverables), each
structure's selection, agreement, start and withdrawal dates and its moves
(``StructureLocation``), each questionnaire's submission, validation and figures
dates (``Response.figures_on``, with the numbers sent in ``submitted_figures``). Rows
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

from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ais.accounts.models import Organisation, OrganisationType
from ais.core.figures_cache import invalidate
from essaimage.models import (
    Attendance,
    SpreadStructure,
    StructureLocation,
    Training,
    TrainingDay,
    TrainingMode,
    TrainingParticipant,
)
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
            {"name", "summary", "carrier", "origin_commune", "year_selected", "selected_on", "spreading_model", "stage"}
            | {"accompaniment_start", "closed_on", "closure_kind", "closure_reason"},
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
                                moved_at=self.now,
                                effective_on=start,
                                moved_by=self.by,
                                is_exception=True,
                                reason=reason,
                            )
                        )
                    elif move.effective_on != start:
                        move.effective_on = start
                        moves_changed.append(move)
        self._create(plans_new, StagePlan)
        self._update(plans_changed, StagePlan, {"actual_start", "actual_end"})
        StageTransition.objects.bulk_create(moves_new, batch_size=BATCH)
        StageTransition.objects.bulk_update(moves_changed, ["effective_on"], batch_size=BATCH)

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
        self.locations()

    def locations(self) -> None:
        """The moves of the file's structures (when the sheet has the column): exactly those listed."""
        new, changed, gone = [], [], []
        for structure in self.plan.structures:
            if structure.locations is None:
                continue
            existing = {loc.valid_from: loc for loc in self.plan.locations.get(structure.instance.pk, [])}
            wanted = dict(structure.locations)
            gone += [loc.pk for day, loc in existing.items() if day not in wanted]
            for day, commune in structure.locations:
                location = existing.get(day)
                if location is None:
                    new.append(
                        StructureLocation(
                            structure=structure.instance,
                            commune_id=commune,
                            valid_from=day,
                            recorded_by=self.by,
                            recorded_at=self.now,
                        )
                    )
                elif location.commune_id != commune:
                    location.commune_id, location.recorded_by, location.recorded_at = commune, self.by, self.now
                    changed.append(location)
        StructureLocation.objects.filter(pk__in=gone).delete()
        self._create(new, StructureLocation)
        self._update(changed, StructureLocation, {"commune", "recorded_by", "recorded_at"})

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
                    figures_on=values["figures_on"],
                    submitted_figures=values["submitted_figures"],
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
            {"opens_on", "due_on", "status", "submitted_at", "validated_at", "started_at", "cancelled_at"}
            | {"figures_on", "submitted_figures"},
        )
        self.answers()
        self.schedule_other_phases()

    def answers(self) -> None:
        from django.utils.translation import gettext as _

        self.progress(_("Writing the answers"), 80)
        new, changed = [], []
        user = self.by.pk if self.by is not None else None
        for response in self.plan.responses:
            existing = self.plan.existing_answers.get(response.instance.pk, {})
            for code, value in response.answers.items():
                answer = existing.get(code)
                if answer is None:
                    new.append(
                        {
                            "response_id": response.instance.pk,
                            "question_id": response.questions[code].pk,
                            "value": value,
                            "revision": 1,
                            "updated_at": self.now,
                            "updated_by_id": user,
                        }
                    )
                elif answer.value != value:
                    answer.value, answer.revision = value, answer.revision + 1
                    answer.updated_by, answer.updated_at = self.by, self.now
                    changed.append(answer)
        self._fast_create(Answer, new)
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
        self._training_contents([t for t in self.plan.trainings if t.instance in new or t.changed], changed)

    def _training_contents(self, trainings, changed) -> None:
        """Structures present, days, trainees and attendance of the new and changed
        trainings, in a few queries whatever their number: what the file does not give
        any more goes, what it adds is created (every trainee present every day)."""
        if not trainings:
            return
        changed_pks = [t.instance.pk for t in changed]
        through = Training.structures.through
        through.objects.filter(training_id__in=changed_pks).delete()
        through.objects.bulk_create(
            [
                through(training_id=t.instance.pk, spreadstructure_id=s.instance.pk)
                for t in trainings
                for s in t.structures
            ],
            batch_size=BATCH,
        )
        days = {(d.training_id, d.date): d.pk for d in TrainingDay.objects.filter(training_id__in=changed_pks)}
        people = {
            (p.training_id, p.structure_id, p.full_name): p.pk
            for p in TrainingParticipant.objects.filter(training_id__in=changed_pks)
        }
        wanted_days = {(t.instance.pk, date) for t in trainings for date in t.days}
        wanted_people = {
            (t.instance.pk, structure.instance.pk, name): t for t in trainings for structure, name in trainee_names(t)
        }
        TrainingDay.objects.filter(pk__in=[pk for key, pk in days.items() if key not in wanted_days]).delete()
        TrainingParticipant.objects.filter(
            pk__in=[pk for key, pk in people.items() if key not in wanted_people]
        ).delete()
        missing_days = sorted(key for key in wanted_days if key not in days)
        ids = self._fast_create(
            TrainingDay,
            [
                {"training_id": t, "date": date, "starts_at": None, "ends_at": None, "topic": ""}
                for t, date in missing_days
            ],
        )
        days.update(zip(missing_days, ids, strict=True))
        missing_people = [key for key in wanted_people if key not in people]
        ids = self._fast_create(
            TrainingParticipant,
            [
                {"training_id": t, "structure_id": s, "full_name": name, "function": "", "email": ""}
                for t, s, name in missing_people
            ],
        )
        people.update(zip(missing_people, ids, strict=True))
        present = set(
            Attendance.objects.filter(day__training_id__in=changed_pks, present=True).values_list(
                "day_id", "participant_id"
            )
        )
        Attendance.objects.filter(day__training_id__in=changed_pks, present=False).delete()
        rows = []
        for training_pk, structure_pk, name in wanted_people:
            participant = people[(training_pk, structure_pk, name)]
            for date in wanted_people[(training_pk, structure_pk, name)].days:
                day = days[(training_pk, date)]
                if (day, participant) not in present:
                    rows.append({"day_id": day, "participant_id": participant, "present": True})
        self._fast_create(Attendance, rows)

    # Bulk rows ---------------------------------------------------------------------------

    def _fast_create(self, model, rows: list[dict]) -> list[int]:
        """Insert ``rows`` (``{attname: value}`` for every column but the key) and their
        history records (``+``, by the importing user, with the import's reason) in two
        statements per thousand rows; returns the new keys in order. Used for the big
        tables (answers, training days, trainees, attendance), where building model
        instances and their history through the ORM took most of the import's time."""
        if not rows:
            return []
        from psycopg2.extras import Json, execute_values

        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        json_fields = {field.attname for field in fields if isinstance(field, models.JSONField)}

        def value(row, name):
            return Json(row[name]) if name in json_fields else row[name]

        table, key = model._meta.db_table, model._meta.pk.column
        columns = ", ".join(f'"{field.column}"' for field in fields)
        history = model.history.model
        tracked = [field.attname for field in fields]
        history_columns = ", ".join(
            f'"{column}"'
            for column in [
                key,
                *[f.column for f in fields],
                "history_date",
                "history_change_reason",
                "history_type",
                "history_user_id",
            ]
        )
        user = self.by.pk if self.by is not None else None
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            ids = [
                row[0]
                for row in execute_values(
                    cursor,
                    # Names from the models' metadata, values passed as parameters.
                    f'INSERT INTO "{table}" ({columns}) VALUES %s RETURNING "{key}"',  # noqa: S608
                    [tuple(value(row, name) for name in tracked) for row in rows],
                    page_size=BATCH,
                    fetch=True,
                )
            ]
            execute_values(
                cursor,
                f'INSERT INTO "{history._meta.db_table}" ({history_columns}) VALUES %s',  # noqa: S608
                [
                    (pk, *(value(row, name) for name in tracked), self.now, self.reason, "+", user)
                    for pk, row in zip(ids, rows, strict=True)
                ],
                page_size=BATCH,
            )
        return ids


def write(plan: Plan, *, by, reason: str, progress=None) -> dict:
    """Apply ``plan`` (checked, without issues) in the current transaction; returns
    notes on what was scheduled, cancelled or not created."""
    assert plan.ok, "a plan with issues is never written"
    return Writer(plan, by=by, reason=reason, progress=progress).write()
