"""UserError: the one base of every error a user causes and reads; it carries its message in Vietnamese and English."""
from __future__ import annotations

from typing import Any

from data_model.texts.catalogue import SOURCE_LANGUAGE, Text, render


class UserError(Exception):
    """A refusal the user can act on; `message(lang)` says why; str() is the Vietnamese message."""

    def __init__(self, msgid: Any = "", /, **params: Any) -> None:
        # msgid: a catalogue msgid with {placeholders}, a Text, or an already-written Vietnamese message (old style);
        # params fill the placeholders (n= picks the plural form); field= and row= are also kept as attributes
        self.text: Any = Text(msgid, **params) if params and isinstance(msgid, str) and not isinstance(msgid, Text) \
            else msgid
        self.field, self.row = params.get("field"), params.get("row")
        super().__init__(str(self.text))

    def message(self, lang: str) -> str:
        """The message in lang ("vi" or "en")."""
        text = self.text
        if type(text) is str:  # a plain msgid without parameters: translate it if the catalogue knows it
            return Text(text).render(lang)
        return render(text, lang)

    def render(self, lang: str) -> str:
        return self.message(lang)

    def __str__(self) -> str:
        return self.message(SOURCE_LANGUAGE)
