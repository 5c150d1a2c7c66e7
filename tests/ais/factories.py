"""Factories of the core: territories, organisations, users and roles, outbox rows; shared test helpers."""

import factory
from django.contrib.auth.hashers import make_password

from ais.accounts.models import Membership, Network, Organisation, OrganisationType, Role, User
from ais.outbox.models import OutgoingEmail
from ais.territories.models import Commune, Department, Region

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
    # Hashed (``UserFactory(password=...)`` too) before the user is saved: one INSERT, not an
    # INSERT then an UPDATE (and a second entry of the user's history) to set the password.
    password = factory.Transformer(PASSWORD, transform=make_password)

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


def tiny_pdf_bytes(pages: int = 1) -> bytes:
    """A real, minimal PDF (catalogue, page tree, empty pages, xref, ``%%EOF``)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>" for _ in range(pages)],
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _now():
    from django.utils import timezone

    return timezone.now()


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)
