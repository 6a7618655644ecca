"""Swedish unless the user has chosen a language: the browser's Accept-Language is ignored.

Staff in Swedish hospitals and kommuner often run browsers set to English; Django's
``LocaleMiddleware`` would follow those and show an English page. This middleware activates
the language of the ``django_language`` cookie, which only Django's ``set_language`` view (the
language menu in the footer) writes, else ``settings.LANGUAGE_CODE``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
