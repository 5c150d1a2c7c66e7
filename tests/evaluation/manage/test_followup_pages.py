"""The follow-up's two lists at programme scale: each paged on its own (25 rows a page),
the links keeping the filters and the other list's page, the totals in the headings, a
constant number of queries on any page. The programme's rows are made once for the module:
tests with rows of their own are in test_followup_few_rows.py.

Today is 15 June 2026. A structure started on 1 January 2025 has its appropriation
questionnaire due on 1 May 2025 (late unless answered) and its implementation one due on
31 October 2025.
"""

import copy
import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from evaluation.models import Phase
from projects.models import Stage
from tests.evaluation.manage.conftest import rows_for_the_module_by
from tests.evaluation.manage.helpers import D, bring_to, questionnaire, structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=False)
A, B = Phase.APPROPRIATION, Phase.IMPLEMENTATION
LATE_NAV = "Pages of the late questionnaires"
VALIDATE_NAV = "Pages of the questionnaires to validate"


def _structures(staff, innovation, count, *, prefix, wave=1):
    """``count`` structures, each with its appropriation late (never opened) and its
    implementation submitted: ``count`` rows in each list. Late rows come in name order
    (same due date), rows to validate in creation order (same submission time)."""
    structures = []
    for number in range(1, count + 1):
        structure = structure_with_questionnaires(
            innovation=innovation, start=D(2025, 1, 1), wave=wave, name=f"{prefix} {number:02d}"
        )
        bring_to(questionnaire(structure, B), "submitted", by=staff)
        structures.append(structure)
    return structures


def _programme(staff):
    """30 late questionnaires and 30 to validate in Parcours Gardien (wave 1), 2 of each in
    VITA-Air (wave 2)."""
    with FROZEN:
        gardien = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
        vita = InnovationFactory(name="VITA-Air", stage=Stage.ESSAIMAGE)
        _structures(staff, gardien, 30, prefix="Régie")
        _structures(staff, vita, 2, prefix="Vita", wave=2)
    return {"gardien": gardien, "vita": vita}


@pytest.fixture(scope="module")
def _programme_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The programme's 32 structures and their questionnaires, made once for the module rather
    than for each of its tests (tests/conftest.py: rows_for_the_module); the tests only read them."""
    with rows_for_the_module_by(django_db_blocker, tmp_path_factory, _programme) as (made, _media_root):
        yield made


@pytest.fixture
def programme(db, _programme_rows):
    """The module's programme, with model instances of the test's own."""
    return copy.deepcopy(_programme_rows)


def _main(response) -> str:
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    return re.search(r"<main.*?</main>", content, re.S).group(0)


def _section(main, title_id) -> str:
    section = main[main.index(f'id="{title_id}"') :]
    return section[: section.index("</section>")]


def _table(main, title_id) -> str:
    section = _section(main, title_id)
    if "<table" not in section:
        return ""
    return section[section.index("<table") : section.index("</table>")]


def _late_names(main) -> list[str]:
    return re.findall(r'questionnaires/\d+/">((?:Régie|Vita) \d\d)</a>', _table(main, "late-title"))


def _validate_names(main) -> list[str]:
    return re.findall(r'questionnaires/\d+/">((?:Régie|Vita) \d\d)</a>', _table(main, "validate-title"))


def _nav(main, label) -> str:
    match = re.search(rf'<nav aria-label="{label}">.*?</nav>', main, re.S)
    return match.group(0) if match else ""


def _link(nav, text) -> dict:
    """The query parameters of the ``text`` link of a pagination nav, and its fragment."""
    href = re.search(rf'<a class="page-link" href="([^"]*)">{text}</a>', nav).group(1)
    parts = urlsplit(href)
    return {**{key: values[0] for key, values in parse_qs(parts.query).items()}, "#": parts.fragment}


def _regie(first, last) -> list[str]:
    return [f"Régie {n:02d}" for n in range(first, last + 1)]


# Paging ---------------------------------------------------------------------------------


@FROZEN
def test_first_page_shows_25_rows_of_each_list_and_the_totals(english, staff, programme):
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:followup")))

    assert _late_names(main) == _regie(1, 25)
    assert _validate_names(main) == _regie(1, 25)
    assert '<h2 id="late-title" class="h4">Late questionnaires (32)</h2>' in main
    assert '<h2 id="validate-title" class="h4">To validate (32)</h2>' in main
    assert "32 questionnaires past their due date and not submitted – rows 1 to 25</caption>" in main
    assert "32 submitted questionnaires waiting for validation – rows 1 to 25</caption>" in main
    # The figures at the top count every row, not the page's.
    assert re.search(r'<p class="stat-value">32</p>\s*<p class="stat-label">late questionnaires</p>', main)
    assert re.search(r'<p class="stat-value">32</p>\s*<p class="stat-label">questionnaires to validate</p>', main)


@FROZEN
def test_each_list_pages_on_its_own(english, staff, programme):
    english.force_login(staff)
    url = reverse("evaluation:followup")

    late_second = _main(english.get(url, {"late_page": "2"}))
    both_second = _main(english.get(url, {"late_page": "2", "validate_page": "2"}))
    validate_second = _main(english.get(url, {"validate_page": "2"}))

    assert _late_names(late_second) == [*_regie(26, 30), "Vita 01", "Vita 02"]
    assert _validate_names(late_second) == _regie(1, 25)
    assert _late_names(both_second) == [*_regie(26, 30), "Vita 01", "Vita 02"]
    assert _validate_names(both_second) == [*_regie(26, 30), "Vita 01", "Vita 02"]
    assert _late_names(validate_second) == _regie(1, 25)
    assert _validate_names(validate_second) == [*_regie(26, 30), "Vita 01", "Vita 02"]
    assert "32 questionnaires past their due date and not submitted – rows 26 to 32</caption>" in both_second


@FROZEN
def test_page_links_keep_the_other_list_page(english, staff, programme):
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:followup"), {"late_page": "2", "validate_page": "2"}))

    late_nav, validate_nav = _nav(main, LATE_NAV), _nav(main, VALIDATE_NAV)
    assert _link(late_nav, "Previous") == {"late_page": "1", "validate_page": "2", "#": "late-title"}
    assert _link(validate_nav, "Previous") == {"late_page": "2", "validate_page": "1", "#": "validate-title"}
    assert ">Next</a>" not in late_nav and ">Next</a>" not in validate_nav  # the last pages
    current = '<li class="page-item active" aria-current="page"><span class="page-link">Page 2 of 2</span></li>'
    assert current in late_nav


@FROZEN
def test_page_links_keep_the_filters(english, staff, programme):
    english.force_login(staff)
    gardien = programme["gardien"]
    filters = {"innovation": str(gardien.pk), "wave": "1"}

    main = _main(english.get(reverse("evaluation:followup"), filters))

    assert _late_names(main) == _regie(1, 25)
    assert _link(_nav(main, LATE_NAV), "Next") == {**filters, "late_page": "2", "#": "late-title"}
    assert _link(_nav(main, VALIDATE_NAV), "Next") == {**filters, "validate_page": "2", "#": "validate-title"}
    # The second page of the filtered list: Parcours Gardien's last five, not VITA-Air's.
    second = _main(english.get(reverse("evaluation:followup"), {**filters, "late_page": "2"}))
    assert _late_names(second) == _regie(26, 30)
    assert "Late questionnaires (30)" in second


@FROZEN
def test_phase_filter_is_kept_and_empties_the_other_list(english, staff, programme):
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:followup"), {"phase": A, "late_page": "2"}))

    assert _late_names(main) == [*_regie(26, 30), "Vita 01", "Vita 02"]
    assert _link(_nav(main, LATE_NAV), "Previous") == {"phase": A, "late_page": "1", "#": "late-title"}
    assert "To validate (0)" in main  # the submitted ones are implementation questionnaires
    assert "No questionnaire waiting for validation." in main
    assert _nav(main, VALIDATE_NAV) == ""


@FROZEN
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("99", [*_regie(26, 30), "Vita 01", "Vita 02"]),  # beyond the last page: the last one
        ("0", [*_regie(26, 30), "Vita 01", "Vita 02"]),
        ("abc", _regie(1, 25)),  # not a number: the first one
        ("", _regie(1, 25)),
    ],
)
def test_a_page_out_of_range_or_not_a_number_shows_the_last_or_first(english, staff, programme, page, expected):
    english.force_login(staff)

    main = _main(english.get(reverse("evaluation:followup"), {"late_page": page, "validate_page": page}))

    assert _late_names(main) == expected
    assert _validate_names(main) == expected


@FROZEN
def test_late_list_links_to_the_full_questionnaires_export(english, staff, programme):
    english.force_login(staff)

    section = _section(_main(english.get(reverse("evaluation:followup"))), "late-title")

    csv_url = reverse("reporting:export_list", kwargs={"name": "questionnaires", "fmt": "csv"})
    xlsx_url = reverse("reporting:export_list", kwargs={"name": "questionnaires", "fmt": "xlsx"})
    assert f'href="{csv_url}"' in section and f'href="{xlsx_url}"' in section
    assert f'href="{reverse("reporting:exports")}"' in section
    export = english.get(csv_url)
    body = export.content.decode("utf-8-sig")
    assert body.count("Régie ") == 90  # the three questionnaires of each of the 30 structures, not a page
    assert body.count("Vita ") == 6


# Query budget ---------------------------------------------------------------------------

FOLLOWUP_QUERIES = 9  # session, user, the filters' innovations and waves, two rate queries, one page of each list


@FROZEN
@pytest.mark.parametrize("query", [{}, {"late_page": "2", "validate_page": "2"}, {"late_page": "2", "wave": "1"}])
def test_followup_queries_constant_beyond_the_first_page(client, staff, programme, django_assert_num_queries, query):
    client.force_login(staff)
    url = reverse("evaluation:followup")
    client.get(url)  # warm-up: content types, session, translations

    with django_assert_num_queries(FOLLOWUP_QUERIES):
        main = _main(client.get(url, query))

    assert len(_late_names(main)) == (25 if not query else 7 if "validate_page" in query else 5)
