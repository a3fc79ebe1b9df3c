"""The figures the demo reproduces: the source report's 2012–2020 totals, seasons, yearly trends and topics."""
from __future__ import annotations

REPORT_YEARS = tuple(range(2012, 2021))
LATER_YEARS = tuple(range(2021, 2026))

# 2012–2020 totals of the source report (program-report-2011-2020.vi.txt); "over N" → a figure just above N.
REPORT_TOTALS: dict[str, dict[str, int]] = {
    "outreach_session": {"sessions": 824, "attendances": 41_262},
    "study_session": {"sessions": 1_146, "soldier_attendances": 52_621},
    "leaflet_issue": {"copies": 67_850},
    "patrol": {"patrols": 30_248, "soldier_participations": 164_582, "civilian_patrols": 7_612,
               "civilian_participations": 23_814},
    "cultural_performance": {"performances": 48, "viewers": 20_140},
    "loudspeaker_broadcast": {"sessions": 2_462},
    "radio_tv_item": {"reportages": 37, "segments": 134, "news_items": 328},
    "press_item": {"items": 2_614},
    "training_course": {"courses": 5},
    "special_event": {"events": 1},
}
# Communes where the report says working groups stay in villages (NQ 1670 spellings).
WORKING_GROUP_COMMUNES = ("Mù Cả", "Huổi Luông", "Dào San", "Tung Qua Lìn", "Pa Vây Sử", "Nậm Ban", "Trung Chải")

# Month weights (Jan … Dec): busy before Tết (Jan–Feb), quiet in the rainy season (Jun–Aug).
SEASON = {
    "gathering": (1.5, 1.4, 1.1, 1.0, 1.0, 0.6, 0.5, 0.6, 0.9, 1.0, 1.1, 1.3),
    "market": (1.6, 1.5, 1.1, 1.0, 1.0, 0.55, 0.5, 0.55, 0.9, 1.0, 1.1, 1.3),
    "patrol": (1.25, 1.3, 1.0, 1.0, 1.0, 0.95, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1),
    "indoor": (0.8, 0.7, 1.0, 1.0, 1.0, 1.2, 1.2, 1.2, 1.0, 1.0, 1.0, 0.9),
    # Tết, Border Guard Day (3/3), National Day (2/9), Army Day (22/12)
    "festival": (2.5, 2.0, 1.6, 0.3, 0.5, 0.2, 0.2, 0.3, 1.3, 0.5, 0.4, 1.3),
    "flat": (1.0,) * 12,
}
# Year weights: slow growth, COVID-19 (2020–2021) cut gatherings and multiplied border patrols.
YEAR_TREND = {
    "gathering": {2012: 0.8, 2013: 0.85, 2014: 0.9, 2015: 0.95, 2016: 1.0, 2017: 1.05, 2018: 1.1, 2019: 1.15,
                  2020: 0.8, 2021: 0.7, 2022: 0.95, 2023: 1.05, 2024: 1.1, 2025: 1.1},
    "patrol": {2012: 0.9, 2013: 0.9, 2014: 0.95, 2015: 0.95, 2016: 1.0, 2017: 1.0, 2018: 1.0, 2019: 1.0,
               2020: 1.35, 2021: 1.4, 2022: 1.1, 2023: 1.0, 2024: 1.0, 2025: 1.0},
    "media": {2012: 0.7, 2013: 0.8, 2014: 0.85, 2015: 0.9, 2016: 1.0, 2017: 1.05, 2018: 1.1, 2019: 1.2,
              2020: 1.3, 2021: 1.3, 2022: 1.3, 2023: 1.35, 2024: 1.4, 2025: 1.4},
    "flat": dict.fromkeys(range(2012, 2026), 1.0),
}

TOPICS = {
    "law": ("Luật Biên giới quốc gia",
            "Hiệp định về Quy chế quản lý biên giới đất liền Việt Nam – Trung Quốc",
            "Hiệp định về cửa khẩu và Quy chế quản lý cửa khẩu biên giới đất liền Việt Nam – Trung Quốc",
            "Phòng, chống di cư tự do, không nghe theo kẻ xấu",
            "Phòng, chống tuyên truyền đạo trái pháp luật",
            "Phòng, chống ma túy, mua bán người",
            "Bảo vệ mốc quốc giới, an ninh trật tự thôn bản"),
    "covid": ("Phòng, chống dịch COVID-19, không xuất nhập cảnh trái phép",),
    "study": ("Chủ trương, đường lối của Đảng về biên giới", "Quy chế phát ngôn và cung cấp thông tin cho báo chí",
              "Thông tin đối ngoại, biên giới trên đất liền", "Tình hình biên giới và nhiệm vụ của đồn"),
    "radio": ("Chuyên mục “Vì chủ quyền an ninh biên giới”", "Chuyên mục “Quốc phòng Lai Châu”"),
    "press": ("Tin, bài về chủ quyền, an ninh biên giới", "Quảng bá hình ảnh khu vực biên giới"),
    "performance": ("Văn nghệ mừng Xuân", "Văn nghệ chào mừng Ngày Biên phòng toàn dân 3/3",
                    "Văn nghệ mừng Quốc khánh 2/9", "Văn nghệ quân dân"),
    "training": ("Quy chế phát ngôn và cung cấp thông tin cho báo chí", "Kỹ năng đối thoại với báo chí",
                 "Công tác thông tin đối ngoại"),
    "group": ("Vận động đồng bào Mông không nghe theo kẻ xấu, không di cư tự do", "Giữ vững an ninh nông thôn"),
}
