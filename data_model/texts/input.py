"""Text typed by people: one check, used wherever text enters, for characters no database stores and for length."""
from __future__ import annotations

import re
from typing import Any

from data_model.texts.catalogue import N_, Number, Text
from data_model.texts.errors import UserError

# NUL is refused by PostgreSQL and silently stored by SQLite; a lone surrogate cannot be encoded as UTF-8 at all
_BAD = re.compile("[\x00\ud800-\udfff]")
# bidi controls make a name read differently from what is stored (U+202E turns "abc" into "cba" on screen)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# zero-width and other invisible characters: a text of nothing else looks empty though it is not
_INVISIBLE = re.compile(r"[\s\u00ad\u034f\u115f\u1160\u180e\u200b-\u200d\u2060-\u2064\u3164\ufe00-\ufe0f\ufeff]*")
REPLACEMENT = "\ufffd"
BAD_TEXT = N_("chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lỗi); hãy gõ lại hoặc dán dạng văn bản thường")
BIDI_TEXT = N_("chứa ký tự điều khiển hướng chữ (như U+202E); hãy gõ lại")
INVISIBLE_TEXT = N_("chỉ gồm ký tự không nhìn thấy (như ký tự độ rộng 0)")


class TextInputError(UserError, ValueError):
    """A text field was refused; the message is Vietnamese and names the field."""


def text_problem(text: str, *, limit: int | None = None) -> str | None:
    """What is wrong with a typed text (NUL, lone surrogate, bidi control, only invisible characters, too long)."""
    if _BAD.search(text):
        return Text(BAD_TEXT)
    if _BIDI.search(text):
        return Text(BIDI_TEXT)
    if text.strip() and _INVISIBLE.fullmatch(text):
        return Text(INVISIBLE_TEXT)
    if limit is not None and len(text) > limit:
        return Text("dài quá {limit} ký tự", limit=Number(limit))
    return None


def is_clean(value: Any) -> bool:
    """Whether a value can go into a query or a column as it is (non-strings always can)."""
    return not isinstance(value, str) or _BAD.search(value) is None


def clean_text(value: Any, *, field: str, limit: int | None, required: bool = False,
               error: type[ValueError] = TextInputError) -> str:
    """The text trimmed, or `error` with "Field: message" when it is missing, holds a bad character or is too long.

    `field` is the field's Vietnamese label, a catalogue msgid (or a Text)."""
    text = "" if value is None else str(value).strip()
    label = field if isinstance(field, Text) else Text(field)
    if required and not text:
        raise error(Text("{field}: không được để trống", field=label))
    problem = text_problem(text, limit=limit)
    if problem:
        raise error(Text("{field}: {problem}", field=label, problem=problem))
    return text


def safe_text(value: Any, *, limit: int | None = None) -> str:
    """The text with bad characters replaced (for a log line or a message that echoes what was typed)."""
    text = _BAD.sub(REPLACEMENT, "" if value is None else str(value))
    return text[:limit] if limit is not None else text
