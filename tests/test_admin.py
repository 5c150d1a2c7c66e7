"""Every page of the Django admin (``/django-admin/``) opens, in French, for a superuser.

The models come from ``admin.site._registry``: a model registered tomorrow is covered by
these tests, and fails ``test_every_registered_model_has_an_instance_recipe`` until
``INSTANCES`` says how to create one of its objects. For each model: the list (and its
search when the admin has ``search_fields``), the add form, the change form, the history
and the delete confirmation of one object. The add form of the simple models is posted
for real.
"""

import datetime
import html

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Network, Organisation, OrganisationType, User
from ais.territories.models import Commune, Department, Region
from tests.ais.factories import (
    CommuneFactory,
    DepartmentFactory,
    NetworkFactory,
    OrganisationFactory,
    OutgoingEmailFactory,
    RegionFactory,
    UserFactory,
)
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import InnovationFactory


def _periodic_task():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(
        name="Relances (test)", task="evaluation.tasks.send_reminders", interval=every_hour
    )


def _beat(model_name, **fields):
    def create():
        from django_celery_beat import models

        return getattr(models, model_name).objects.create(**fields)

    return create


def _axes(model_name, **fields):
    def create():
        from axes import models

        access = {
            "user_agent": "Mozilla/5.0 (pytest)",
            "ip_address": "192.0.2.10",
            "username": "personne@exemple.fr",
            "http_accept": "text/html",
            "path_info": "/compte/connexion/",
        }
        return getattr(models, model_name).objects.create(**access, **fields)

    return create


# How to get one object of each registered model ("app_label.ModelName").
INSTANCES = {
    "django_celery_beat.PeriodicTask": _periodic_task,
    "django_celery_beat.IntervalSchedule": _beat("IntervalSchedule", every=10, period="minutes"),
    "django_celery_beat.CrontabSchedule": _beat("CrontabSchedule", minute="0", hour="6"),
    "django_celery_beat.SolarSchedule": _beat("SolarSchedule", event="sunrise", latitude=49.44, longitude=1.1),
    "django_celery_beat.ClockedSchedule": _beat(
        "ClockedSchedule", clocked_time=timezone.make_aware(datetime.datetime(2030, 1, 15, 9, 0))
    ),
    "axes.AccessAttempt": _axes("AccessAttempt", get_data="", post_data="", failures_since_start=3),
    "axes.AccessLog": _axes("AccessLog"),
    "axes.AccessFailureLog": _axes("AccessFailureLog"),
    "accounts.User": UserFactory,
    "accounts.Organisation": OrganisationFactory,
    "accounts.Network": NetworkFactory,
    "territories.Region": RegionFactory,
    "territories.Department": DepartmentFactory,
    "territories.Commune": CommuneFactory,
    "outbox.OutgoingEmail": OutgoingEmailFactory,
    "projects.Innovation": InnovationFactory,
    "essaimage.SpreadStructure": SpreadStructureFactory,
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _admin_url_names(model) -> set[str]:
    """The pages the model's admin adds to the site ("changelist", "simple_history"…)."""
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    urls = admin.site._registry[model].get_urls()
    return {url.name.removeprefix(prefix) for url in urls if url.name and url.name.startswith(prefix)}


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _model_admin_and_request(model, user):
    request = RequestFactory().get("/django-admin/")
    request.user = user
    return admin.site._registry[model], request


def test_every_registered_model_has_an_instance_recipe():
    labels = {model._meta.label for model in REGISTERED}
    missing = labels - INSTANCES.keys()
    assert not missing, f"Registered in the admin without a way to create an object in INSTANCES: {sorted(missing)}"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_of_every_registered_model_open(admin_client, superuser, model):
    if model._meta.label not in INSTANCES:
        pytest.fail(f"{model._meta.label} is registered in the admin but INSTANCES cannot create one")
    obj = INSTANCES[model._meta.label]()
    model_admin, request = _model_admin_and_request(model, superuser)

    changelist = admin_client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    if model_admin.get_search_fields(request):
        searched = admin_client.get(_url(model, "changelist"), {"q": "a"})
        assert searched.status_code == 200
        assert "Rechercher" in _text(searched)

    add = admin_client.get(_url(model, "add"))
    if model_admin.has_add_permission(request):
        assert add.status_code == 200
        assert 'value="Enregistrer"' in _text(add)
    else:  # logs of django-axes: written by the login, never by hand
        assert add.status_code == 403

    change = admin_client.get(_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert '<html lang="fr"' in _text(change)
    if model_admin.has_change_permission(request, obj):
        assert 'value="Enregistrer"' in _text(change)

    history = admin_client.get(_url(model, "history", obj.pk))
    assert history.status_code == 200
    if "simple_history" in _admin_url_names(model):  # django-simple-history's form to revert to a version
        version = obj.history.latest()
        revert = admin_client.get(_url(model, "simple_history", obj.pk, version.history_id))
        assert revert.status_code == 200
        assert 'name="_save"' in _text(revert)

    delete = admin_client.get(_url(model, "delete", obj.pk))
    assert delete.status_code == 200
    assert "Oui, je suis sûr" in _text(delete)
    assert model.objects.filter(pk=obj.pk).exists()  # a confirmation page, nothing deleted


def test_admin_index_lists_the_registered_models_in_french(admin_client):
    text = _text(admin_client.get(reverse("admin:index")))

    assert "AIS#Emploi – administration technique" in text
    for model in REGISTERED:
        assert _url(model, "changelist") in text


# ---------------------------------------------------------------------------
# Add forms posted for real (the simple models)
# ---------------------------------------------------------------------------


def _post_add(client, model, data, to="changelist"):
    response = client.post(_url(model, "add"), data)
    assert response.status_code == 302, _errors(response)
    if to:
        assert response["Location"] == _url(model, to)
    return response


def _errors(response):
    """The form's errors when the admin shows the form again instead of saving."""
    if response.context and "adminform" in response.context:
        inlines = [f.formset.errors + f.formset.non_form_errors() for f in response.context["inline_admin_formsets"]]
        return f"{response.status_code}: {response.context['adminform'].form.errors.as_data()} {inlines}"
    return str(response.status_code)


def test_admin_adds_a_region_a_department_and_a_commune(admin_client):
    _post_add(admin_client, Region, {"code": "53", "name": "Bretagne", "zone": "metro"})
    region = Region.objects.get(code="53")
    _post_add(admin_client, Department, {"code": "35", "name": "Ille-et-Vilaine", "region": region.pk, "zone": "metro"})
    department = Department.objects.get(code="35")
    _post_add(
        admin_client,
        Commune,
        {"code": "35238", "name": "Rennes", "department": department.pk, "postal_codes": "35000 35200 35700"},
    )

    commune = Commune.objects.get(code="35238")
    assert (commune.name, commune.department.region.name) == ("Rennes", "Bretagne")


def test_admin_adds_a_network_and_an_organisation(admin_client):
    commune = CommuneFactory()
    _post_add(admin_client, Network, {"name": "FAS", "full_name": "Fédération des acteurs de la solidarité"})
    network = Network.objects.get(name="FAS")

    _post_add(
        admin_client,
        Organisation,
        {
            "name": "Solidarités Rouen",
            "kind": OrganisationType.ASSOCIATION,
            "network": network.pk,
            "commune": commune.pk,
        },
    )

    organisation = Organisation.objects.get(name="Solidarités Rouen")
    assert (organisation.network, organisation.commune) == (network, commune)
    assert organisation.history.count() == 1  # the admin's save goes through the audit history


def test_groups_are_not_in_the_admin(admin_client):
    """Rights come from roles (``Membership`` and ``rules``): Django's groups grant nothing here."""
    assert not admin.site.is_registered(Group)


def test_admin_adds_then_changes_a_user(admin_client):
    _post_add(
        admin_client,
        User,
        {
            "email": "Claire.Fontaine@Exemple.fr",
            "first_name": "Claire",
            "last_name": "Fontaine",
            "password1": "Un-Mot-De-Passe-Solide-2026",
            "password2": "Un-Mot-De-Passe-Solide-2026",
            "memberships-TOTAL_FORMS": "0",  # the roles' inline
            "memberships-INITIAL_FORMS": "0",
        },
        to=None,
    )
    user = User.objects.get(email="claire.fontaine@exemple.fr")
    assert user.check_password("Un-Mot-De-Passe-Solide-2026")

    data = _change_form_data(admin_client, user)
    data["job_title"] = "Chargée de mission"
    data["memberships-TOTAL_FORMS"] = "1"
    data["memberships-0-role"] = "committee"
    data["memberships-0-organisation"] = ""
    response = admin_client.post(_url(User, "change", user.pk), data)

    assert response.status_code == 302, _errors(response)
    user.refresh_from_db()
    assert user.job_title == "Chargée de mission"
    assert list(user.memberships.values_list("role", flat=True)) == ["committee"]
    assert user.history.count() == 2  # created, then changed: both audited


def test_admin_change_form_saves_an_organisation(admin_client):
    organisation = OrganisationFactory(name="Solidarités Rouen")
    data = _change_form_data(admin_client, organisation)
    data["address"] = "12 rue de la République"

    response = admin_client.post(_url(Organisation, "change", organisation.pk), data)

    assert response.status_code == 302, _errors(response)
    organisation.refresh_from_db()
    assert organisation.address == "12 rue de la République"
    assert organisation.history.count() == 2


def _change_form_data(client, obj) -> dict:
    """What the change form of ``obj`` posts untouched: its fields and its inlines' management forms."""
    page = client.get(_url(obj.__class__, "change", obj.pk))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled:
            continue
        widget = field.widget
        if isinstance(widget, MultiWidget):  # the admin's date and time in two inputs
            for index, (sub, part) in enumerate(zip(widget.widgets, widget.decompress(value), strict=True)):
                data[f"{name}_{index}"] = sub.format_value(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = value
    for formset in page.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
    return data


def test_admin_change_form_saves_an_innovation(admin_client):
    innovation = InnovationFactory(name="TAPAJ")
    page = admin_client.get(_url(innovation.__class__, "change", innovation.pk))
    form = page.context["adminform"].form

    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data["summary"] = "Travail alternatif payé à la journée."
    data["team"] = []
    response = admin_client.post(_url(innovation.__class__, "change", innovation.pk), data)

    assert response.status_code == 302, _errors(response)
    innovation.refresh_from_db()
    assert innovation.summary == "Travail alternatif payé à la journée."
