"""No page runs off the screen: every page of the access matrix that a role opens
(a 200 in ``tests/access_matrix.py``), for each role, at 390, 1280 and 1366 px wide (and 1440),
keeps ``document.documentElement.scrollWidth <= window.innerWidth``.

One test per role (the database is emptied between them, so the matrix's kwargs
factories, which create objects with fixed slugs, run once per role as in
``tests/test_access_matrix.py``, each "own" object made once); one browser context per
role, logged in once through the session cookie of Django's test client. Each page is
loaded once at 390 px, then measured at each width by resizing the window (three times
faster than loading it three times; what lays out on resize, like the charts, is given
two animation frames). Pages that are not HTML (PDF, CSV, XLSX, JSON) are skipped. A page
that a role sees exactly as a less privileged one does (the same ``<main>``, fetched with
Django's test client as both: the public pages for every role, most of the manager's pages for
the administrator, who holds every permission) is left to that role's sweep (``SAME_AS``); each
role's navigation is measured on its other pages.
Every offender is listed in one failure, with the outermost elements that stick out.

The navigation's screenshots (the bar, and the menu opened on a phone) are saved as
``test-artifacts/browser/navigation-<role>-<width>[-open].png``.
"""

import functools
import re
import time

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Error as PlaywrightError

from ais.accounts.models import Role
from tests.access_matrix import MATRIX, url_name
from tests.browser.conftest import ARTIFACTS
from tests.conftest import ROLES, make_user, session_key
from tests.test_access_matrix import _build_objects

pytestmark = pytest.mark.browser

# The phone first: each page is loaded at 390 px (as a phone would), then the window is
# widened to the two laptop widths, where what overflows is the navigation (CSS only), and
# to 1440 px, the narrowest window of Bootstrap's xxl container (1320 px, the full name shown).
WIDTHS = (390, 1280, 1366, 1440)
HEIGHT = 900
NAV_SHOT_WIDTHS = (1366, 390)

# Measured after two animation frames, once what listens to resizes (charts) has redrawn.
# The account menu shows the first name (the full name from 1400 px): a long one, to be sure it fits.
LONG_NAME = {"first_name": "Marie-Christine", "last_name": "de La Fontaine-Dumont"}

OVERFLOW = """() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(
  () => resolve([document.documentElement.scrollWidth, window.innerWidth]))))"""

# The outermost elements that reach past the window's right edge (not clipped by
# a scroll container that itself fits), to say where a page overflows.
WIDEST = """() => {
  const limit = window.innerWidth + 1;
  const label = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (classes ? '.' + classes : '');
  };
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= limit) return true;
    }
    return false;
  };
  const wide = new Set();
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > limit && !clipped(el)) wide.add(el);
  }
  return [...wide].filter((el) => !wide.has(el.parentElement)).slice(0, 4)
    .map((el) => label(el) + ' → ' + Math.round(el.getBoundingClientRect().right));
}"""


# Matrix entries this test cannot build in a shared database, and why (each is a download, not a page).
NOT_BUILT = {
    "essaimage:agreement_download [own]": "a PDF; its structure clashes with the user's own one (own_structure)",
}

OWN = ("own_assignment", "own_dossier", "own_innovation", "own_structure")


@pytest.fixture
def objects(transactional_db):
    """The objects of tests/test_access_matrix.py, made in this test's database (the live
    server's thread reads committed rows only)."""
    return _build_objects()


def _pages_for(role, objects, unbuilt) -> list[tuple[str, str]]:
    """(matrix key, URL) of every GET the role is given a 200 for.

    The matrix asks for the user's own dossier, structure… once per key, each test
    with a fresh database; here every key shares one, so each is made once."""
    for name in OWN:
        setattr(objects, name, functools.cache(getattr(objects, name)))
    pages = []
    for key, access in MATRIX.items():
        if access.expected.get(role) != 200 or key in NOT_BUILT:
            continue
        try:
            with transaction.atomic():
                kwargs = access.kwargs(objects) if access.kwargs else {}
        except IntegrityError as error:
            # Its objects already exist (a fixed slug, a unique pair made for another key).
            try:
                pages.append((key, reverse(url_name(key))))
            except NoReverseMatch:
                unbuilt.append(f"{key}: {str(error).splitlines()[0]}")
            continue
        pages.append((key, reverse(url_name(key), kwargs=kwargs)))
    # A URL the role reaches under two keys (its "[own]" object is the shared one) is measured once.
    first_key = {}
    for key, url in pages:
        first_key.setdefault(url, key)
    return [(key, url) for url, key in first_key.items()]


# What differs from one request to the next in the same page: CSRF tokens and CSP nonces.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def _main(response) -> str | None:
    """The page's ``<main>``, without what changes at each request (None if not an HTML page)."""
    try:
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", "") or response.streaming:
            return None
        match = re.search(r"<main\b.*</main>", response.content.decode(), re.S)
        return PER_REQUEST.sub("", match.group(0)) if match else None
    finally:
        response.close()  # a download's file


# Whose sweep measures a page that a role sees exactly as they do: the administrator holds
# every permission (most of the manager's pages are the same for them), and the public pages
# are the same for everyone but their navigation.
SAME_AS = {
    Role.ADMIN: (Role.MANAGER, "anonymous"),
    Role.MANAGER: ("anonymous",),
    Role.CARRIER: ("anonymous",),
    Role.COMMITTEE: ("anonymous",),
    Role.STRUCTURE: ("anonymous",),
    "anonymous": (),
}


def _measured_in_another_sweep(role, pages, user) -> dict[str, str]:
    """URLs of ``pages`` whose ``<main>`` (fetched with Django's test client) ``user`` gets exactly
    as a user of a role of ``SAME_AS[role]`` does, who is given them too: that role's sweep
    measures them, so this one need not load them again. Each role's navigation is measured on
    the pages left (those that differ for it, or that only it opens)."""
    if not SAME_AS[role]:
        return {}
    clients = {}
    for other in (role, *SAME_AS[role]):
        clients[other] = Client()
        if other != "anonymous":
            clients[other].force_login(user if other == role else make_user(other))
    measured = {}
    for key, url in pages:
        others = [other for other in SAME_AS[role] if MATRIX[key].expected.get(other) == 200]
        if not others:
            continue
        main = _main(clients[role].get(url))
        if main is None:
            continue
        for other in others:
            if _main(clients[other].get(url)) == main:
                measured[url] = other
                break
    return measured


def _session_cookie(user, live_server) -> list[dict]:
    if user is None:
        return []
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": session_key(user),
            "url": live_server.url,
        }
    ]


def _nav_shots(page, role, width):
    page.goto("/tableau-de-bord/" if role != "anonymous" else "/")
    nav = page.locator("header nav.navbar, nav.navbar").first
    nav.screenshot(path=str(ARTIFACTS / f"navigation-{role}-{width}.png"))
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
        page.wait_for_timeout(400)  # the collapse's transition
        page.screenshot(path=str(ARTIFACTS / f"navigation-{role}-{width}-open.png"))


@pytest.mark.long
@pytest.mark.parametrize("role", ROLES[::-1])
def test_no_page_wider_than_the_window(browser, live_server, objects, role):
    started = time.monotonic()
    objects.user = make_user(role, **LONG_NAME)
    unbuilt = []
    pages = _pages_for(role, objects, unbuilt)
    measured_elsewhere = _measured_in_another_sweep(role, pages, objects.user)
    context = browser.new_context(
        viewport={"width": WIDTHS[0], "height": HEIGHT}, base_url=live_server.url, locale="fr-FR"
    )
    context.set_default_timeout(15_000)
    context.add_cookies(_session_cookie(objects.user, live_server))
    page = context.new_page()
    errors, offenders, visited = [], [], 0
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        for key, url in pages:
            if url in measured_elsewhere:
                continue
            try:
                response = page.goto(url)
            except PlaywrightError as error:  # an attachment (CSV, XLSX, zip): not a page
                if "Download is starting" in str(error):
                    continue
                raise
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            if response.status != 200:
                offenders.append(f"{url} ({key}) {role}: status {response.status}")
                continue
            visited += 1
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": HEIGHT})
                scroll_width, inner_width = page.evaluate(OVERFLOW)
                if scroll_width > inner_width:
                    widest = "; ".join(page.evaluate(WIDEST))
                    offenders.append(f"{url} ({key}) {role} {width}px: scrollWidth {scroll_width} [{widest}]")
            page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        for width in NAV_SHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            _nav_shots(page, role, width)
    finally:
        context.close()

    elapsed = time.monotonic() - started
    print(
        f"\n{role}: {visited} HTML pages of {len(pages)} 200s × {len(WIDTHS)} widths in {elapsed:.1f} s"
        f" ({len(measured_elsewhere)} left to the sweep of {sorted(set(measured_elsewhere.values()))}: the same <main>)"
    )
    assert not unbuilt, "Objects of the matrix that could not be made:\n" + "\n".join(unbuilt)
    assert not errors, "\n".join(errors)
    assert not offenders, f"{len(offenders)} pages wider than the window:\n" + "\n".join(offenders)
