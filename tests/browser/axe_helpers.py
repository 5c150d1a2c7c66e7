"""axe-core on a page of a browser journey: ``check_axe(page, name)`` fails the test on
any serious or critical violation (WCAG 2.1 A/AA rules and axe's best practices);
minor and moderate findings are printed, not failed.

axe-core is served by the app itself (``static/vendor/axe-core``) and loaded with a
``<script src>`` from the app's own origin, which the strict CSP allows
(``add_script_tag(path=...)`` would inline the code, which the CSP blocks).
"""

import pytest

AXE_URL = "/static/vendor/axe-core/axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
# axe's default rule set (WCAG 2.0/2.1 A and AA, and best practices), as in test_accessibility.py.
AXE_OPTIONS = {"resultTypes": ["violations"]}


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (after any htmx swap)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)["violations"]


def describe(where: str, violation: dict) -> str:
    lines = [f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"]
    for node in violation["nodes"][:10]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    - {' '.join(map(str, node['target']))}: {node['html'][:200]}\n      {summary}")
    return "\n".join(lines)


def check_axe(page, name: str) -> None:
    """No serious or critical axe-core violation on ``page`` (named ``name`` in the report)."""
    where = f"{name} ({page.url})"
    blocking, minor = [], []
    for violation in run_axe(page):
        (blocking if violation["impact"] in BLOCKING_IMPACTS else minor).append(describe(where, violation))
    if minor:
        print("Minor/moderate axe findings (not failing):\n" + "\n".join(minor))
    if blocking:
        pytest.fail("axe-core found serious/critical violations:\n" + "\n".join(blocking), pytrace=False)
