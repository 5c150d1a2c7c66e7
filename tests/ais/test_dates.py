"""Dates and times written the language's way (ais/core/dates.py and its filters)."""

import datetime
import zoneinfo

from django.template import Context, Template
from django.utils import translation

from ais.core import dates

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_long_date_writes_day_one_premier_in_french():
    assert dates.long_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"
    assert dates.long_date(datetime.date(2026, 11, 6)) == "6 novembre 2026"
    assert dates.long_date(datetime.date(2026, 1, 11)) == "11 janvier 2026"


def test_long_date_with_weekday_and_without_year():
    assert dates.long_date(datetime.date(2026, 1, 1), weekday=True) == "jeudi 1er janvier 2026"
    assert dates.long_date(datetime.date(2026, 5, 1), year=False) == "1er mai"


def test_long_date_in_english_has_no_premier():
    with translation.override("en"):
        assert dates.long_date(datetime.date(2026, 1, 1)) == "January 1, 2026"


def test_hour_is_written_the_french_way():
    assert dates.hour(datetime.time(10, 45)) == "10\u00a0h\u00a045"
    assert dates.hour(datetime.time(9, 0)) == "9\u00a0h"
    with translation.override("en"):
        assert dates.hour(datetime.time(10, 45)) == "10:45"


def test_long_datetime_is_in_local_time():
    moment = datetime.datetime(2026, 3, 1, 9, 45, tzinfo=datetime.UTC)  # 10:45 in Paris

    assert dates.long_datetime(moment) == "1er mars 2026 à 10\u00a0h\u00a045"


def test_short_forms_for_tables():
    moment = datetime.datetime(2026, 3, 1, 10, 45, tzinfo=PARIS)

    assert dates.short_date(moment.date()) == "01/03/2026"
    assert dates.short_datetime(moment) == "01/03/2026 10:45"


def test_filters_are_built_into_every_template():
    template = Template(
        '{{ day|long_date }} · {{ day|long_date:"weekday" }} · {{ day|short_date }} · {{ empty|long_date }}'
    )

    text = template.render(Context({"day": datetime.date(2026, 1, 1), "empty": None}))

    assert text == "1er janvier 2026 · jeudi 1er janvier 2026 · 01/01/2026 · "
