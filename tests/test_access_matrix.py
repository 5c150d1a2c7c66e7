"""Every URL pattern × every role: see tests/access_matrix.py for the table and its rules."""

import html
import pickle
import re
import shutil
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from ais.accounts.models import Role
from projects import committee
from projects.models import Stage
from tests.access_matrix import (
    ADMIN_LOGIN_REDIRECT,
    ADMIN_MATRIX,
    ADMIN_SITE,
    FORBIDDEN_TEXT,
    KNOWN_BUGS,
    LOGIN,
    MATRIX,
    NOT_FOUND_TEXT,
    POST_DATA,
    POST_MATRIX,
    in_admin,
    missing_patterns,
    url_name,
    walk_patterns,
)
from tests.ais.factories import OutgoingEmailFactory, UserFactory
from tests.conftest import ROLES, make_user, rows_for_the_module, session_key
from tests.essaimage.factories import SpreadStructureFactory
from tests.projects.factories import (
    CallFactory,
    DossierAttachmentFactory,
    DossierFactory,
    EligibleDossierFactory,
    InnovationFactory,
    InternalNoteFactory,
    ReviewAssignmentFactory,
)


class MatrixObjects(SimpleNamespace):
    """The objects the URLs of the matrix point at; ``user`` is the requesting user, one of
    ``users`` (a user per role, made with the module's rows rather than for each test, each
    logged in once: ``sessions`` holds the session key of each role's user)."""

    user = None

    def own_assignment(self):
        """The committee dossier given to the user (another member's assignment if they may not review:
        reviewing is for committee members, and administrators hold every permission)."""
        if self.user is None or not self.user.has_perm("projects.review_dossiers"):
            return self.assignment
        return ReviewAssignmentFactory(dossier=self.committee_dossier, member=self.user)

    def own_structure(self):
        """A spread structure of the user's own structure organisation, on the matrix's
        innovation (the matrix's structure, someone else's, if they hold no structure role)."""
        organisation = self.user.organisations_for(Role.STRUCTURE).first() if self.user else None
        if organisation is None:
            return self.structure
        return SpreadStructureFactory(innovation=self.innovation, organisation=organisation)

    def own_innovation(self):
        """An innovation carried by the user's carrier organisation (the matrix's one,
        someone else's, if they carry none)."""
        organisation = self.user.organisations_for(Role.CARRIER).first() if self.user else None
        if organisation is None:
            return self.innovation
        return InnovationFactory(carrier=organisation, name="Innovation du porteur", stage=Stage.ESSAIMAGE)

    def own_dossier(self):
        """A dossier of the user's carrier organisation (someone else's if they carry none)."""
        organisation = self.user.organisations_for(Role.CARRIER).first() if self.user else None
        if organisation is None:
            return self.dossier
        return DossierFactory(
            call=self.call,
            organisation=organisation,
            created_by=self.user,
            innovation_name="Jardin solidaire",
        )


def _build_objects() -> MatrixObjects:
    innovation = InnovationFactory(name="Parcours Gardien", stage=Stage.ESSAIMAGE)
    structure = SpreadStructureFactory(innovation=innovation)
    call = CallFactory(title="Appel à projets 2026 – Emploi")
    dossier = DossierFactory(call=call, complete=True, innovation_name="Jardin solidaire")
    InternalNoteFactory(dossier=dossier, text="Note interne confidentielle : à revoir")
    committee_dossier = EligibleDossierFactory(call=call, innovation_name="Tremplin numérique")
    return MatrixObjects(
        innovation=innovation,
        structure=structure,
        unpublished=InnovationFactory(name="Projet encore confidentiel", unpublished=True),
        email=OutgoingEmailFactory(failed=True, subject="Objet du message en échec"),
        reset_user=UserFactory(),
        call=call,
        draft_call=CallFactory(draft=True, title="Appel en préparation"),
        dossier=dossier,
        attachment=DossierAttachmentFactory(dossier=dossier),
        committee_dossier=committee_dossier,
        assignment=ReviewAssignmentFactory(dossier=committee_dossier),
        session=committee.open_session(call, held_on=timezone.now(), place="Paris", by=None),
        users=(users := {role: make_user(role) for role in ROLES}),
        sessions={role: session_key(user) for role, user in users.items() if user is not None},
    )


@pytest.fixture(scope="module")
def _matrix_objects(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's objects (about 50 rows), made once for a test module rather than for each
    of its thousands of tests (tests/conftest.py: rows_for_the_module). Their uploaded files
    go to a directory of the module, copied into each test's MEDIA_ROOT."""
    with rows_for_the_module(django_db_blocker, tmp_path_factory, _build_objects) as made:
        yield made


@pytest.fixture
def objects(db, _matrix_objects, settings):
    """The matrix's objects for one test: the module's rows, and model instances of its own
    (a copy: what a test sets on them, ``user`` included, stays with that test)."""
    built, media_root = _matrix_objects
    shutil.copytree(media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)
    # A deep copy, twice as fast as copy.deepcopy; the bytes are our own, made just above.
    return pickle.loads(pickle.dumps(built, pickle.HIGHEST_PROTOCOL))  # noqa: S301


def _log_in(client, role, objects):
    """Logs the client in as the matrix's user of ``role`` (None for "anonymous"): the
    client presents that user's session, made with the module's rows. What a test does to
    the session (a logout, a timeout stamp) is undone with the test's other changes."""
    user = objects.users[role]
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = objects.sessions[role]
    return user


def _url(key, access, objects):
    if access.path:
        return access.path, {}
    kwargs = access.kwargs(objects) if access.kwargs else {}
    return reverse(url_name(key), kwargs=kwargs), kwargs


def _login_redirect(url):
    return f"{reverse('accounts:login')}?{urlencode({'next': url}, safe='/')}"


def _main(content: str) -> str:
    """The page's main content, for failure messages."""
    match = re.search(r"<main.*?</main>", content, re.S)
    return match.group(0) if match else content[:2000]


def assert_outcome(response, expected, *, url, kwargs=None, shows=""):
    """Check what the user gets, not only the status code."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content = html.unescape(body.decode("utf-8", errors="replace"))
    if expected == LOGIN:
        assert response.status_code == 302, f"{url}: expected a redirect to log in, got {response.status_code}"
        assert response.url == _login_redirect(url)
    elif expected == ADMIN_SITE:  # the admin site answers a staff member itself: no 500, no login form
        assert response.status_code in (200, 302, 403, 404, 405), f"{url}: got {response.status_code}"
        if response.status_code == 302:
            assert response.url.startswith("/django-admin/"), f"{url}: redirected out of the admin to {response.url}"
            assert not response.url.startswith(("/django-admin/login/", reverse("accounts:login"))), response.url
    elif isinstance(expected, str):
        target = expected.format(url=url, **(kwargs or {}))
        assert response.status_code == 302, f"{url}: expected a redirect to {target}, got {response.status_code}"
        assert response.url == target
    elif expected == 200:
        assert response.status_code == 200, f"{url}: expected 200, got {response.status_code}"
        assert shows in content, f"{url}: the page does not show {shows!r}:\n{_main(content)}"
    elif expected == 400:
        assert response.status_code == 400, f"{url}: expected 400, got {response.status_code}"
        assert shows in content, f"{url}: the page does not show {shows!r}:\n{_main(content)}"
    elif expected == 403:
        assert response.status_code == 403, f"{url}: expected 403, got {response.status_code}"
        assert FORBIDDEN_TEXT in content
    elif expected == 404:
        assert response.status_code == 404, f"{url}: expected 404, got {response.status_code}"
        assert NOT_FOUND_TEXT in content
    elif expected == 405:
        assert response.status_code == 405, f"{url}: expected 405, got {response.status_code}"
        assert "POST" in response["Allow"]
    else:  # pragma: no cover - a typo in the matrix
        raise AssertionError(f"Unknown expectation {expected!r} for {url}")


# Coverage of the URLconf --------------------------------------------------------------


GET_ENTRIES = {**MATRIX, **ADMIN_MATRIX}


def test_access_matrix_covers_every_url_pattern():
    missing = missing_patterns(GET_ENTRIES)

    assert not missing, "URL patterns without an entry in tests/access_matrix.py: " + ", ".join(missing)


def test_access_matrix_missing_entry_is_named():
    without_history = {key: access for key, access in GET_ENTRIES.items() if key != "portal:history"}

    assert missing_patterns(without_history) == ["portal:history (historique/)"]


def test_access_matrix_lists_no_unknown_url():
    names = {name for name, _route, _pattern in walk_patterns()}
    unknown = sorted({url_name(key) for key in [*MATRIX, *POST_MATRIX]} - names)
    assert not unknown, f"Matrix entries for URLs that no longer exist: {unknown}"


def test_access_matrix_gives_every_role():
    incomplete = [key for key, access in {**GET_ENTRIES, **POST_MATRIX}.items() if set(access.expected) != set(ROLES)]
    assert not incomplete, f"Entries not giving an outcome for each of {ROLES}: {incomplete}"


def test_admin_patterns_all_live_under_admin_site():
    admin_root = reverse("admin:index")
    admin_patterns = [(name, route) for name, route, _pattern in walk_patterns() if in_admin(name)]
    site_names = {f"admin:{p.name}" for p in admin.site.get_urls() if getattr(p, "name", None)}

    outside = [name for name, route in admin_patterns if not ("/" + route).startswith(admin_root)]

    assert admin_patterns
    assert not outside, f"admin:* patterns outside {admin_root}: {outside}"
    assert site_names <= {name for name, _route in admin_patterns}  # the namespace is admin.site's


# GET as each role ---------------------------------------------------------------------


def _case(method, key, role):
    reason = KNOWN_BUGS.get((method, key, role))
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(key, role, id=f"{key}-{role}", marks=marks)


MATRIX_CASES = [_case("GET", key, role) for key in GET_ENTRIES for role in ROLES]


@pytest.mark.parametrize(("key", "role"), MATRIX_CASES)
def test_url_get_as_role_gives_expected_outcome(client, objects, key, role):
    access = GET_ENTRIES[key]
    objects.user = _log_in(client, role, objects)
    url, kwargs = _url(key, access, objects)

    response = client.get(url)

    assert_outcome(response, access.expected[role], url=url, kwargs={**kwargs, "o": objects}, shows=access.shows)


POST_CASES = [_case("POST", key, role) for key in POST_MATRIX for role in ROLES]


@pytest.mark.parametrize(("key", "role"), POST_CASES)
def test_url_post_as_role_gives_expected_outcome(client, objects, key, role):
    access = POST_MATRIX[key]
    objects.user = _log_in(client, role, objects)
    url, kwargs = _url(key, access, objects)

    response = client.post(url, POST_DATA.get(key, {}))

    assert_outcome(response, access.expected[role], url=url, kwargs={**kwargs, "o": objects}, shows=access.shows)


def test_outbox_retry_post_by_non_admin_leaves_email_failed(client, objects):
    _log_in(client, "manager", objects)

    client.post(reverse("outbox:retry", kwargs={"pk": objects.email.pk}))

    objects.email.refresh_from_db()
    assert objects.email.status == "failed"


def test_logout_post_logs_the_user_out(client, objects):
    _log_in(client, "carrier", objects)

    response = client.post(reverse("accounts:logout"), follow=True)

    assert "Se connecter" in response.content.decode()
    assert client.get(reverse("portal:dashboard")).status_code == 302


# The Django admin ----------------------------------------------------------------------


def test_admin_matrix_has_an_entry_for_every_admin_pattern_not_listed_by_hand():
    admin_names = {name for name, _route, _pattern in walk_patterns() if in_admin(name)}

    assert set(ADMIN_MATRIX) == admin_names - set(MATRIX)
    assert len(ADMIN_MATRIX) >= 100  # 11 registered models, 6 to 8 pages each, and the site's own


def test_admin_matrix_refuses_every_role_but_the_administrator():
    for key, access in ADMIN_MATRIX.items():
        for role, expected in access.expected.items():
            if role == Role.ADMIN:
                assert expected == ADMIN_SITE
            else:
                assert expected in (LOGIN, ADMIN_LOGIN_REDIRECT, "/django-admin/"), (key, role, expected)
