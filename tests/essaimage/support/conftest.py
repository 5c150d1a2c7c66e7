"""Fixtures of the support tests: users, and a hand-built data set whose figures were
computed by hand (see ``dataset``)."""

import datetime
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from ais.accounts.models import Role
from projects.models import Stage
from tests.ais.factories import OrganisationFactory
from tests.conftest import make_user
from tests.essaimage.factories import SiteVisitFactory, SpreadStructureFactory, SupportRequestFactory
from tests.projects.factories import InnovationFactory


@pytest.fixture
def carrier(db):
    """A carrier user; ``carrier.innovation`` is the innovation its organisation carries."""
    user = make_user(Role.CARRIER)
    user.innovation = InnovationFactory(
        name="Innovation du porteur", carrier=user.organisations_for(Role.CARRIER).get(), stage=Stage.ESSAIMAGE
    )
    return user


@pytest.fixture
def structure_contact(db):
    return make_user(Role.STRUCTURE)


def structure(innovation, name, **kwargs):
    return SpreadStructureFactory(innovation=innovation, organisation=OrganisationFactory(name=name), **kwargs)


def day(month, day_of_month):
    return datetime.date(2025, month, day_of_month)


@pytest.fixture
def dataset(db):
    """Two innovations, three active structures (plus one without any entry and a
    candidate), with these hotline entries and visits:

    ========================  ==========================  ===========  ============================
    structure                 requests (minutes, topic)   unresolved   visits
    ========================  ==========================  ===========  ============================
    VITA-Air / Alpha          30 method ✓, 45 method ✗,   1            10/03/2025, 02/06/2025
                              90 tools ✓ (last 20/05)
    VITA-Air / Bêta           20 funding ✗ (01/04)        1            —
    VITA-Air / Gamma          —                           0            —
    TAPAJ / Delta             60 method ✓, 15 team ✓      0            15/07/2025
                              (last 01/02)
    ========================  ==========================  ===========  ============================

    By hand: Alpha 3 requests, 165 min = "2 h 45", 2 visits, last contact 02/06/2025;
    Bêta 1 request, "20 min", last contact 01/04/2025; Gamma nothing, "—";
    Delta 2 requests, "1 h 15", 1 visit, last contact 15/07/2025.
    VITA-Air 4 requests, 2 unresolved, 185 min = "3 h 05", 2 visits, last contact 02/06/2025;
    TAPAJ 2 requests, 0 unresolved, "1 h 15", 1 visit, last contact 15/07/2025.
    All: 6 requests, 2 unresolved, 260 min = "4 h 20", 3 visits, 4 resolved = 67 %;
    topics: method 3, tools 1, funding 1, team 1.
    """
    vita = InnovationFactory(name="VITA-Air", stage=Stage.ESSAIMAGE)
    tapaj = InnovationFactory(name="TAPAJ", stage=Stage.ESSAIMAGE)
    alpha = structure(vita, "Alpha Insertion")
    beta = structure(vita, "Bêta Emploi")
    gamma = structure(vita, "Gamma Solidarité")
    delta = structure(tapaj, "Delta Chantier")
    candidate = structure(tapaj, "Epsilon Candidate", candidate=True)

    def request(where, minutes, topic, resolved, date):
        return SupportRequestFactory(structure=where, minutes_spent=minutes, topic=topic, resolved=resolved, date=date)

    request(alpha, 30, "method", True, day(1, 15))
    request(alpha, 45, "method", False, day(3, 3))
    request(alpha, 90, "tools", True, day(5, 20))
    request(beta, 20, "funding", False, day(4, 1))
    request(delta, 60, "method", True, day(1, 10))
    request(delta, 15, "team", True, day(2, 1))
    SiteVisitFactory(structure=alpha, date=day(3, 10))
    SiteVisitFactory(structure=alpha, date=day(6, 2))
    SiteVisitFactory(structure=delta, date=day(7, 15))
    return SimpleNamespace(
        vita=vita, tapaj=tapaj, alpha=alpha, beta=beta, gamma=gamma, delta=delta, candidate=candidate
    )


class _Rows(HTMLParser):
    """The text of each table row's cells (``th`` and ``td``)."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def row_of(html: str, first_cell: str) -> list[str]:
    """The cells of the row whose first cell starts with ``first_cell``."""
    matches = [row for row in table_rows(html) if row and row[0].startswith(first_cell)]
    assert len(matches) == 1, f"{len(matches)} rows start with {first_cell!r}"
    return matches[0]


def section(html: str, heading: str) -> str:
    """The HTML of the summary's section whose <h2> is ``heading``."""
    match = re.search(rf"<section[^>]*>\s*<div[^>]*>\s*<h2[^>]*>{re.escape(heading)}</h2>.*?</section>", html, re.S)
    assert match, f"No section titled {heading!r}"
    return match.group(0)


class _Options(HTMLParser):
    """The options of one ``<select>``: (value, text, selected)."""

    def __init__(self, name):
        super().__init__()
        self.name, self.options, self._inside, self._option = name, [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("name") == self.name:
            self._inside = True
        elif tag == "option" and self._inside:
            self._option = [attrs.get("value", ""), "", "selected" in attrs]

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self.options.append((self._option[0], self._option[1].strip(), self._option[2]))
            self._option = None
        elif tag == "select":
            self._inside = False

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data


def select_options(html: str, name: str = "structure") -> list[tuple[str, str, bool]]:
    """The options of the page's ``<select name="...">``, as (value, text, selected)."""
    parser = _Options(name)
    parser.feed(html)
    return parser.options
