"""Fixtures of the steering committee's tests: a closed call with its default grid,
three members, an eligible dossier, and helpers to post a member's review."""

import html

import pytest

from tests.projects.factories import (
    CallFactory,
    CommitteeMemberFactory,
    EligibleDossierFactory,
    ReviewAssignmentFactory,
)

# A sentence only the dossier's answers contain, to tell whether they are shown.
DOSSIER_ANSWER = "Chaque gardien d'immeuble est formé en douze semaines"


@pytest.fixture
def call(db):
    return CallFactory(closed=True, title="Appel à projets 2026 – Emploi", reviewers_per_dossier=2)


@pytest.fixture
def criteria(call):
    return list(call.criteria.order_by("position", "pk"))


@pytest.fixture
def members(call):
    """Three committee members of the call: Alice, Bruno, Chloé."""
    people = [
        CommitteeMemberFactory(first_name=first, last_name=last, email=f"{first.lower()}@partenaire.fr")
        for first, last in [("Alice", "Aubert"), ("Bruno", "Blanc"), ("Chloé", "Colin")]
    ]
    call.committee_members.set(people)
    return people


@pytest.fixture
def dossier(call):
    return EligibleDossierFactory(call=call, innovation_name="Parcours Gardien", description=DOSSIER_ANSWER)


@pytest.fixture
def assignments(dossier, members):
    """Each member assigned to the dossier, none declared yet."""
    return [ReviewAssignmentFactory(dossier=dossier, member=member) for member in members]


def review_data(criteria, values, *, recommendation="", comment="", comments=None, submit=False) -> dict:
    """The POST data of the review form: ``values`` in the order of ``criteria`` (None: not scored)."""
    data = {"recommendation": recommendation, "comment": comment}
    for index, (criterion, value) in enumerate(zip(criteria, values, strict=True)):
        data[f"score_{criterion.pk}"] = "" if value is None else str(value)
        data[f"comment_{criterion.pk}"] = (comments or {}).get(index, "")
    data["submit" if submit else "draft"] = "1"
    if submit:
        data["confirm"] = "yes"  # submitting is final: the confirmation (page or dialog) says yes
    return data


def scores_of(criteria, values, comments=None) -> dict:
    """``save_review``'s ``scores``: ``{criterion_id: (value, comment)}``."""
    return {c.pk: (v, (comments or {}).get(i, "")) for i, (c, v) in enumerate(zip(criteria, values, strict=True))}


def page(response) -> str:
    return html.unescape(response.content.decode())
