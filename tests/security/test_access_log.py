"""No token in gunicorn's access log: real access-log records, written by the logger that
``gunicorn.conf.py`` configures, read back from the log file."""

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from gunicorn.config import Config

from ais.core.access_log import MASK, SECRET_URL_ARGUMENTS
from tests.access_matrix import walk_patterns

TOKEN = "Xk3v9QpL2mZrT8yWcB5nHd7sFg1aJ4eUo6iPq0lRtYw"  # like secrets.token_urlsafe()
RESET = "cc2x5f-0e8b1d5f6a7c9e2b4d6f8a1c3e5b7d9f"  # like a password reset token


@pytest.fixture
def access_log(tmp_path):
    """``write(method, uri, referer)`` logs one request as gunicorn does; returns the log's text."""
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("logger_class", "access_log_format"):
        if name in conf:
            cfg.set(name, conf[name])
    log_file = tmp_path / "access.log"
    cfg.set("accesslog", str(log_file))
    logger = cfg.logger_class(cfg)

    def write(uri, *, method="GET", referer="-"):
        path, _sep, query = uri.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "RAW_URI": uri,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.7",
            "HTTP_REFERER": referer,
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
        response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
        request = SimpleNamespace(headers=[("REFERER", referer), ("USER-AGENT", "Mozilla/5.0")])
        logger.access(response, request, environ, datetime.timedelta(milliseconds=42))
        for handler in logger.access_log.handlers:
            handler.flush()
        return log_file.read_text()

    yield write
    for handler in logger.access_log.handlers:
        handler.close()


@pytest.mark.parametrize(
    "uri",
    [
        f"/inscriptions/{TOKEN}/",
        f"/inscriptions/{TOKEN}/annuler/",
        f"/evenements/journee-nationale/calendrier.ics?inscription={TOKEN}",
        f"/questionnaires/acces/{TOKEN}/",
        f"/compte/activer/{TOKEN}/",
        f"/compte/mot-de-passe/nouveau/MTI/{RESET}/",
    ],
)
def test_access_log_masks_tokens_of_emailed_links(access_log, uri):
    text = access_log(uri)

    assert TOKEN not in text and RESET not in text, text
    assert MASK in text
    assert '"GET /' in text and " 200 1234 " in text  # the record is still there, with its status and size


def test_access_log_masks_token_in_referer(access_log):
    text = access_log("/static/css/app.css", referer=f"https://ais-emploi.fr/questionnaires/acces/{TOKEN}/")

    assert TOKEN not in text
    assert f'"https://ais-emploi.fr/questionnaires/acces/{MASK}/"' in text


def test_access_log_keeps_ordinary_addresses(access_log):
    text = access_log("/evenements/journee-nationale/?page=2")

    assert '"GET /evenements/journee-nationale/?page=2 HTTP/1.1" 200' in text
    assert MASK not in text


def _dummy(converter) -> str:
    return {"IntConverter": "1", "SlugConverter": "journee-nationale"}.get(type(converter).__name__, "csv")


def test_every_url_with_a_secret_argument_is_masked(access_log):
    """Every pattern of the URLconf with a ``token``/``uidb64`` argument: a new e-mailed link
    is masked without a new rule."""
    secret = [
        (name, pattern)
        for name, _route, pattern in walk_patterns()
        if SECRET_URL_ARGUMENTS & set(getattr(pattern.pattern, "converters", {}))
    ]
    assert len(secret) >= 5  # activation, password reset, registration (2), questionnaire link

    for name, pattern in secret:
        kwargs = {
            arg: TOKEN if arg in SECRET_URL_ARGUMENTS else _dummy(converter)
            for arg, converter in pattern.pattern.converters.items()
        }
        text = access_log(reverse(name, kwargs=kwargs))
        assert TOKEN not in text, f"{name}: {text.splitlines()[-1]}"


def test_django_request_log_masks_token_of_an_unknown_link(client, db, caplog):
    """An unknown, expired or cancelled registration link answers 4xx, which Django logs with its path."""
    with caplog.at_level("WARNING", logger="django.request"):
        response = client.get(f"/inscriptions/{TOKEN}/annuler/")

    assert response.status_code == 400  # the French page of an unknown link, which Django logs
    assert "Bad Request: /inscriptions/[masked]/annuler/" in caplog.text
    assert TOKEN not in caplog.text
