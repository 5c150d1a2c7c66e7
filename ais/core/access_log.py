"""gunicorn's access log without the secrets of e-mailed links.

A questionnaire link (``/questionnaires/acces/<token>/``), an event registration
(``/inscriptions/<token>/``, ``?inscription=<token>`` of the calendar file), an account
activation or a password reset / invitation link (``<uidb64>/<token>/``) opens someone's
data to whoever holds it: written in the access log, it would open it to whoever reads
the log. ``TokenMaskingLogger`` (``logger_class`` in ``gunicorn.conf.py``) writes
``[masked]`` instead, in the request line, the path, the query string and the referrer.

Which parts are secret comes from the URLconf, not from a list of addresses: every URL
argument named in ``SECRET_URL_ARGUMENTS`` and every query parameter named in
``SECRET_QUERY_PARAMETERS``; a new link with a ``<str:token>`` is masked without
touching this file (``tests/security/test_access_log.py`` checks every such pattern).
"""

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from gunicorn.glogging import Logger

MASK = "[masked]"
SECRET_URL_ARGUMENTS = frozenset({"token", "uidb64"})
SECRET_QUERY_PARAMETERS = frozenset({"token", "inscription"})

# The gunicorn atoms that hold the address or the referrer: %(r)s, %(U)s, %(q)s, %(f)s and
# the same values reached through headers ({referer}i) or the WSGI environ ({raw_uri}e…).
_REQUEST_LINE = "r"
_PATH_ATOMS = ("U", "{path_info}e")
_QUERY_ATOMS = ("q", "{query_string}e")
_URL_ATOMS = ("f", "{referer}i", "{http_referer}e", "{raw_uri}e", "{request_uri}e")


def mask_path(path: str) -> str:
    """``path`` with the segments matched by a secret URL argument replaced by ``MASK``."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(unquote(path))
    except Resolver404:
        return path
    secrets = {str(match.kwargs[name]) for name in SECRET_URL_ARGUMENTS if name in match.kwargs}
    segments = path.split("/")
    return "/".join(MASK if unquote(segment) in secrets and segment else segment for segment in segments)


def mask_query(query: str) -> str:
    """``query`` with the values of the secret parameters replaced by ``MASK``."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(key in SECRET_QUERY_PARAMETERS for key, _value in pairs):
        return query
    return urlencode([(key, MASK if key in SECRET_QUERY_PARAMETERS else value) for key, value in pairs], safe="[]")


def mask_url(url: str) -> str:
    """An address (absolute, or a path with its query string) without its secrets."""
    if not url or url == "-":
        return url
    try:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=mask_path(parts.path), query=mask_query(parts.query)))
    except Exception:  # never lose a log line over an address we cannot read: hide all of it
        return MASK


def mask_request_line(line: str) -> str:
    """``GET /inscriptions/<token>/ HTTP/1.1`` → ``GET /inscriptions/[masked]/ HTTP/1.1``."""
    method, _sep, rest = line.partition(" ")
    uri, _sep, protocol = rest.rpartition(" ")
    if not uri:
        return line
    return f"{method} {mask_url(uri)} {protocol}"


class TokenMaskingLogger(Logger):
    """gunicorn's logger, with the secrets of e-mailed links masked in the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if isinstance(atoms.get(_REQUEST_LINE), str):
            atoms[_REQUEST_LINE] = mask_request_line(atoms[_REQUEST_LINE])
        for key in _PATH_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = _safe(mask_path, atoms[key])
        for key in _QUERY_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = _safe(mask_query, atoms[key])
        for key in _URL_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_url(atoms[key])
        return atoms


def _safe(mask, value: str) -> str:
    try:
        return mask(value)
    except Exception:  # a log line is never lost: the value is hidden instead
        return MASK


class TokenMaskingFilter:
    """A logging filter for Django's own request log (``django.request``): "Not Found:
    /inscriptions/<token>/" for an expired or cancelled link would write the token in the
    web log; the paths among the record's arguments are masked like the access log's."""

    def filter(self, record) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                mask_url(arg) if isinstance(arg, str) and arg.startswith("/") else arg for arg in record.args
            )
        return True
