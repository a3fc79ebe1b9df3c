"""One spelling of the words Vietnamese writes two ways: "xóa" and "khóa", as the province's source report and modern
official usage write them, never with the tone mark on the "a"."""
from __future__ import annotations

import re
import subprocess
import unicodedata

from data_model.schema.settings import PROJECT_ROOT

OTHER_SPELLING = re.compile("\\b(xo\u00e1|kho\u00e1)", re.IGNORECASE)  # escaped: this file passes its own test
# place names keep the spelling of their source: GSO spells a commune the other way, which the aliases map
KEPT_AS_SOURCE = ("reference/",)


def _tracked_texts() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return [p for p in listed.stdout.splitlines()
            if p.endswith((".py", ".po", ".md", ".toml", ".txt", ".csv", ".html", ".sh", ".j2"))
            and not p.startswith(KEPT_AS_SOURCE)]


def test_code_catalogue_and_docs_spell_xoa_and_khoa_one_way():
    found = []
    for path in _tracked_texts():
        full = PROJECT_ROOT / path
        if not full.is_file():
            continue
        text = unicodedata.normalize("NFC", full.read_text(encoding="utf-8", errors="replace"))
        for number, line in enumerate(text.splitlines(), 1):
            if OTHER_SPELLING.search(line):
                found.append(f"{path}:{number}: {line.strip()[:80]}")
    assert found == [], "write xóa / khóa:\n" + "\n".join(found)
