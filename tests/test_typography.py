"""French typography, so that it does not come back: the French catalogue quotes
with « » and non-breaking spaces, writes day 1 of a month « 1er », uses Django's plural
forms rather than « (s) »; templates write long dates through ``long_date`` (which
knows « 1er ») and never with Django's ``j F`` formats."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "locale/fr/LC_MESSAGES/django.po"
NBSP = "\u00a0"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"

# (name, pattern that must not occur in a French msgstr)
CATALOGUE_RULES = [
    ("English quotes “ ” (write « » with non-breaking spaces)", re.compile(r"[“”]")),
    ('straight quotes "…" (write « »)', re.compile(r'"[^"]*"')),
    ("« not followed by a non-breaking space", re.compile(rf"«(?!{NBSP})")),
    ("» not preceded by a non-breaking space", re.compile(rf"(?<!{NBSP})»")),
    ("« (s) »-style plural (use ngettext / blocktranslate count)", re.compile(r"\((?:e?s|x|e)\)|\w/s\b")),
    ("« 1 janvier » (write « 1er janvier »)", re.compile(rf"(?<![\d/])1 (?:{MONTHS})\b")),
    ("a count then « présent·es » (use ngettext)", re.compile(r"(?:%\(\w+\)[sd]|__\w+__|\{\{ *\w+ *\}\}) \w+·e?s\b")),
]


def french_strings() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every French translation, each plural form apart."""
    strings = []
    for entry in polib.pofile(str(FRENCH)):
        if entry.obsolete or not entry.msgid:
            continue
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        strings += [(entry.msgid, text) for text in texts]
    return strings


def offences(strings, pattern) -> list[str]:
    return [f"{msgid!r} → {text!r}" for msgid, text in strings if pattern.search(text)]


@pytest.mark.parametrize(("name", "pattern"), CATALOGUE_RULES, ids=[name for name, _p in CATALOGUE_RULES])
def test_french_catalogue_typography(name, pattern):
    found = offences(french_strings(), pattern)

    assert not found, f"{len(found)} French strings with {name}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Le fichier “%(name)s” est vide.", 0),
        ('Le fichier "%(name)s" est vide.', 1),
        ("Le fichier « %(name)s » est vide.", 2),
        ("%(n)s structure(s) sélectionnée(s).", 4),
        ("Structure essaimée/s", 4),
        ("Ouvert le 1 janvier 2026.", 5),
        ("Présences enregistrées : %(present)s présent·es sur %(total)s.", 6),
        ("__present__ présent·es sur __total__", 6),
    ],
)
def test_french_catalogue_rules_catch_the_old_mistakes(text, rule):
    _name, pattern = CATALOGUE_RULES[rule]

    assert offences([("msgid", text)], pattern)


def test_french_catalogue_rules_accept_the_right_forms():
    right = [
        ("msgid", f"Le fichier «{NBSP}%(name)s{NBSP}» est vide."),
        ("msgid", "Ouvert le 1er janvier 2026, 11 janvier, 21 janvier, 01/01/2026."),
        ("msgid", "%(n)s structures sélectionnées."),
    ]

    found = [text for _name, pattern in CATALOGUE_RULES for text in offences(right, pattern)]

    assert not found


# Templates: long dates through the filter that knows « 1er ».
LONG_DATE_FORMATS = re.compile(r'\|date:"(?:[lD] )?j F|\|date:"(?:DATE|DATETIME)_FORMAT"')


def test_templates_write_long_dates_with_long_date():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in (".html", ".txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LONG_DATE_FORMATS.search(line)
    ]

    assert not found, "Long dates written with Django's formats (use |long_date / |long_datetime):\n" + "\n".join(found)
