"""French territories referential: regions, departments, communes (INSEE codes).

Loaded from ``ais/territories/data`` (Etalab open data, see SOURCE.md there) by
``manage.py load_territories``.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.TextChoices):
    METRO = "metro", _("Metropolitan France")
    DROM = "drom", _("Overseas department or region (DROM)")
    COM = "com", _("Overseas collectivity")


class Region(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", null=True, blank=True, verbose_name=_("region")
    )
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CommuneQuerySet(models.QuerySet):
    def search(self, text: str) -> "CommuneQuerySet":
        """Communes whose name starts with ``text`` (accents and case ignored),
        or whose postal code or INSEE code starts with it; biggest first."""
        text = (text or "").strip()
        if not text:
            return self.none()
        if text[:2].isdigit():
            digits = "".join(c for c in text if c.isalnum())
            qs = self.filter(models.Q(postal_codes__regex=rf"(^| ){digits}") | models.Q(code__startswith=digits))
        else:
            qs = self.filter(name__unaccent__istartswith=text)
        return qs.select_related("department").order_by("-population", "name")


class Commune(models.Model):
    code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="communes", verbose_name=_("department")
    )
    postal_codes = models.CharField(_("postal codes"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [GinIndex(fields=["name"], name="commune_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.department_id})"

    @property
    def label(self) -> str:
        postal = self.postal_codes.split(" ")[0] if self.postal_codes else self.department_id
        return f"{self.name} ({postal})"
