"""The models of calls for projects, dossiers, the steering committee and innovations.

One module per aggregate, in the programme's order:

- ``calls``: a call for projects and its selection grid (``Call``, ``SelectionCriterion``);
- ``dossiers``: a carrier's candidate dossier, its attachments and the managers'
  notes (``Dossier``, ``DossierAttachment``, ``InternalNote``, the dossier's sections
  and questions);
- ``committee``: the steering committee's reviews and selection session
  (``ReviewAssignment``, ``Review``, ``Score``, ``SelectionSession``, ``SessionDecision``);
- ``innovations``: an innovation and its accompaniment through the four stages
  (``Innovation``, ``InnovationTarget``, ``StagePlan``, ``Deliverable``,
  ``GovernanceMember``, ``AwarenessAction``, ``StageTransition``);
- ``vocabulary``: the target publics and keywords that dossiers and innovations share.

The modules refer to each other's models by string (``"projects.Innovation"``) so that
none imports another, except the shared vocabulary. Every model keeps the app label
``projects`` and its table; import them from here: ``from projects.models import Call``.
"""

from .calls import Call, CallQuerySet, SelectionCriterion
from .committee import (
    AssignmentQuerySet,
    Decision,
    Recommendation,
    Review,
    ReviewAssignment,
    Score,
    SelectionSession,
    SessionDecision,
    SessionStatus,
)
from .dossiers import (
    DEFAULT_REQUIRED_QUESTIONS,
    DOSSIER_QUESTIONS,
    Dossier,
    DossierAttachment,
    DossierQuerySet,
    DossierSection,
    DossierStatus,
    FormalisationLevel,
    InternalNote,
)
from .innovations import (
    DELIVERABLE_STAGE,
    AwarenessAction,
    AwarenessChannel,
    ClosureKind,
    Deliverable,
    DeliverableKind,
    FeasibilityConclusion,
    GovernanceMember,
    Innovation,
    InnovationQuerySet,
    InnovationTarget,
    SpreadingModel,
    Stage,
    StagePlan,
    StageTransition,
    TargetKind,
)
from .vocabulary import Keyword, PublicsKeywordsMixin, TargetPublic

__all__ = [
    # calls
    "Call",
    "CallQuerySet",
    "SelectionCriterion",
    # dossiers
    "DEFAULT_REQUIRED_QUESTIONS",
    "DOSSIER_QUESTIONS",
    "Dossier",
    "DossierAttachment",
    "DossierQuerySet",
    "DossierSection",
    "DossierStatus",
    "FormalisationLevel",
    "InternalNote",
    # committee
    "AssignmentQuerySet",
    "Decision",
    "Recommendation",
    "Review",
    "ReviewAssignment",
    "Score",
    "SelectionSession",
    "SessionDecision",
    "SessionStatus",
    # innovations and their accompaniment
    "DELIVERABLE_STAGE",
    "AwarenessAction",
    "AwarenessChannel",
    "ClosureKind",
    "Deliverable",
    "DeliverableKind",
    "FeasibilityConclusion",
    "GovernanceMember",
    "Innovation",
    "InnovationQuerySet",
    "InnovationTarget",
    "SpreadingModel",
    "Stage",
    "StagePlan",
    "StageTransition",
    "TargetKind",
    # shared vocabulary
    "Keyword",
    "PublicsKeywordsMixin",
    "TargetPublic",
]
