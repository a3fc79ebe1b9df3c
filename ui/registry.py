"""The pages of the app: file stem (= url_path), titles, icon, section and the roles that see them."""
from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = frozenset({"admin", "official", "planner", "staff"})


@dataclass(frozen=True)
class PageSpec:
    """One page under pages/<stem>.py."""

    stem: str
    title_vi: str
    title_en: str
    icon: str
    section_vi: str
    section_en: str
    roles: frozenset[str] = ALL_ROLES
    default: bool = False

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def section(self, lang: str) -> str:
        return self.section_vi if lang == "vi" else self.section_en


# Order here is the order in the sidebar. Each helper adds its pages to this list.
PAGES: list[PageSpec] = [
    PageSpec("tong_quan", "Tổng quan", "Overview", ":material/dashboard:", "Kết quả", "Results", default=True),
]


# Reports (issue 6)
PAGES += [
    PageSpec("bao_cao", "Báo cáo năm, giai đoạn", "Yearly report", ":material/description:", "Báo cáo", "Reports",
             roles=frozenset({"admin", "official", "planner"})),
]


def pages_for_role(role: str | None) -> list[PageSpec]:
    """Pages a role may open, in sidebar order."""
    return [p for p in PAGES if role in p.roles]
