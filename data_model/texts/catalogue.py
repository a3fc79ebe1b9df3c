"""The one catalogue of interface texts: gettext catalogues per language, Vietnamese msgids, English in locale/en."""
from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any, Protocol

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
SOURCE_LANGUAGE = "vi"  # msgids are the Vietnamese texts themselves
LANGUAGES = ("vi", "en")


class Localized(Protocol):
    """Anything that renders itself in a language (a Text, a UserError, a label with vi/en forms)."""

    def render(self, lang: str) -> str: ...


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext catalogue of a language (for code that calls gettext itself, like argparse)."""
    # vi: our msgids are the Vietnamese already; its catalogue holds only texts others write (argparse's English)
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def plural_index(n: int, lang: str) -> int:
    """Which plural form a language's catalogue uses for n (English: 0 for 1, else 1; Vietnamese: always 0)."""
    rule = getattr(translations(lang if lang in LANGUAGES else SOURCE_LANGUAGE), "plural", None)
    return int(rule(n)) if rule is not None else int(n != 1)


def render(value: Any, lang: str) -> str:
    """A parameter or message in a language: Localized values render themselves, others as str()."""
    if hasattr(value, "render") and callable(value.render):
        return value.render(lang)
    return str(value)


def _fill(template: str, lang: str, params: dict[str, Any]) -> str:
    if not params:
        return template
    return template.format(**{k: (render(v, lang) if hasattr(v, "render") else v) for k, v in params.items()})


def translate(msgid: str, *, lang: str, ctx: str | None = None, **params: Any) -> str:
    """The text of msgid (Vietnamese) in lang, with {placeholders} filled from params (Localized ones in lang)."""
    catalogue = translations(lang if lang in LANGUAGES else SOURCE_LANGUAGE)
    text = catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)
    return _fill(text, lang, params)


def translate_plural(msgid: str, n: int, *, lang: str, plural: str | None = None, ctx: str | None = None,
                     **params: Any) -> str:
    """The plural form for n of msgid (Vietnamese: one form) in lang; {n} and params filled."""
    catalogue = translations(lang if lang in LANGUAGES else SOURCE_LANGUAGE)
    plural = plural or msgid
    text = catalogue.npgettext(ctx, msgid, plural, n) if ctx else catalogue.ngettext(msgid, plural, n)
    return _fill(text, lang, {"n": n, **params})


class Text(str):
    """A message rendered later in any language; as a str it is the Vietnamese text (so old code keeps working)."""

    msgid: str
    params: dict[str, Any]
    ctx: str | None
    count: int | None

    def __new__(cls, msgid: str, /, *, ctx: str | None = None, n: int | None = None, **params: Any) -> Text:
        vi = (translate(msgid, lang=SOURCE_LANGUAGE, ctx=ctx, **params) if n is None
              else translate_plural(msgid, n, lang=SOURCE_LANGUAGE, ctx=ctx, **params))
        self = super().__new__(cls, vi)
        self.msgid, self.params, self.ctx, self.count = msgid, params, ctx, n
        return self

    def render(self, lang: str) -> str:
        """This message in lang."""
        if self.count is None:
            return translate(self.msgid, lang=lang, ctx=self.ctx, **self.params)
        return translate_plural(self.msgid, self.count, lang=lang, ctx=self.ctx, **self.params)

    def __reduce__(self):  # pickling/copying keeps the msgid (st.session_state, multiprocessing)
        return (_rebuild_text, (self.msgid, self.ctx, self.count, self.params))


def _rebuild_text(msgid: str, ctx: str | None, count: int | None, params: dict[str, Any]) -> Text:
    return Text(msgid, ctx=ctx, n=count, **params)


class Pair(str):
    """A text that already comes in both languages (labels from TOML and reference data); str is the Vietnamese."""

    en: str

    def __new__(cls, vi: str, en: str) -> Pair:
        self = super().__new__(cls, vi)
        self.en = en
        return self

    def render(self, lang: str) -> str:
        return str.__str__(self) if lang == SOURCE_LANGUAGE else self.en


class Number:
    """A number written the way of the language it renders in (41.262 / 41,262)."""

    def __init__(self, value: float | int | None, *, decimals: int = 0) -> None:
        self.value, self.decimals = value, decimals

    def render(self, lang: str) -> str:
        from data_model.texts.formatting import format_number

        return format_number(self.value, lang, decimals=self.decimals)

    def __str__(self) -> str:
        return self.render(SOURCE_LANGUAGE)


def N_(msgid: str, *, ctx: str | None = None) -> str:
    """Marks a msgid for extraction where it is translated later (module-level constants); ctx names its context."""
    return msgid


class Date:
    """A date written the way of the language it renders in (06/05/2021 / 2021-05-06)."""

    def __init__(self, value) -> None:
        self.value = value

    def render(self, lang: str) -> str:
        from data_model.texts.formatting import format_date

        return format_date(self.value, lang)

    def __str__(self) -> str:
        return self.render(SOURCE_LANGUAGE)


class Joined:
    """Localized parts joined by a separator when rendered ("a, b, c")."""

    def __init__(self, parts, sep: str = ", ") -> None:
        self.parts, self.sep = list(parts), sep

    def render(self, lang: str) -> str:
        return self.sep.join(render(p, lang) for p in self.parts)

    def __str__(self) -> str:
        return self.render(SOURCE_LANGUAGE)
