"""Date filters, built into every template (``TEMPLATES["OPTIONS"]["builtins"]``):
``{{ value|long_date }}`` in sentences (« 1er janvier 2026 », ``long_date:"weekday"``
for « jeudi 1er janvier 2026 », ``long_date:"noyear"``), ``long_datetime``, ``short_date`` and
``short_datetime`` in tables, ``hour`` (« 10 h 45 »). See ``ais/core/dates.py``."""

from django import template

from ais.core import dates

register = template.Library()


@register.filter
def long_date(value, arg=""):
    """``arg``: "weekday" (« jeudi 1er janvier 2026 ») or "noyear" (« 1er janvier »)."""
    return dates.long_date(value, weekday=arg == "weekday", year=arg != "noyear")


@register.filter
def long_datetime(value, arg=""):
    return dates.long_datetime(value, weekday=arg == "weekday")


@register.filter
def short_date(value):
    return dates.short_date(value)


@register.filter
def short_datetime(value):
    return dates.short_datetime(value)


@register.filter
def hour(value):
    return dates.hour(value)
