"""Load (or refresh) regions, departments and communes from ais/territories/data."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from ais.territories.models import Commune, Department, Region

DATA = Path(__file__).resolve().parents[2] / "data"


def _rows(name: str):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


class Command(BaseCommand):
    help = "Load the French territories referential (idempotent; fast when already loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even if already loaded")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        communes = list(_rows("communes.csv"))
        if not force and Commune.objects.count() == len(communes):
            self.stdout.write("Territories already loaded.")
            return
        regions = [Region(code=r["code"], name=r["nom"], zone=r["zone"]) for r in _rows("regions.csv")]
        Region.objects.bulk_create(
            regions, update_conflicts=True, unique_fields=["code"], update_fields=["name", "zone"]
        )
        departments = [
            Department(code=r["code"], name=r["nom"], region_id=r["region"] or None, zone=r["zone"])
            for r in _rows("departements.csv")
        ]
        Department.objects.bulk_create(
            departments, update_conflicts=True, unique_fields=["code"], update_fields=["name", "region", "zone"]
        )
        objects = [
            Commune(
                code=r["code"],
                name=r["nom"],
                department_id=r["departement"],
                postal_codes=r["codes_postaux"],
                population=int(r["population"]) if r["population"] else None,
            )
            for r in communes
        ]
        Commune.objects.bulk_create(
            objects,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "department", "postal_codes", "population"],
        )
        from ais.core.figures_cache import invalidate

        invalidate()  # maps and department lists are cached with the referential's names
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(regions)} regions, {len(departments)} departments, {len(objects)} communes."
            )
        )
