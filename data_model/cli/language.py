"""The command line's language: --lang before the command, else UI_LANGUAGE; argparse speaks it too."""
from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from data_model.schema.settings import get_settings
from data_model.texts.catalogue import LANGUAGES, SOURCE_LANGUAGE, render, translate, translate_plural, translations

_current = [SOURCE_LANGUAGE]


def chosen_language(argv: Sequence[str]) -> str:
    """--lang vi|en given before the command (or --lang=en), else the UI_LANGUAGE setting, else Vietnamese."""
    args = list(argv)
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            break  # the command: a --lang after it belongs to the command (report --lang)
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            args[i + 1] if arg == "--lang" and i + 1 < len(args) else None)
        if value in LANGUAGES:
            return value
    lang = get_settings().default_language
    return lang if lang in LANGUAGES else SOURCE_LANGUAGE


def cli_language() -> str:
    """The language the command line speaks now."""
    return _current[0]


def say(msgid: str, **params: Any) -> str:
    """A catalogue text in the command line's language."""
    return translate(msgid, lang=_current[0], **params)


def say_plural(msgid: str, n: int, **params: Any) -> str:
    """A plural catalogue text in the command line's language ({n} filled)."""
    return translate_plural(msgid, n, lang=_current[0], **params)


def shown(message: Any) -> str:
    """A UserError, Text or str in the command line's language."""
    return render(message, _current[0])


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Run the command line in lang: our texts and argparse's own ("usage:", "invalid choice") through the catalogue."""
    catalogue = translations(lang)
    saved = _current[0], argparse._, argparse.ngettext  # argparse looks both up as module globals at call time
    _current[0] = lang
    argparse._, argparse.ngettext = catalogue.gettext, catalogue.ngettext  # its msgids are its own English texts
    try:
        yield
    finally:
        _current[0], argparse._, argparse.ngettext = saved
