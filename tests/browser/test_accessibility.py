"""axe-core (served by the app itself) on the main pages: no serious or critical violation."""

import pytest
from django.urls import reverse

from ais.outbox import reasons
from devtools.demo import DEMO_PASSWORD
from events.models import Event
from projects.models import Innovation
from tests.ais.factories import OutgoingEmailFactory

pytestmark = pytest.mark.browser

AXE_URL = "/static/vendor/axe-core/axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}

# (who, path, name of the screenshot)
PAGES = [
    (None, "/", "home"),
    (None, "/compte/connexion/", "login"),
    (None, "/innovations/", "catalogue"),
    (None, "/innovations/parcours-gardien/", "innovation"),
    ("manager@demo.ais-emploi.fr", "/tableau-de-bord/", "dashboard-manager"),
    ("manager@demo.ais-emploi.fr", "/historique/", "history"),
    ("manager@demo.ais-emploi.fr", "/suivi/innovations/", "innovations"),
    ("manager@demo.ais-emploi.fr", "innovation-detail", "innovation-detail"),
    ("manager@demo.ais-emploi.fr", "/suivi/structures/", "structures"),
    ("manager@demo.ais-emploi.fr", "/suivi/formations/", "trainings"),
    ("manager@demo.ais-emploi.fr", "/suivi/hotline/", "hotline"),
    ("manager@demo.ais-emploi.fr", "/suivi/accompagnement/", "support-summary"),
    ("manager@demo.ais-emploi.fr", "/suivi/carte/", "map"),
    ("manager@demo.ais-emploi.fr", "/suivi/evaluation/", "evaluation-followup"),
    ("manager@demo.ais-emploi.fr", "/suivi/indicateurs/", "indicators"),
    ("manager@demo.ais-emploi.fr", "/suivi/programme/", "programme-dashboard"),
    ("structure@demo.ais-emploi.fr", "/tableau-de-bord/", "dashboard-structure"),
    ("structure@demo.ais-emploi.fr", "/questionnaires/", "my-questionnaires"),
    ("admin@demo.ais-emploi.fr", "/administration/courriels/", "outbox"),
    ("admin@demo.ais-emploi.fr", "/suivi/rapports/programme/", "yearly-report"),
    (None, "/essaimage/appels/", "structure-calls"),
    (None, "/evenements/", "events"),
    (None, "upcoming-event", "event"),
    (None, "/ressources/?q=evaluation", "resources-search"),
    ("manager@demo.ais-emploi.fr", "/suivi/evenements/", "events-manage"),
]

# Pages whose address holds a primary key of the demo data, resolved once it is loaded.
DYNAMIC = {
    "upcoming-event": lambda: reverse(
        "events:event_detail", args=[Event.objects.filter(slug__startswith="journee-thematique").get().slug]
    ),
    "innovation-detail": lambda: reverse(
        "projects:innovation_detail",
        args=[Innovation.objects.get(slug="parcours-metiers-de-lhabitat-demonstration").pk],
    ),
}


def run_axe(page) -> list[dict]:
    # A <script src> from the app's own origin: allowed by the strict CSP (script-src 'self'),
    # unlike add_script_tag(path=...), which inlines the code and is blocked.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(path: str, violation: dict) -> str:
    lines = [f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"]
    for node in violation["nodes"][:10]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    - {' '.join(map(str, node['target']))}: {node['html'][:200]}\n      {summary}")
    return "\n".join(lines)


def log_in(page, email: str) -> None:
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")


@pytest.mark.long
def test_main_pages_have_no_serious_accessibility_violation(page, demo_data):
    # Some rows, so that the outbox page shows its table rather than its empty state.
    OutgoingEmailFactory(sent=True, reason=reasons.WELCOME)
    OutgoingEmailFactory(failed=True, reason=reasons.PASSWORD_RESET)
    OutgoingEmailFactory()

    blocking, minor = [], []
    current_user = None
    for who, path, name in PAGES:
        if who != current_user:
            page.context.clear_cookies()
            if who:
                log_in(page, who)
            current_user = who
        if path in DYNAMIC:
            path = DYNAMIC[path]()
        response = page.goto(path)
        assert response is not None and response.status == 200, f"GET {path} as {who}: {response and response.status}"
        page.shot(name)
        for violation in run_axe(page):
            (blocking if violation["impact"] in BLOCKING_IMPACTS else minor).append(describe(path, violation))

    if minor:
        print("Minor/moderate axe findings (not failing):\n" + "\n".join(minor))
    assert not blocking, "axe-core found serious/critical violations:\n" + "\n".join(blocking)
