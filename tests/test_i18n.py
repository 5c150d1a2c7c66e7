"""Translation catalogues: msgids are English, French is the default language.

Checks that locale/fr is complete, that the compiled .mo files match the .po
files, that the catalogues hold exactly the msgids of the code, that no entry
silently changes a translation of Django or of an installed app, and that a page
renders in French by default and in English on request.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ["fr", "en"]
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}
# What `manage.py makemessages` must not read (the command in docs/ and the test below agree).
IGNORED = [".venv", ".data", "tests", "staticfiles", "static"]
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|%[a-z]|\{\{ *\w+ *\}\}")


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def load(language: str) -> polib.POFile:
    path = po_path(language)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run manage.py makemessages -l {language}"
    return polib.pofile(str(path))


def key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def translations(entries, translated_only=False) -> dict:
    """(context, msgid, plural) -> msgstr (a tuple for plurals); obsolete entries left out,
    and with ``translated_only`` the untranslated and fuzzy ones too (msgfmt leaves them out)."""
    result = {}
    for entry in entries:
        if getattr(entry, "obsolete", False) or not entry.msgid:
            continue
        if translated_only and ("fuzzy" in entry.flags or not entry.translated()):
            continue
        if entry.msgid_plural:
            result[key(entry)] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            result[key(entry)] = entry.msgstr
    return result


def describe(k: tuple) -> str:
    context, msgid, plural = k
    text = repr(msgid) + (f" / plural {plural!r}" if plural else "")
    return text + (f" (context {context!r})" if context else "")


# (a) complete catalogues -------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_not_fuzzy(language):
    po = load(language)
    assert not po.metadata_is_fuzzy, f"{language}: the header is marked fuzzy"
    assert po.metadata.get("Language") == language
    assert po.metadata.get("Project-Id-Version") == "AIS#Emploi"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[language]
    untranslated = [describe(key(e)) for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [describe(key(e)) for e in po.fuzzy_entries() if not e.obsolete]
    assert not untranslated, f"{language}: {len(untranslated)} msgids without translation:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy entries (check and remove the flag):\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    problems = []
    for entry in load(language):
        if entry.obsolete or not entry.msgid or not entry.translated():
            continue  # untranslated entries: see test_catalogue_is_complete_and_not_fuzzy
        if entry.msgid_plural:
            pairs = [(entry.msgid if i == 0 else entry.msgid_plural, s) for i, s in entry.msgstr_plural.items()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                problems.append(f"{source!r} -> {translated!r}")
    assert not problems, f"{language}: placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_english_is_the_source_language():
    """The English catalogue repeats each msgid: an English text is never translated into something else."""
    changed = [
        describe(k)
        for k, value in translations(load("en")).items()
        if value != (k[1] if k[2] is None else (k[1], k[2]))
    ]
    assert not changed, "English msgstr differing from the msgid:\n" + "\n".join(changed)


def test_both_catalogues_hold_the_same_msgids():
    fr, en = set(translations(load("fr"))), set(translations(load("en")))
    assert fr == en, (
        f"Only in fr: {sorted(map(describe, fr - en))}\nOnly in en: {sorted(map(describe, en - fr))}\n"
        "Run manage.py makemessages -l fr -l en --no-obsolete."
    )


# (b) compiled catalogues -------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    mo_path = po_path(language).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run manage.py compilemessages"
    expected = translations(load(language), translated_only=True)
    compiled = translations(polib.mofile(str(mo_path)))
    stale = sorted(describe(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k))
    assert not stale, (
        f"{mo_path.relative_to(ROOT)} is out of date with the .po file for {len(stale)} msgids "
        f"(run manage.py compilemessages --ignore=.venv):\n" + "\n".join(stale[:30])
    )


# (c) catalogue up to date with the code ---------------------------------------
def _extract_from_code(tmp_path: Path) -> set:
    """Runs makemessages on a copy of the project's sources (never touching locale/)."""
    if not shutil.which("xgettext") or not shutil.which("msguniq"):
        pytest.fail("GNU gettext is not installed (xgettext): install the 'gettext' package (scripts/test does).")
    copy = tmp_path / "src"

    not_sources = {*IGNORED, "locale", "media", "test-artifacts"}

    def ignore(directory, names):
        top = Path(directory) == ROOT

        def skipped(name):
            path = Path(directory) / name
            if name.startswith(".") or name == "__pycache__" or (top and name in not_sources):
                return True
            return path.is_file() and path.suffix not in {".py", ".html", ".txt"}

        return {name for name in names if skipped(name)}

    shutil.copytree(ROOT, copy, ignore=ignore)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ais.settings"}
    env.setdefault("SECRET_KEY", "catalogue-check")
    command = [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"]
    command += [f"--ignore={name}" for name in IGNORED]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return set(translations(polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))))


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    in_code = _extract_from_code(tmp_path)
    in_catalogue = set(translations(load("fr")))
    missing = sorted(map(describe, in_code - in_catalogue))
    stale = sorted(map(describe, in_catalogue - in_code))
    how = (
        "\nUpdate with: manage.py makemessages -l fr -l en --no-obsolete --ignore=.venv --ignore=.data "
        "--ignore=tests --ignore=staticfiles --ignore=static, translate the new entries in locale/fr "
        "(msgstr = msgid in locale/en), then manage.py compilemessages --ignore=.venv."
    )
    assert not missing, f"{len(missing)} msgids of the code are not in locale/fr:\n" + "\n".join(missing) + how
    assert not stale, f"{len(stale)} msgids of locale/fr are no longer in the code:\n" + "\n".join(stale) + how


# (d) no silent change to the translations of Django and installed apps ---------
def test_no_entry_overrides_a_different_translation_of_django_or_an_app():
    """Our catalogue comes first (LOCALE_PATHS): reusing one of Django's msgids with another
    French text would change the admin's and other apps' pages. Use a context instead."""
    import django
    from django.apps import apps

    ours = translations(load("fr"), translated_only=True)
    sources = [Path(django.__file__).parent / "conf" / "locale"]
    sources += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    conflicts = []
    for source in sources:
        mo = source / "fr" / "LC_MESSAGES" / "django.mo"
        if not mo.exists() or LOCALE in mo.parents:
            continue
        for k, theirs in translations(polib.mofile(str(mo))).items():
            if k in ours and ours[k] != theirs:
                conflicts.append(f"{describe(k)}: ours {ours[k]!r}, {source} {theirs!r}")
    assert not conflicts, (
        "These msgids also exist in Django or an installed app with another French translation; "
        "give ours a context (pgettext_lazy / {% translate ... context %}):\n" + "\n".join(conflicts)
    )


# (e) rendered pages ------------------------------------------------------------
@pytest.mark.django_db
def test_home_page_is_french_by_default_and_english_on_request(client):
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "Le programme en chiffres" in french
    assert "Se connecter" in french
    assert '<html lang="fr">' in french

    client.cookies["django_language"] = "en"
    english = client.get("/").content.decode()
    assert "The programme in figures" in english
    assert "Log in" in english
    assert "Le programme en chiffres" not in english
    assert '<html lang="en">' in english


def test_every_field_of_our_models_has_a_translated_label():
    """A field without ``verbose_name=_(...)`` shows its English name (« Validated by ») on the
    history page, in forms and in the admin."""
    from django.apps import apps
    from django.utils.functional import Promise

    ours = {path.name for path in ROOT.iterdir() if (path / "apps.py").exists()} | {
        path.name for path in (ROOT / "ais").iterdir() if (path / "apps.py").exists()
    }
    untranslated = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_config.name.split(".")[-1] in ours and not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]

    assert len(ours) >= 10
    assert not untranslated, f"Fields without a translated verbose_name: {untranslated}"


@pytest.mark.django_db
def test_model_labels_and_plurals_follow_the_language(client, manager):
    from django.utils import translation

    from ais.accounts.models import Organisation, Role
    from projects.models import Stage

    with translation.override("fr"):
        assert str(Role.MANAGER.label) == "Chargé·e de projets Ansa"
        assert str(Stage.FEASIBILITY.label) == "Étape I – Étude de faisabilité"
        assert str(Organisation._meta.get_field("created_at").verbose_name) == "créée le"
        assert translation.ngettext("%(n)s structure", "%(n)s structures", 2) == "%(n)s structures"
    with translation.override("en"):
        assert str(Role.MANAGER.label) == "Ansa programme manager"
        assert str(Stage.FEASIBILITY.label) == "Stage I – Feasibility study"

    client.force_login(manager)
    assert "Suivi du programme" in client.get("/tableau-de-bord/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Programme monitoring" in client.get("/tableau-de-bord/").content.decode()
