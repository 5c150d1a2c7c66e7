"""The figure cards of the home page, the public catalogue and an innovation's page on a
phone (390 px), with the demo data: no word split across lines (« essaimée/s »), labels
in the plural form their figure asks for, and the page no wider than the window."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import Innovation

pytestmark = pytest.mark.browser

# Each label with word wrapping that never breaks a word: a word wider than its card
# then sticks out (scrollWidth > clientWidth) instead of being split.
SPLIT_LABELS = """() => [...document.querySelectorAll('.stat .stat-label')].filter((label) => {
  label.style.overflowWrap = 'normal';
  const split = label.scrollWidth > label.clientWidth + 1;
  label.style.overflowWrap = '';
  return split;
}).map((label) => label.textContent.trim())"""


def _cards(page) -> list[tuple[str, str]]:
    values = page.locator(".stat .stat-value").all_inner_texts()
    labels = page.locator(".stat .stat-label").all_inner_texts()
    return list(zip(values, labels, strict=True))


def test_figure_cards_fit_a_phone_with_plural_labels(page, demo_data):
    page.set_viewport_size({"width": 390, "height": 844})
    innovation = Innovation.objects.get(slug="parcours-gardien")
    pages = {
        "home": "/",
        "catalogue": reverse("portal:catalogue"),
        "innovation": reverse("portal:innovation_public", kwargs={"slug": innovation.slug}),
    }
    for name, url in pages.items():
        page.goto(url)
        if name != "innovation":  # the public innovation page has no figure cards
            expect(page.locator(".stat").first).to_be_visible()
        page.shot(f"{name}-390")

        assert page.evaluate(SPLIT_LABELS) == [], f"{name}: a label's word does not fit its card"
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), name
        for value, label in _cards(page):
            number = int(re.sub(r"\D", "", value) or 0)
            first_word = label.split()[0] if label.split() else ""
            if number > 1:
                assert first_word.endswith(("s", "x")), f"{name}: « {value} {label} » is not plural"
            else:
                assert not first_word.endswith("s"), f"{name}: « {value} {label} » is not singular"
