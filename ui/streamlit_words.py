"""Streamlit's own English words that no widget parameter replaces, covered in the Vietnamese UI by CSS keyed on
Streamlit's data-testids: the inputs' "Press Enter to apply" hint and the file uploader's button and size line."""
from __future__ import annotations

import json

import streamlit as st

from ui.i18n import current_language, t

# the hint shares its box with max_chars' counter ("12/500"), which goes too: maxlength still stops the typing
_NO_ENTER_HINT = '<style>[data-testid="InputInstructions"] { display: none; }</style>'
_UPLOADER = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{ content: {button}; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: {instructions}; font-size: 0.875rem;
  opacity: 0.7; }}
</style>"""


def hide_enter_hint() -> None:
    """In Vietnamese, no "Press Enter to apply / submit form" under a text box (the forms that save do not take Enter)."""
    if current_language() == "vi":
        st.html(_NO_ENTER_HINT)


def cover_uploader_words(*, limit_mb: int) -> None:
    """In Vietnamese, the file uploader's "Upload" and "50MB per file • CSV, XLSX" said in Vietnamese."""
    if current_language() != "vi":
        return
    st.html(_UPLOADER.format(button=_css_string(t("Chọn tệp")),
                             instructions=_css_string(t("Tệp CSV hoặc XLSX, tối đa {limit} MB", limit=limit_mb))))


def _css_string(text: str) -> str:
    # JSON's escapes of quote and backslash are CSS's too; the letters stay as they are (CSS has no \uXXXX)
    return json.dumps(text, ensure_ascii=False).replace("<", "\\3C ")
