"""Factories of calls, dossiers, the committee, innovations and their accompaniment."""

import datetime

import factory
from django.utils.text import slugify

from ais.accounts.models import Membership, Role
from projects.models import Innovation, Stage
from tests.ais.factories import CommuneFactory, OrganisationFactory, UserFactory, _days, _now, tiny_pdf_bytes


class InnovationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Innovation

    name = factory.Sequence(lambda n: f"Innovation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    summary = "Une innovation qui marche pour les chômeurs de longue durée."
    carrier = factory.SubFactory(OrganisationFactory)
    origin_commune = factory.SubFactory(CommuneFactory)
    stage = Stage.FEASIBILITY
    is_published = True

    class Params:
        spreading = factory.Trait(stage=Stage.ESSAIMAGE)
        unpublished = factory.Trait(is_published=False)


class CallFactory(factory.django.DjangoModelFactory):
    """A published call, open from 10 days ago to 20 days ahead, with the default
    required questions and (unless ``grid=False``) the default selection grid."""

    class Meta:
        model = "projects.Call"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Appel à projets n°{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    year = factory.LazyFunction(lambda: _now().year)
    theme = "Accès à l'emploi des chômeurs de longue durée"
    description = "Le programme cherche des innovations locales qui marchent."
    eligibility = "Structures de l'ESS portant une innovation depuis au moins deux ans."
    opens_at = factory.LazyFunction(lambda: _now() - _days(10))
    closes_at = factory.LazyFunction(lambda: _now() + _days(20))
    required_questions = factory.LazyFunction(lambda: _default_required_questions())
    reminder_days = 7
    published_at = factory.LazyAttribute(lambda o: o.opens_at - _days(5))

    class Params:
        draft = factory.Trait(published_at=None)
        upcoming = factory.Trait(
            opens_at=factory.LazyFunction(lambda: _now() + _days(10)),
            closes_at=factory.LazyFunction(lambda: _now() + _days(40)),
            published_at=factory.LazyFunction(_now),
        )
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: _now() - _days(40)),
            closes_at=factory.LazyFunction(lambda: _now() - _days(10)),
        )

    @factory.post_generation
    def grid(obj, create, extracted, **kwargs):
        """``CallFactory(grid=False)`` for a call without selection criteria."""
        if create and extracted is not False:
            from projects.services import add_default_grid

            add_default_grid(obj)

    @factory.post_generation
    def target_departments(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.target_departments.set(extracted)


def _default_required_questions():
    from projects.models import DEFAULT_REQUIRED_QUESTIONS

    return list(DEFAULT_REQUIRED_QUESTIONS)


def _carrier_of(organisation):
    return UserFactory(roles=[(Role.CARRIER, organisation)])


class DossierFactory(factory.django.DjangoModelFactory):
    """A draft dossier of a carrier organisation; ``complete`` answers every default
    required question, ``submitted`` is complete and submitted."""

    class Meta:
        model = "projects.Dossier"

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(lambda o: _carrier_of(o.organisation))

    class Params:
        complete = factory.Trait(
            innovation_name=factory.Sequence(lambda n: f"Innovation candidate {n}"),
            summary="Un accompagnement vers l'emploi qui marche.",
            description="Nous accompagnons chaque personne de la première rencontre jusqu'à l'emploi.",
            year_started=2018,
            origin_commune=factory.SubFactory(CommuneFactory),
            publics=["deld"],
            keywords=["accompagnement_individuel"],
            people_accompanied=120,
            exits_to_employment=54,
            job_retention_rate=70,
            results_period="2023-2024",
            formalisation_level="documented",
            process_description="Accueil, diagnostic, immersion en entreprise, suivi dans l'emploi.",
            transposition_will="Partager la méthode avec d'autres territoires.",
            transposition_capacity="Deux personnes à mi-temps pour former les structures.",
            resources="5 ETP, budget de 300 000 euros, financé par le Département.",
        )
        submitted = factory.Trait(
            complete=True,
            status="submitted",
            submitted_at=factory.LazyFunction(_now),
        )


class DossierAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.DossierAttachment"

    dossier = factory.SubFactory(DossierFactory)
    file = factory.django.FileField(filename="rapport.pdf", data=tiny_pdf_bytes())
    original_name = "rapport-evaluation.pdf"
    mime_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(tiny_pdf_bytes()))
    description = "Rapport d'évaluation"
    uploaded_by = factory.LazyAttribute(lambda o: o.dossier.created_by)


class InternalNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.InternalNote"

    dossier = factory.SubFactory(DossierFactory)
    author = factory.SubFactory(UserFactory, roles=[Role.MANAGER])
    text = factory.Sequence(lambda n: f"Note interne confidentielle n°{n}")


class SelectionCriterionFactory(factory.django.DjangoModelFactory):
    """A criterion of a call's grid; use with ``CallFactory(grid=False)`` for a grid of your own."""

    class Meta:
        model = "projects.SelectionCriterion"

    call = factory.SubFactory(CallFactory, grid=False)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Critère n°{n}")
    weight = 1


class EligibleDossierFactory(DossierFactory):
    """A submitted dossier the programme team found eligible: ready for the committee."""

    complete = True
    status = "eligible"
    submitted_at = factory.LazyFunction(_now)


class CommitteeMemberFactory(UserFactory):
    """A user holding the committee role."""

    @factory.post_generation
    def committee_role(obj, create, extracted, **kwargs):
        if create:
            Membership.objects.create(user=obj, role=Role.COMMITTEE)
            obj.__dict__.pop("_role_codes", None)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """An eligible dossier given to a committee member who has not declared yet;
    ``declared`` (no conflict) or ``conflict`` (with its note) for the declaration."""

    class Meta:
        model = "projects.ReviewAssignment"

    dossier = factory.SubFactory(EligibleDossierFactory)
    member = factory.SubFactory(CommitteeMemberFactory)

    class Params:
        declared = factory.Trait(has_conflict=False, declared_at=factory.LazyFunction(_now))
        conflict = factory.Trait(
            has_conflict=True,
            conflict_note="Je siège au conseil d'administration de la structure.",
            declared_at=factory.LazyFunction(_now),
        )


class ReviewFactory(factory.django.DjangoModelFactory):
    """A draft review of a member who declared no conflict; ``submitted`` for a final one
    (add its scores with ``ScoreFactory``)."""

    class Meta:
        model = "projects.Review"

    assignment = factory.SubFactory(ReviewAssignmentFactory, declared=True)
    comment = factory.Sequence(lambda n: f"Avis du membre n°{n}")

    class Params:
        submitted = factory.Trait(recommendation="select", submitted_at=factory.LazyFunction(_now))


class ScoreFactory(factory.django.DjangoModelFactory):
    """A score on the first criterion of the review's call unless ``criterion`` is given."""

    class Meta:
        model = "projects.Score"

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.LazyAttribute(lambda o: o.review.assignment.dossier.call.criteria.order_by("position").first())
    value = 3


def submitted_review(assignment, values, *, recommendation="select", comment=""):
    """A submitted review of ``assignment`` scoring the call's criteria in order with ``values``."""
    review = ReviewFactory(assignment=assignment, submitted=True, recommendation=recommendation, comment=comment)
    criteria = assignment.dossier.call.criteria.order_by("position", "pk")
    for criterion, value in zip(criteria, values, strict=True):
        ScoreFactory(review=review, criterion=criterion, value=value)
    return review


class SelectionSessionFactory(factory.django.DjangoModelFactory):
    """An open selection session of a call, without decisions (``committee.open_session``
    creates them for the eligible dossiers)."""

    class Meta:
        model = "projects.SelectionSession"

    call = factory.SubFactory(CallFactory)
    held_on = factory.LazyFunction(_now)
    place = "Paris, ministère du Travail"


class SessionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.SessionDecision"

    session = factory.SubFactory(SelectionSessionFactory)
    dossier = factory.SubFactory(EligibleDossierFactory, call=factory.SelfAttribute("..session.call"))


class InnovationTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.InnovationTarget"

    innovation = factory.SubFactory(InnovationFactory)
    kind = "quantitative"
    label = "Taux de sortie vers l'emploi"
    value = 70
    unit = "%"
    position = factory.Sequence(int)


class StagePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.StagePlan"
        django_get_or_create = ["innovation", "stage"]

    innovation = factory.SubFactory(InnovationFactory)
    stage = Stage.FEASIBILITY


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Deliverable"

    innovation = factory.SubFactory(InnovationFactory)
    kind = "charter"
    title = factory.LazyAttribute(
        lambda o: {"feasibility_study": "Étude de faisabilité", "charter": "Charte d'engagement signée"}.get(
            o.kind, "Livrable"
        )
    )
    file = factory.django.FileField(filename="livrable.pdf", data=tiny_pdf_bytes())
    original_name = "livrable.pdf"
    mime_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(tiny_pdf_bytes()))
    dated = datetime.date(2025, 3, 1)
    conclusion = factory.LazyAttribute(lambda o: "go" if o.kind == "feasibility_study" else "")


class GovernanceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.GovernanceMember"

    innovation = factory.SubFactory(InnovationFactory)
    full_name = factory.Sequence(lambda n: f"Camille Martin{n}")
    organisation_name = "COORACE"
    function = "Présidente"


class AwarenessActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.AwarenessAction"

    innovation = factory.SubFactory(InnovationFactory)
    held_on = datetime.date(2025, 4, 10)
    title = "Webinaire de présentation aux réseaux"
    audience = "Têtes de réseau de l'IAE"
    channel = "webinar"
    people_reached = 45
