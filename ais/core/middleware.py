import re
from urllib.parse import unquote_plus

from django.http import QueryDict
from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreMiddleware:
    """Dynamic pages are never stored by browsers or proxies.

    A logged-in user's pages hold non-public data, and so do some anonymous ones
    (the e-mailed links of registrations, password resets and questionnaires):
    every response gets ``Cache-Control: no-store`` unless its view chose its own
    caching. Static files are served before this, by WhiteNoise, and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class FrenchFirstLocaleMiddleware:
    """French unless the person chose another language with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language header; the
    programme works in French, so only the explicit choice (the language cookie
    set by ``set_language``) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# C0 control characters but tab, line feed and carriage return: nothing a person types,
# and PostgreSQL refuses NUL in text (psycopg raises before the query is sent).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The same characters written as JSON escapes (``\u0000``), not preceded by an escaped backslash.
_JSON_CONTROL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def strip_control_characters(value: str) -> str:
    """``value`` without the C0 control characters other than tab, line feed and carriage return."""
    return CONTROL_CHARACTERS.sub("", value)


class ControlCharactersMiddleware:
    """One defence against control characters (NUL and the other C0 characters but
    tab, line feed and carriage return) for every input of every view:

    - in the path (a path parameter): the French 404 page, as for any unknown address;
    - in the query string: the French 400 page (no link of ours carries them);
    - in a form posted by a person (fields, htmx autosave): removed from the text, so that
      what was typed is saved without them rather than refused with a 500 and lost;
    - in a JSON body: the French 400 page (no view of ours reads JSON today).

    It runs before any view reads the request: CSRF and the login check work on the
    cleaned ``request.POST``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import render

        from ais.core.views import page_not_found

        if CONTROL_CHARACTERS.search(request.path):
            return page_not_found(request)
        if CONTROL_CHARACTERS.search(unquote_plus(request.META.get("QUERY_STRING", ""), errors="replace")):
            request.GET = QueryDict()  # the page shown must not echo them either
            return render(request, "400.html", status=400)
        if request.method == "POST":
            if request.content_type in _FORM_TYPES:
                _clean_post(request)
            elif request.content_type == "application/json" and (
                CONTROL_CHARACTERS.search(request.body.decode("utf-8", errors="replace"))
                or _JSON_CONTROL_ESCAPE.search(request.body)
            ):
                return render(request, "400.html", status=400)
        return self.get_response(request)


def _clean_post(request) -> None:
    """Replace ``request.POST`` by a copy without control characters, if it holds any.
    (Uploaded file names need nothing: Django's multipart parser drops non-printable
    characters from them.)"""
    post = request.POST
    if not any(CONTROL_CHARACTERS.search(key + "".join(values)) for key, values in post.lists()):
        return
    cleaned = QueryDict(mutable=True)
    for key, values in post.lists():
        cleaned.setlist(strip_control_characters(key), [strip_control_characters(value) for value in values])
    cleaned._mutable = False
    request._post = cleaned
