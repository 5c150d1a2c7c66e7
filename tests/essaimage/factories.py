"""Factories of spread structures, calls for structures, trainings and support."""

import datetime

import factory

from ais.accounts.models import OrganisationType
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Stage
from tests.ais.factories import CommuneFactory, OrganisationFactory, tiny_pdf_bytes
from tests.projects.factories import InnovationFactory


class SpreadStructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpreadStructure

    innovation = factory.SubFactory(InnovationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = StructureStatus.SPREADING

    class Params:
        withdrawn = factory.Trait(
            status=StructureStatus.WITHDRAWN,
            withdrawn_on=datetime.date(2025, 6, 30),
            withdrawal_reason="Départ de la personne référente",
        )
        candidate = factory.Trait(status=StructureStatus.CANDIDATE)
        selected = factory.Trait(status=StructureStatus.SELECTED)
        signed = factory.Trait(
            agreement=factory.django.FileField(filename="convention.pdf", data=b"%PDF-1.4\n%%EOF\n"),
            agreement_name="convention-partenariat.pdf",
            agreement_signed_on=datetime.date(2025, 1, 15),
        )


class StructureCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.StructureCall"

    innovation = factory.SubFactory(InnovationFactory)
    title = factory.LazyAttribute(lambda o: f"Devenez structure essaimée de {o.innovation.name}")
    description = "Nous cherchons des structures prêtes à adopter l'innovation pendant trois ans."
    opens_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    places = 10
    wave = 1
    published_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))

    class Params:
        draft = factory.Trait(published_at=None)
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60)),
            closes_on=factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1)),
        )


class StructureApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.StructureApplication"

    call = factory.SubFactory(StructureCallFactory)
    organisation_name = factory.Sequence(lambda n: f"Chantier d'insertion n°{n}")
    organisation_kind = OrganisationType.ACI
    commune = factory.SubFactory(CommuneFactory)
    capacity = 24
    motivation = "Nous accompagnons déjà des DELD et voulons renforcer le lien avec les entreprises."
    contact_first_name = "Sami"
    contact_last_name = factory.Sequence(lambda n: f"Benali{n}")
    contact_email = factory.Sequence(lambda n: f"candidature{n}@structure.fr")
    contact_function = "Directeur"


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.Training"

    innovation = factory.SubFactory(InnovationFactory, stage=Stage.ESSAIMAGE)
    title = factory.Sequence(lambda n: f"Formation-action, promotion {n}")
    kind = "formation_action"
    mode = "on_site"
    place = "Maison des associations, Lyon"
    trainers = "Équipe du porteur et Ansa"


class TrainingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.TrainingDay"

    training = factory.SubFactory(TrainingFactory)
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 6) + datetime.timedelta(days=30 * n))
    starts_at = datetime.time(9, 30)
    ends_at = datetime.time(17, 0)
    topic = "Les fondamentaux du modèle"


class TrainingParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.TrainingParticipant"

    training = factory.SubFactory(TrainingFactory)
    structure = factory.SubFactory(SpreadStructureFactory, innovation=factory.SelfAttribute("..training.innovation"))
    full_name = factory.Sequence(lambda n: f"Morgane Leroy{n}")
    function = "Conseillère en insertion"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.Attendance"

    participant = factory.SubFactory(TrainingParticipantFactory)
    day = factory.SubFactory(TrainingDayFactory, training=factory.SelfAttribute("..participant.training"))
    present = True


class TrainingDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.TrainingDocument"

    training = factory.SubFactory(TrainingFactory)
    title = "Support de la journée 1"
    file = factory.django.FileField(filename="support.pdf", data=tiny_pdf_bytes())
    original_name = "support-journee-1.pdf"
    mime_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(tiny_pdf_bytes()))


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.SupportRequest"

    structure = factory.SubFactory(SpreadStructureFactory)
    innovation = factory.SelfAttribute("structure.innovation")
    date = datetime.date(2025, 5, 12)
    channel = "phone"
    topic = "method"
    minutes_spent = 30
    question = "Comment adapter les ateliers collectifs à un public rural ?"
    answer = "Proposer des ateliers itinérants et le covoiturage solidaire."
    resolved = True


class SiteVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "essaimage.SiteVisit"

    structure = factory.SubFactory(SpreadStructureFactory)
    innovation = factory.SelfAttribute("structure.innovation")
    date = datetime.date(2025, 6, 3)
    visitors = "Chargée de projets Ansa"
    people_met = "Directrice\nDeux encadrants techniques"
    report = "La structure applique le modèle avec fidélité ; point d'attention sur le recrutement."
