import io
from django.urls import reverse
from openpyxl import load_workbook
from ais.accounts.models import Organisation
from ..factories import CommuneFactory, DossierFactory, OrganisationFactory


def test_probe_siret(client, db):
    OrganisationFactory(siret="41202393700011")
    c = CommuneFactory()
    data = {"first_name": "A", "last_name": "B", "email": "a@b.fr", "organisation_name": "X", "organisation_kind": "aci",
            "siret": "41202393700011", "commune": c.pk, "password1": "Bocage-et-emploi-2025!", "password2": "Bocage-et-emploi-2025!", "accept": "on"}
    client.raise_request_exception = False
    r = client.post(reverse("accounts:signup"), data)
    print("SIRET STATUS", r.status_code)


def test_probe_xlsx(manager_client, db):
    d = DossierFactory(submitted=True, innovation_name='=HYPERLINK("http://evil","x")')
    r = manager_client.get(reverse("projects:screening_export", args=[d.call.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(r.content)).active
    print("XLSX CELL", ws["C2"].value, ws["C2"].data_type)
