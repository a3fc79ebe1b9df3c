"""The pages of the app: file stem (= url_path), titles, icon, section and the capability a user needs to see them
(the roles that have it come from data_model/basics/permissions.py)."""
from __future__ import annotations

from dataclasses import dataclass

from data_model.basics.permissions import roles_with


@dataclass(frozen=True)
class PageSpec:
    """One page under pages/<stem>.py."""

    stem: str
    title_vi: str
    title_en: str
    icon: str
    section_vi: str
    section_en: str
    capability: str | None = "read_results"  # None: nobody logged in (the login page)
    default: bool = False

    @property
    def roles(self) -> frozenset[str]:
        """The roles that may open the page."""
        return roles_with(self.capability) if self.capability else frozenset()

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def section(self, lang: str) -> str:
        return self.section_vi if lang == "vi" else self.section_en


# Order here is the order in the sidebar. Each helper adds its pages to this list.
PAGES: list[PageSpec] = [
    PageSpec("tong_quan", "Tổng quan", "Overview", ":material/dashboard:", "Kết quả", "Results", default=True),
    PageSpec("theo_xa", "Theo xã", "By commune", ":material/location_city:", "Kết quả", "Results"),
    PageSpec("theo_don", "Theo đồn biên phòng", "By border station", ":material/shield:", "Kết quả", "Results"),
    PageSpec("theo_nam", "Theo năm", "Trends", ":material/show_chart:", "Kết quả", "Results"),
    PageSpec("so_sanh_xa", "So sánh xã", "Compare communes", ":material/compare_arrows:", "Kết quả", "Results"),
    PageSpec("danh_sach", "Danh sách hoạt động", "Records", ":material/table_rows:", "Kết quả", "Results"),
]


# Reports (issue 6)
PAGES += [
    PageSpec("bao_cao", "Báo cáo năm, giai đoạn", "Yearly report", ":material/description:", "Báo cáo", "Reports",
             capability="read_report"),
]


# Plans and targets (issue 11): planners and admins edit, officials read
PAGES += [
    PageSpec("ke_hoach", "Kế hoạch", "Plan", ":material/flag:", "Báo cáo", "Reports", capability="read_report"),
]


def pages_for_role(role: str | None) -> list[PageSpec]:
    """Pages a role may open, in sidebar order; anonymous visitors get the login page only."""
    if role is None:
        return [p for p in PAGES if p.stem == LOGIN_STEM]
    return [p for p in PAGES if role in p.roles]


def hidden_pages_for_role(role: str | None) -> list[PageSpec]:
    """Pages kept in a logged-in user's navigation without a sidebar entry (the login page, so that logging in
    and out switch pages instead of hitting Streamlit's "page not found")."""
    return [] if role is None else [p for p in PAGES if p.stem == LOGIN_STEM]


# staff come to enter records: the entry form is their home; everyone else starts on the overview
HOME_BY_ROLE = {"staff": "nhap_hoat_dong"}


def home_page(role: str | None) -> PageSpec:
    """The page a role lands on after logging in (its own home, else the default page it may open, else its first)."""
    pages = pages_for_role(role)
    own = HOME_BY_ROLE.get(role or "")
    return next((p for p in pages if p.stem == own), None) or next((p for p in pages if p.default), pages[0])


# Data entry (issue 4): staff of their own units, and admins
PAGES += [
    PageSpec("nhap_hoat_dong", "Nhập hoạt động", "Enter an activity", ":material/edit_note:", "Nhập liệu",
             "Data entry", capability="write_records"),
    PageSpec("hoat_dong_da_nhap", "Hoạt động đã nhập", "My records", ":material/fact_check:", "Nhập liệu",
             "Data entry", capability="write_records"),
    PageSpec("nhap_tu_tep", "Nhập từ tệp", "Import from file", ":material/upload_file:", "Nhập liệu", "Data entry",
             capability="write_records"),
]


# Reporting completeness and year close (issue 11 parts 2 and 3)
PAGES += [
    PageSpec("tien_do_bao_cao", "Tiến độ báo cáo", "Reporting progress", ":material/event_available:", "Báo cáo",
             "Reports"),
    PageSpec("khoa_so_nam", "Khóa sổ năm", "Year close", ":material/lock:", "Báo cáo", "Reports",
             capability="read_report"),
]


# Joint activities (issue 25): officials and admins review pairs two units recorded of one event
PAGES += [
    PageSpec("hoat_dong_phoi_hop", "Hoạt động phối hợp", "Joint activities", ":material/handshake:", "Báo cáo",
             "Reports", capability="review_joint"),
]


# Administration and account pages, kept last in the sidebar; the login page is the only page of anonymous visitors.
LOGIN_STEM = "dang_nhap"
PAGES += [
    PageSpec(LOGIN_STEM, "Đăng nhập", "Log in", ":material/login:", "Tài khoản", "Account", capability=None),
    PageSpec("nguoi_dung", "Người dùng", "Users", ":material/group:", "Quản trị", "Administration",
             capability="manage_users"),
    PageSpec("danh_muc", "Danh mục", "Reference data", ":material/list_alt:", "Quản trị", "Administration",
             capability="edit_population"),
    PageSpec("nhat_ky", "Nhật ký", "Audit log", ":material/history:", "Quản trị", "Administration",
             capability="read_audit"),
    PageSpec("thiet_lap_bao_cao", "Thiết lập văn bản báo cáo", "Report document setup", ":material/draw:",
             "Quản trị", "Administration", capability="edit_report_setup"),
    PageSpec("tai_khoan", "Tài khoản của tôi", "My account", ":material/person:", "Tài khoản", "Account",
             capability="own_account"),
]


# Offline field entry through ODK Collect / KoboCollect (issue 13)
PAGES += [
    PageSpec("bieu_mau_ngoai_tuyen", "Biểu mẫu thu thập ngoại tuyến", "Offline entry form", ":material/phone_android:",
             "Nhập liệu", "Data entry", capability="write_records"),
]


def page_spec(stem: str) -> PageSpec:
    """The page of that stem."""
    return next(p for p in PAGES if p.stem == stem)
