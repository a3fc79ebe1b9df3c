"""Compile the .po catalogues into the .mo files gettext reads: python -m data_model.texts.compile."""
from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from data_model.texts.catalogue import DOMAIN, LOCALE_DIR


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every language's .po catalogue."""
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compiled(po_path: Path) -> bytes:
    """The .mo bytes of one .po catalogue (fuzzy entries left out)."""
    with open(po_path, "rb") as fh:
        catalog = read_po(fh)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write each .mo next to its .po; the .mo files written."""
    written = []
    for po in po_files(locale_dir):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compiled(po))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
