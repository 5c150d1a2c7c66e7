"""The steering committee's work on a call: assignment, conflicts of interest,
reviews, ranking and the selection session. One documented function per change.

Rules held here (docs/architecture.md, "Where the rules live"): a member declares a conflict or its absence
before seeing a dossier; with a conflict the dossier leaves their list and the
managers are told to reassign it; members see others' scores only after
submitting their own; nothing changes once the session is closed.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from ais.accounts.models import Role, User
from ais.accounts.services import invite_person
from ais.core.dates import long_date
from ais.outbox import reasons
from ais.outbox.services import queue_email, queue_templated_email

from .emails import REVIEW_REMINDER, SELECTION_DECISION
from .models import (
    Call,
    Decision,
    Dossier,
    DossierStatus,
    Innovation,
    Recommendation,
    Review,
    ReviewAssignment,
    Score,
    SelectionSession,
    SessionDecision,
    SessionStatus,
    Stage,
)
from .services import DossierError

DISAGREEMENT_SPREAD = 1.5  # standard deviation of a criterion's scores that flags disagreement


def _locked(call: Call) -> bool:
    return call.sessions.filter(status=SessionStatus.CLOSED).exists()


def _check_open(call: Call) -> None:
    if _locked(call):
        raise DossierError(_("The selection session of this call is closed: scores and decisions are locked."))


# --------------------------------------------------------------------------
# Membership of the committee
# --------------------------------------------------------------------------


def _record_on_call(call: Call, reason: str, by) -> None:
    """A history row of the call saying what changed in its committee: the
    many-to-many keeps no history of its own, the call's audit trail does."""
    call._history_user = by
    call._change_reason = reason
    call.save(update_fields=["reviewers_per_dossier"])


def add_committee_member(call: Call, member: User, *, by) -> None:
    """Make ``member`` (an active person holding the committee role) a member of the
    call's committee, so that dossiers can be given to them. Audited on the call."""
    _check_open(call)
    if not member.is_active or not member.memberships.filter(role=Role.COMMITTEE).exists():
        raise DossierError(
            _("Only an active person with the committee member role can join the committee."), field="member"
        )
    if call.committee_members.filter(pk=member.pk).exists():
        raise DossierError(_("%(name)s is already a member of this committee.") % {"name": member}, field="member")
    with transaction.atomic():
        call.committee_members.add(member)
        _record_on_call(call, _("Committee member added: %(name)s") % {"name": member}, by)


def remove_committee_member(call: Call, member: User, *, by) -> None:
    """Take ``member`` off the call's committee. Refused while dossiers of the call are
    given to them (remove those first; a member who has reviewed or declared a
    conflict stays, since their review counts). Audited on the call."""
    _check_open(call)
    if not call.committee_members.filter(pk=member.pk).exists():
        raise DossierError(_("%(name)s is not a member of this committee.") % {"name": member})
    assigned = ReviewAssignment.objects.filter(dossier__call=call, member=member).count()
    if assigned:
        raise DossierError(
            ngettext(
                "%(name)s still has %(count)d dossier of this call to review: take it back first.",
                "%(name)s still has %(count)d dossiers of this call to review: take them back first.",
                assigned,
            )
            % {"name": member, "count": assigned}
        )
    with transaction.atomic():
        call.committee_members.remove(member)
        _record_on_call(call, _("Committee member removed: %(name)s") % {"name": member}, by)


def invite_committee_member(call: Call, *, email: str, first_name: str, last_name: str, organisation=None, by) -> User:
    """Invite a new person with the committee member role (they choose their password
    from the e-mail: ``ais.accounts.services.invite_person``) and add them to the call's
    committee, in one transaction."""
    _check_open(call)
    with transaction.atomic():
        member = invite_person(
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=Role.COMMITTEE,
            organisation=organisation,
            by=by,
        )
        add_committee_member(call, member, by=by)
    return member


# --------------------------------------------------------------------------
# Assignment
# --------------------------------------------------------------------------


@dataclass
class AssignmentReport:
    created: int = 0
    unfilled: dict = field(default_factory=dict)  # dossier -> missing reviewers


def assign_reviewers(call: Call, *, by) -> AssignmentReport:
    """Give each eligible dossier ``call.reviewers_per_dossier`` members.

    Members who declared a conflict on a dossier are never given it again;
    each new assignment goes to the least-loaded member (ties: fewest
    assignments on this call, then name), so loads differ by at most one when
    conflicts allow. Dossiers that cannot get enough members are reported.
    """
    _check_open(call)
    members = list(call.committee_members.filter(is_active=True).order_by("last_name", "first_name", "pk"))
    dossiers = list(call.dossiers.filter(status=DossierStatus.ELIGIBLE).order_by("pk"))
    existing = list(
        ReviewAssignment.objects.filter(dossier__call=call).values_list("dossier_id", "member_id", "has_conflict")
    )
    load = {m.pk: 0 for m in members}
    assigned = defaultdict(set)
    active = defaultdict(int)
    for dossier_id, member_id, conflict in existing:
        assigned[dossier_id].add(member_id)
        if conflict is not True:
            active[dossier_id] += 1
            if member_id in load:
                load[member_id] += 1
    report = AssignmentReport()
    new = []
    for dossier in dossiers:
        missing = call.reviewers_per_dossier - active[dossier.pk]
        while missing > 0:
            candidates = [m for m in members if m.pk not in assigned[dossier.pk]]
            if not candidates:
                report.unfilled[dossier] = missing
                break
            member = min(candidates, key=lambda m: (load[m.pk], members.index(m)))
            new.append(ReviewAssignment(dossier=dossier, member=member))
            assigned[dossier.pk].add(member.pk)
            load[member.pk] += 1
            missing -= 1
    with transaction.atomic():
        for assignment in new:
            assignment._history_user = by
            assignment.save()
        notify_assigned(call, {assignment.member for assignment in new})
    report.created = len(new)
    return report


def assign_member(dossier: Dossier, member: User, *, by) -> ReviewAssignment:
    """Manual assignment by a manager."""
    _check_open(dossier.call)
    if not dossier.call.committee_members.filter(pk=member.pk).exists():
        raise DossierError(_("This person is not a member of the committee for this call."))
    assignment = ReviewAssignment.objects.filter(dossier=dossier, member=member).first()
    if assignment is not None:
        if assignment.has_conflict:
            raise DossierError(_("This member declared a conflict of interest on this dossier."))
        return assignment
    assignment = ReviewAssignment(dossier=dossier, member=member)
    assignment._history_user = by
    assignment.save()
    notify_assigned(dossier.call, {member})
    return assignment


def notify_assigned(call: Call, members) -> None:
    """Tell members they have dossiers to review (one e-mail each time their list grows)."""
    for member in members:
        total = ReviewAssignment.objects.for_member(member).filter(dossier__call=call).count()
        queue_templated_email(
            recipient=member.email,
            template="projects/email/review_assigned",
            context={
                "call": call,
                "member": member,
                "count": total,
                "url": settings.SITE_URL + reverse("projects:my_reviews"),
            },
            reason=REVIEW_REMINDER,
            related_object=call,
            dedup_key=f"review-assigned:{call.pk}:{member.pk}:{total}",
        )


def unassign(assignment: ReviewAssignment, *, by) -> None:
    _check_open(assignment.dossier.call)
    if assignment.has_conflict:
        # The declaration is what keeps the member from being given the dossier again.
        raise DossierError(_("This member declared a conflict of interest on this dossier."))
    if Review.objects.filter(assignment=assignment, submitted_at__isnull=False).exists():
        raise DossierError(_("This member has already submitted a review: it cannot be removed."))
    assignment._history_user = by
    assignment.delete()


def declare_conflict(assignment: ReviewAssignment, *, has_conflict: bool, note: str = "", by) -> ReviewAssignment:
    """Record the member's declaration. With a conflict, the dossier leaves their
    list and the call's managers are asked by e-mail to reassign it."""
    _check_open(assignment.dossier.call)
    if assignment.has_conflict is not None:
        raise DossierError(_("You have already made your declaration for this dossier."))
    if has_conflict and not note.strip():
        raise DossierError(_("Say in a few words what the conflict of interest is."))
    assignment.has_conflict = has_conflict
    assignment.conflict_note = note.strip()
    assignment.declared_at = timezone.now()
    assignment._history_user = by
    assignment.save(update_fields=["has_conflict", "conflict_note", "declared_at"])
    if has_conflict:
        url = settings.SITE_URL + reverse("projects:committee", args=[assignment.dossier.call_id])
        managers = User.objects.filter(is_active=True, memberships__role=Role.MANAGER).distinct()
        for manager in managers:
            queue_email(
                recipient=manager.email,
                subject=_("Conflict of interest declared: reassign a dossier"),
                body=_(
                    "%(member)s declared a conflict of interest on the dossier “%(dossier)s”. "
                    "Assign it to another member: %(url)s"
                )
                % {"member": assignment.member, "dossier": assignment.dossier, "url": url},
                reason=reasons.OTHER,
                related_object=assignment,
                dedup_key=f"conflict:{assignment.pk}:{manager.pk}",
            )
    return assignment


# --------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------


def save_review(
    assignment: ReviewAssignment, *, scores: dict, recommendation: str, comment: str, submit: bool, by
) -> Review:
    """Save the member's scores (``{criterion_id: (value, comment)}``) as a draft,
    or submit them. A submitted review is final; all criteria and a
    recommendation are needed to submit. Saves of one assignment run one after the
    other (its row is locked): of simultaneous submissions (a double click, a retried
    request) the first submits, the others find the review submitted."""
    call = assignment.dossier.call
    _check_open(call)
    if assignment.has_conflict is not False:
        raise DossierError(_("Declare whether you have a conflict of interest before scoring."))
    with transaction.atomic():
        ReviewAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        review, _created = Review.objects.get_or_create(assignment=assignment)
        if review.is_submitted:
            raise DossierError(_("Your review is submitted: it can no longer be changed."))
        criteria = {c.pk: c for c in call.criteria.all()}
        if any(value is not None and not 0 <= value <= 5 for value, _text in scores.values()):
            raise DossierError(_("Each score goes from 0 to 5."))
        if submit:
            missing = [c for pk, c in criteria.items() if scores.get(pk, (None, ""))[0] is None]
            if missing or not recommendation:
                raise DossierError(_("Score every criterion and give a recommendation before submitting."))
        existing = {score.criterion_id: score for score in review.scores.all()}
        for criterion_id, (value, text) in scores.items():
            if criterion_id not in criteria:
                continue
            score = existing.get(criterion_id)
            if value is None:
                if score is not None:
                    score._history_user = by
                    score.delete()
                continue
            if score is None:
                score = Score(review=review, criterion_id=criterion_id)
            elif (score.value, score.comment) == (value, text or ""):
                continue
            score.value, score.comment = value, text or ""
            score._history_user = by  # the audit trail names the member, also outside a request
            score.save()
        review.recommendation = recommendation or ""
        review.comment = comment or ""
        if submit:
            review.submitted_at = timezone.now()
        review._history_user = by
        review.save()
    return review


def reviews_visible_to(assignment: ReviewAssignment):
    """Other members' submitted reviews of the dossier — only once this member submitted theirs."""
    own = Review.objects.filter(assignment=assignment, submitted_at__isnull=False).exists()
    if not own:
        return Review.objects.none()
    return (
        Review.objects.filter(assignment__dossier=assignment.dossier, submitted_at__isnull=False)
        .exclude(assignment=assignment)
        .select_related("assignment__member")
        .prefetch_related("scores__criterion")
    )


# --------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------


@dataclass
class CriterionStat:
    criterion: object
    mean: float | None
    spread: float | None  # population standard deviation
    disagreement: bool


@dataclass
class RankingRow:
    dossier: Dossier
    weighted: float | None  # 0–5
    criteria: list
    done: int
    expected: int
    recommendations: dict
    disagreement: bool
    rank: int | None = None  # None: no submitted score yet, listed after the ranked ones

    @property
    def recommendation_summary(self) -> list[tuple[str, int]]:
        """``[(label, count)]`` of the submitted recommendations, in the choices' order."""
        return [
            (label, self.recommendations[value])
            for value, label in Recommendation.choices
            if self.recommendations.get(value)
        ]


def ranking(call: Call) -> list[RankingRow]:
    """Per eligible dossier: weighted score on 0–5 (Σ weight × criterion mean / Σ
    weights, over submitted reviews), each criterion's mean and spread, reviews
    done versus expected, and a disagreement flag; best first, then the dossiers not
    scored yet, without a rank. Four queries."""
    criteria = list(call.criteria.order_by("position", "pk"))
    dossiers = list(
        call.dossiers.filter(status=DossierStatus.ELIGIBLE)
        .select_related("organisation")
        .annotate(expected=Count("assignments", filter=~Q(assignments__has_conflict=True)))
    )
    values = defaultdict(list)
    for dossier_id, criterion_id, value in Score.objects.filter(
        review__assignment__dossier__call=call, review__submitted_at__isnull=False
    ).values_list("review__assignment__dossier_id", "criterion_id", "value"):
        values[(dossier_id, criterion_id)].append(value)
    done = defaultdict(int)
    recommendations = defaultdict(lambda: defaultdict(int))
    for dossier_id, recommendation in Review.objects.filter(
        assignment__dossier__call=call, submitted_at__isnull=False
    ).values_list("assignment__dossier_id", "recommendation"):
        done[dossier_id] += 1
        recommendations[dossier_id][recommendation] += 1
    rows = []
    for dossier in dossiers:
        stats = []
        total = Decimal(0)
        weights = Decimal(0)
        for criterion in criteria:
            scores = values.get((dossier.pk, criterion.pk), [])
            mean = statistics.fmean(scores) if scores else None
            spread = statistics.pstdev(scores) if len(scores) > 1 else (0.0 if scores else None)
            stats.append(CriterionStat(criterion, mean, spread, spread is not None and spread >= DISAGREEMENT_SPREAD))
            if mean is not None:
                total += criterion.weight * Decimal(str(mean))
                weights += criterion.weight
        weighted = float(total / weights) if weights else None
        rows.append(
            RankingRow(
                dossier,
                weighted,
                stats,
                done[dossier.pk],
                dossier.expected,
                dict(recommendations[dossier.pk]),
                any(s.disagreement for s in stats),
            )
        )
    rows.sort(key=lambda r: (r.weighted is None, -(r.weighted or 0), r.dossier.innovation_name))
    for position, row in enumerate((row for row in rows if row.weighted is not None), start=1):
        row.rank = position
    return rows


# --------------------------------------------------------------------------
# Selection session
# --------------------------------------------------------------------------


def open_session(call: Call, *, held_on, place: str, by) -> SelectionSession:
    """Prepare the session with a pending decision for each eligible dossier."""
    _check_open(call)
    session = SelectionSession(call=call, held_on=held_on, place=place)
    session._history_user = by
    session.save()
    bulk_create_with_history(
        [
            SessionDecision(session=session, dossier=dossier)
            for dossier in call.dossiers.filter(status=DossierStatus.ELIGIBLE)
        ],
        SessionDecision,
        default_user=by,
    )
    return session


def record_decision(decision: SessionDecision, *, value: str, motivation: str, by) -> SessionDecision:
    if decision.session.is_closed:
        raise DossierError(_("The session is closed: its decisions are locked."))
    _check_open(decision.session.call)  # another session of the call already closed it
    if value != Decision.PENDING and not motivation.strip():
        raise DossierError(_("Give the motivation of the decision: the carrier will read it."))
    decision.decision = value
    decision.motivation = motivation.strip()
    decision._history_user = by
    decision.save(update_fields=["decision", "motivation"])
    return decision


def close_session(session: SelectionSession, *, by) -> SelectionSession:
    """Close the session: every dossier must have a decision. Scores and decisions
    are locked from then on; each selected dossier becomes an innovation in stage I."""
    with transaction.atomic():
        # Locked so that two managers closing at once do not create the innovations twice.
        session.status = (
            SelectionSession.objects.select_for_update().values_list("status", flat=True).get(pk=session.pk)
        )
        if session.is_closed:
            raise DossierError(_("The session is already closed."))
        _check_open(session.call)
        if session.decisions.filter(decision=Decision.PENDING).exists():
            raise DossierError(_("Some dossiers have no decision yet."))
        for decision in session.decisions.select_related("dossier__organisation").filter(
            decision=Decision.SELECTED, innovation__isnull=True
        ):
            decision.innovation = create_innovation(
                decision.dossier, year=session.held_on.year, on=timezone.localdate(session.held_on), by=by
            )
            decision._history_user = by
            decision.save(update_fields=["innovation"])
        session.status = SessionStatus.CLOSED
        session.closed_at = timezone.now()
        session._history_user = by
        session.save(update_fields=["status", "closed_at"])
    return session


def create_innovation(dossier: Dossier, *, year: int, on=None, by=None) -> Innovation:
    """The innovation born of a selected dossier, in stage I, linked to its carrier,
    selected on ``on`` (the session's date; its year is ``year``)."""
    base = slugify(dossier.innovation_name.replace("_", "-"))[:180] or f"innovation-{dossier.pk}"
    slug, index = base, 2
    while Innovation.objects.filter(slug=slug).exists():
        slug, index = f"{base}-{index}", index + 1
    name, index = dossier.innovation_name or slug, 2
    while Innovation.objects.filter(name=name).exists():
        name, index = f"{dossier.innovation_name} ({index})", index + 1
    innovation = Innovation(
        name=name,
        slug=slug,
        summary=dossier.summary[:300],
        description=dossier.description,
        carrier=dossier.organisation,
        origin_commune=dossier.origin_commune,
        year_started=dossier.year_started,
        year_selected=on.year if on else year,
        selected_on=on,
        stage=Stage.FEASIBILITY,
        publics=dossier.publics,
        keywords=dossier.keywords,
        is_published=False,
    )
    innovation._history_user = by
    innovation.save()
    return innovation


EMAIL_PLACEHOLDERS = ("call", "date", "dossier", "decision", "motivation")


def fill_email_template(template: str, **values) -> str:
    """The e-mail text with its ``{placeholders}`` filled (unknown ones left empty).
    Raises ``ValueError`` for a text ``str.format`` cannot read (a lone brace, ``{0}``)."""
    return template.format_map(defaultdict(str, {name: values.get(name, "") for name in EMAIL_PLACEHOLDERS}))


def release_decisions(session: SelectionSession, *, by) -> int:
    """Tell every carrier the decision on their dossier, all together, from the
    session's e-mail template. Only for a closed session; never twice."""
    if not session.is_closed:
        raise DossierError(_("Close the session before releasing its decisions."))
    if session.released_at:
        raise DossierError(_("The decisions were already released."))
    from .services import _carrier_recipients

    count = 0
    with translation.override(settings.LANGUAGE_CODE):  # the template is in the programme's language
        when = long_date(session.held_on)
        labels = {value: str(label).lower() for value, label in Decision.choices}
    for decision in session.decisions.select_related("dossier__call", "dossier__organisation"):
        body = fill_email_template(
            session.email_body,
            call=session.call.title,
            date=when,
            dossier=str(decision.dossier),
            decision=labels[decision.decision],
            motivation=decision.motivation,
        )
        for email in _carrier_recipients(decision.dossier):
            queue_email(
                recipient=email,
                subject=session.email_subject,
                body=body,
                reason=SELECTION_DECISION,
                related_object=decision,
                dedup_key=f"selection-decision:{decision.pk}:{email}",
            )
            count += 1
    session.released_at = timezone.now()
    session._history_user = by
    session.save(update_fields=["released_at"])
    return count


def remind_pending_reviews(*, now=None) -> int:
    """Remind members with pending reviews in the three days before the call's
    review deadline (once per member and deadline)."""
    now = now or timezone.now()
    count = 0
    calls = Call.objects.filter(review_deadline__gt=now, review_deadline__lte=now + timezone.timedelta(days=3)).exclude(
        sessions__status=SessionStatus.CLOSED
    )
    for call in calls:
        pending = (
            ReviewAssignment.objects.filter(
                dossier__call=call, dossier__status=DossierStatus.ELIGIBLE, member__is_active=True
            )
            .exclude(has_conflict=True)
            .exclude(review__submitted_at__isnull=False)
            .values("member_id", "member__email")
            .annotate(n=Count("pk"))
        )
        for row in pending:
            _email, created = queue_templated_email(
                recipient=row["member__email"],
                template="projects/email/review_reminder",
                context={"call": call, "count": row["n"], "url": settings.SITE_URL + reverse("projects:my_reviews")},
                reason=REVIEW_REMINDER,
                dedup_key=f"review-reminder:{call.pk}:{row['member_id']}:{call.review_deadline.isoformat()}",
            )
            count += created
    return count
