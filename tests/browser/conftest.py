"""Headless Chromium (Debian's) driven by Playwright against pytest-django's live server.

* ``CHROMIUM``: Debian's ``chromium-headless-shell`` (the same Blink as ``chromium``, without
  the desktop browser around it, as Playwright's own headless runs use; a third less CPU for
  the same pages), else Debian's ``chromium``.
* ``browser``: one Chromium for the whole session; its contexts prefer reduced motion.
* ``page``: a fresh context per test (1280x900), whose console errors, page
  errors and CSP violations fail the test; ``page.shot(step)`` saves
  ``test-artifacts/browser/<test>-<step>.png``.
* ``demo_data``: the ``demo_data`` command's data set in the test database, built by the
  first test of a process that asks for it and restored from a snapshot for the next ones
  (``tests/db_snapshot.py``).
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.db_snapshot import SnapshotCache

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from such a thread unless told it is safe (it is: we do not await anything).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = BASE_DIR / "test-artifacts" / "browser"
CHROMIUM = next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
    "/usr/bin/chromium-headless-shell",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Chromium logs CSP violations to the console itself; this adds the details.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Every context prefers reduced motion: Bootstrap then neither scrolls smoothly to a
        # #fragment nor fades modals in, and Playwright need not wait for the elements to stop
        # moving before it clicks (up to 1 s of retries a click, on a busy machine).
        new_context = browser.new_context
        browser.new_context = lambda **options: new_context(**{"reduced_motion": "reduce", **options})
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def page(browser, live_server, request):
    """A new browser context and page; fails the test on any console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    errors = []
    page.on(
        "console",
        lambda message: errors.append(f"console.{message.type}: {message.text}") if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = _safe(request.node.name)

    def shot(step: str, target=None) -> Path:
        path = ARTIFACTS / f"{test_name}-{_safe(step)}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    page.shot = shot
    page.console_errors = errors
    try:
        yield page
    finally:
        context.close()
    if errors:
        pytest.fail("Errors in the browser console:\n" + "\n".join(errors), pytrace=False)


def load_demo_territories() -> None:
    """Only the regions, departments and communes that the demo data refers to.

    ``load_territories`` (35,000 communes, ~2 s) would run again for every test,
    since ``transactional_db`` empties the tables after each one.
    """
    from ais.territories.management.commands.load_territories import _rows
    from ais.territories.models import Commune, Department, Region
    from devtools import demo_accompaniment
    from devtools.management.commands import demo_data

    codes = demo_data.DEMO_COMMUNES | demo_accompaniment.APPLICANT_COMMUNES
    communes = [row for row in _rows("communes.csv") if row["code"] in codes]
    assert len(communes) == len(codes), "a demo commune is missing from communes.csv"
    departments = [row for row in _rows("departements.csv") if row["code"] in {c["departement"] for c in communes}]
    regions = [row for row in _rows("regions.csv") if row["code"] in {d["region"] for d in departments}]
    Region.objects.bulk_create([Region(code=r["code"], name=r["nom"], zone=r["zone"]) for r in regions])
    Department.objects.bulk_create(
        [Department(code=d["code"], name=d["nom"], region_id=d["region"] or None, zone=d["zone"]) for d in departments]
    )
    Commune.objects.bulk_create(
        [
            Commune(
                code=c["code"],
                name=c["nom"],
                department_id=c["departement"],
                postal_codes=c["codes_postaux"],
                population=int(c["population"]) if c["population"] else None,
            )
            for c in communes
        ]
    )


@pytest.fixture(scope="session")
def _demo_snapshot(tmp_path_factory):
    """The demo data set of this process (an xdist worker, or the serial run), once built."""
    return SnapshotCache(media_copy=tmp_path_factory.mktemp("demo-snapshot") / "media")


@pytest.fixture
def demo_data(transactional_db, settings, _demo_snapshot):
    """The demo data set (territories it refers to, ``demo_data`` command) in the test
    database, and its files in the test's MEDIA_ROOT: built the first time (~5 s), restored
    from its snapshot afterwards (every table, sequence and file, ~0.2 s)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast demo logins

    def build():
        load_demo_territories()
        call_command("demo_data", stdout=io.StringIO())

    _demo_snapshot.load(build, media_root=settings.MEDIA_ROOT)
