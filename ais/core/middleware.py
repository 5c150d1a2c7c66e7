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
