"""Text the system writes for people to read later (a request's timeline), kept in every
language the app speaks, so each reader sees it in their own and not in the writer's."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.utils import translation


def in_every_language(make: Callable[[], object]) -> dict[str, str]:
    """``make()`` (which calls ``gettext``) evaluated once in each of ``settings.LANGUAGES``."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(make())
    return texts


def in_active_language(texts: Mapping[str, str], fallback: str = "") -> str:
    """The text of ``texts`` for the active language (or its base language), else ``fallback``."""
    if not texts:
        return fallback
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    if language in texts:
        return texts[language]
    base = language.split("-")[0]
    for code, text in texts.items():
        if code.split("-")[0] == base:
            return text
    return fallback


def system_line(make: Callable[[], object]) -> dict[str, object]:
    """A timeline line the system writes: ``body`` in the active language and its
    ``body_translations`` (keyword arguments for a ``CaseEvent``)."""
    texts = in_every_language(make)
    return {"body": in_active_language(texts), "body_translations": texts}
