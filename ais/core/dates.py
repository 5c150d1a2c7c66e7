"""Dates and times written the way the reader's language writes them.

One format per context: the long form in sentences (« 1er janvier 2026 », « lundi
6 novembre 2026 à 10 h 45 »), the short one in tables and lists (« 01/01/2026 »,
« 01/01/2026 10:45 »). French writes day 1 of a month « 1er » and hours « 10 h 45 »,
which Django's date formats cannot say: these functions do, for templates (the
filters of ``ais/core/templatetags/dates.py``, built in), e-mails, PDFs and messages.
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _french() -> bool:
    return (get_language() or "fr").split("-")[0] == "fr"


def _local(value):
    """A date or an aware datetime in the current time zone (naive ones as they are)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def hour(value) -> str:
    """« 10 h 45 », « 9 h » in French; « 10:45 » otherwise."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if _french():
        return f"{value.hour}\u00a0h" + (f"\u00a0{value.minute:02d}" if value.minute else "")
    return time_format(value, "H:i")


def long_date(value, *, weekday: bool = False, year: bool = True) -> str:
    """« 1er janvier 2026 », « 6 novembre 2026 » (« lundi 6 novembre 2026 » with ``weekday``,
    « 1er janvier » without ``year``)."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if _french():
        day = "1er" if value.day == 1 else str(value.day)
        text = f"{day} {date_format(value, 'F Y' if year else 'F')}"
        return f"{date_format(value, 'l')} {text}" if weekday else text
    return date_format(value, ("l, " if weekday else "") + ("F j, Y" if year else "F j"))


def long_datetime(value, *, weekday: bool = False) -> str:
    """« 1er janvier 2026 à 10 h 45 »."""
    if value in (None, ""):
        return ""
    return _("%(date)s at %(time)s") % {"date": long_date(value, weekday=weekday), "time": hour(value)}


def short_date(value) -> str:
    """« 01/01/2026 » (tables, lists, file names)."""
    if value in (None, ""):
        return ""
    return date_format(_local(value), "SHORT_DATE_FORMAT")


def short_datetime(value) -> str:
    """« 01/01/2026 10:45 » (tables, lists)."""
    if value in (None, ""):
        return ""
    return date_format(_local(value), "SHORT_DATETIME_FORMAT")
