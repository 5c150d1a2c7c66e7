"""factory-boy factories for every model, with traits for the usual states."""

import factory
from django.utils.text import slugify

from ais.accounts.models import Membership, Network, Organisation, OrganisationType, Role, User
from ais.outbox.models import OutgoingEmail
from ais.territories.models import Commune, Department, Region
from essaimage.models import SpreadStructure, StructureStatus
from projects.models import Innovation, Stage

PASSWORD = "Un-mot-de-passe-solide-42"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "28"
    name = "Normandie"
    zone = "metro"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = "76"
    name = "Seine-Maritime"
    region = factory.SubFactory(RegionFactory)
    zone = "metro"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code"]

    code = "76540"
    name = "Rouen"
    department = factory.SubFactory(DepartmentFactory)
    postal_codes = "76000 76100"
    population = 114083


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"RESEAU{n}")
    full_name = factory.LazyAttribute(lambda o: f"Réseau {o.name}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association n°{n}")
    kind = OrganisationType.ASSOCIATION
    commune = factory.SubFactory(CommuneFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        """``UserFactory(roles=["manager"])`` or ``roles=[("carrier", organisation)]``."""
        if not create or not extracted:
            return
        for role in extracted:
            role, organisation = role if isinstance(role, tuple) else (role, None)
            Membership.objects.create(user=obj, role=role, organisation=organisation)
        obj.__dict__.pop("_role_codes", None)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.CARRIER
    organisation = factory.SubFactory(OrganisationFactory)


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


class SpreadStructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpreadStructure

    innovation = factory.SubFactory(InnovationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = StructureStatus.SPREADING

    class Params:
        withdrawn = factory.Trait(status=StructureStatus.WITHDRAWN)
        candidate = factory.Trait(status=StructureStatus.CANDIDATE)


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    recipient = factory.Sequence(lambda n: f"destinataire{n}@exemple.fr")
    subject = "Objet du message"
    body = "Bonjour,\n\nCeci est un message.\n"
    dedup_key = factory.Sequence(lambda n: f"test:{n}")

    class Params:
        failed = factory.Trait(status="failed", attempts=5, last_error="SMTPException: refus")
        sent = factory.Trait(status="sent", attempts=1)
