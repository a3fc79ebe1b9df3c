"""The yearly/period report: its figures equal summarise()'s, its sentences, gaps, languages, templates and CLI."""
from __future__ import annotations

import datetime as dt
import string

import pytest
from sqlalchemy import select

from data_model.analytics.filters import Filters
from data_model.analytics.summary import summarise
from data_model.cli.main import main
from data_model.definitions.activity_types import list_activity_types
from data_model.records.bulk import insert_records
from data_model.report import Period, ReportError, Scope, make_report, render
from data_model.report.content import gather_report
from data_model.report.templating import load_templates, round_down
from data_model.schema.db import read_session, write_session
from data_model.schema.models import AppMeta, ReportingUnit, Unit, Village
from data_model.texts.formatting import format_number

MU_CA, KA_LANG, THU_LUM_2025 = "c03451@1900", "c03439@1900", "c03439@2025"
MUONG_TE = "d107@1900"
TODAY = dt.date(2026, 11, 26)


def _record(type_code: str, year: int, unit_id: int | None, commune: str | None, measures: list[int], *,
            village: int | None = None, languages: str = "") -> dict:
    day = dt.date(year, 3, 1)
    row = dict(type_code=type_code, start_date=day, end_date=day, year=year, reporting_unit_id=unit_id,
               commune_key=commune, village_id=village, languages=languages)
    row.update({f"m{i}": v for i, v in enumerate(measures, start=1)})
    return row


@pytest.fixture
def records(engine):
    """A small known data set: 2019 and 2020 in Mù Cả and Ka Lăng (Mường Tè), by two stations and the press."""
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        xi_ne = s.scalars(select(Village).where(Village.unit_key == MU_CA, Village.name == "Xi Nế")).one().id
        rows = []
        for year, extra in ((2019, 0), (2020, 1)):
            rows += [
                _record("outreach_session", year, unit["st_mu_ca"], MU_CA, [10 + extra, 500], village=xi_ne,
                        languages="vi,mong"),
                _record("outreach_session", year, unit["st_ka_lang"], KA_LANG, [4, 120], languages="vi"),
                _record("patrol", year, unit["st_ka_lang"], KA_LANG, [30, 164, 7, 23]),
                _record("cultural_performance", year, unit["st_ka_lang"], KA_LANG, [3, 20_437]),
                _record("loudspeaker_broadcast", year, unit["st_mu_ca"], MU_CA, [100, 3_000], languages="vi,ha_nhi"),
                _record("press_item", year, unit["press"], None, [2_647]),
            ]
        insert_records(session=s, rows=rows)
    return {"unit": unit, "xi_ne": xi_ne}


def _report(engine, scope: str, year_from: int, year_to: int, lang: str = "vi"):
    with read_session(engine) as session:
        content, doc = make_report(session=session, scope=Scope.parse(scope), period=Period(year_from, year_to),
                                   lang=lang, charts=False, today=TODAY)
    return content, doc, render(doc, "md").decode("utf-8")


@pytest.mark.parametrize("text, kind, key", [
    ("province", "province", ""),
    ("", "province", ""),
    ("district:d107@1900", "district", "d107@1900"),
    (" Station:st_ka_lang ", "station", "st_ka_lang"),
    ("commune:c03451@1900", "commune", "c03451@1900"),
])
def test_scope_parse(text, kind, key):
    assert Scope.parse(text) == Scope(kind, key)


@pytest.mark.parametrize("text", ["country", "commune", "commune:", "province:p12@2004", "district"])
def test_scope_parse_refuses(text):
    with pytest.raises(ReportError):
        Scope.parse(text)


@pytest.mark.parametrize("value, digits, expected", [
    (20_437, 1, 20_000), (20_437, 2, 20_000), (2_647, 2, 2_600), (2_600, 2, 2_600), (164_582, 2, 160_000),
    (48, 2, 48), (7, 1, 7), (0, 2, 0), (999, 1, 900),
])
def test_round_down(value, digits, expected):
    assert round_down(value, digits) == expected


def _filters(scope: str, unit: dict[str, int]) -> Filters:
    kind, _, key = scope.partition(":")
    base = dict(year_from=2019, year_to=2020)
    return {
        "province": Filters(**base),
        "district": Filters(**base, district=key),
        "station": Filters(**base, stations=(unit.get(key, -1),)),
        "commune": Filters(**base, communes=(key,)),
    }[kind]


@pytest.mark.parametrize("scope", ["province", f"district:{MUONG_TE}", "station:st_ka_lang", "station:st_mu_ca",
                                   f"commune:{MU_CA}", f"commune:{KA_LANG}"])
def test_report_figures_equal_summarise(engine, records, scope):
    content, doc, markdown = _report(engine, scope, 2019, 2020)
    with read_session(engine) as session:
        expected = summarise(session=session, filters=_filters(scope, records["unit"]), by="type")
    assert not expected.empty
    got = {(t.code, m): v for t in content.types for m, v in t.values.items()}
    assert got == {(r.type, r.measure): r.value for r in expected.itertuples()}
    totals = doc.all_tables()[0]
    types = {t.code: t for t in list_activity_types()}
    for row in expected.itertuples():
        definition = types[row.type]
        label = definition.measure(row.measure).label_vi
        line = [c for c in totals.rows if c[0] == definition.name_vi and c[1] == label]
        assert line and line[0][3] == row.value
        assert f"| {definition.name_vi} | {definition.measure(row.measure).label_vi} |" in markdown
        assert f"| {format_number(row.value)} |" in markdown


def test_commune_table_equals_summarise_by_commune(engine, records):
    content, doc, _ = _report(engine, "province", 2019, 2020)
    with read_session(engine) as session:
        by_commune = summarise(session=session, filters=Filters(year_from=2019, year_to=2020), by="commune")
    table = next(t for t in doc.all_tables() if t.sheet == "Theo xã")
    column = table.columns.index("Tuyên truyền tại bản (buổi)")
    for name, key in (("Mù Cả", MU_CA), ("Ka Lăng", KA_LANG)):
        want = by_commune[(by_commune.commune_key == key) & (by_commune.type == "outreach_session")
                          & (by_commune.measure == "sessions")].value.sum()
        row = next(r for r in table.rows if r[0] == name)
        assert row[column] == want
    assert table.rows[-1][0] == "Tổng" and table.rows[-1][column] == 15 + 14


def test_sentences_in_the_source_style(engine, records):
    _, _, md = _report(engine, "province", 2020, 2020)
    assert "tuyên truyền được 15 buổi tuyên truyền cho 620 lượt người dân các bản giáp biên giới" in md
    assert "(số buổi tăng 7,1% so với năm 2019)" in md
    assert "tuần tra bảo vệ biên giới được 30 lần/164 lượt cán bộ, chiến sĩ (trong đó có 7 lần/23 công an viên" in md
    assert "thu hút trên 20.000 lượt người xem (số buổi biểu diễn bằng năm 2019)" in md
    assert "hơn 2.600 tin, bài" in md
    assert "bằng 2 thứ tiếng (tiếng Việt (phổ thông) và tiếng Hà Nhì)" in md
    assert "| 20.437 |" in md  # exact figure in the table


def test_period_compares_with_the_previous_period_of_equal_length(engine, records):
    content, _, md = _report(engine, "province", 2019, 2020)
    assert content.previous == Period(2017, 2018)
    assert "tích cực tuyên truyền được 29 buổi tuyên truyền cho 1.240 lượt" in md
    # said once, not in every sentence, and Table 1 has no empty "Kỳ trước" / "Thay đổi" columns
    assert "Giai đoạn 2017–2018 chưa có số liệu để so sánh" in md and md.count("chưa có số liệu để so sánh") == 1
    assert "Kỳ trước" not in md and "Thay đổi" not in md and "()" not in md


def test_decrease_in_words(engine, records):
    with write_session(engine) as s:
        insert_records(session=s, rows=[_record("patrol", 2021, records["unit"]["st_ka_lang"], KA_LANG, [24, 100])])
    _, _, md = _report(engine, "province", 2021, 2021)
    assert "số lần tuần tra giảm 20,0% so với năm 2020" in md
    assert "trong đó có" not in md  # the civilian part is left out when its figures are 0


def test_most_and_least(engine, records):
    _, _, md = _report(engine, "province", 2020, 2020)
    assert "Tuyên truyền tại bản: nhiều nhất là Mù Cả (11 buổi); ít nhất là Ka Lăng (4 buổi)." in md
    _, _, single = _report(engine, "commune:" + MU_CA, 2020, 2020)
    assert "Phạm vi báo cáo chỉ gồm một đơn vị" in single


def test_villages_without_outreach_only_of_communes_valid_in_the_period(engine, records):
    content, _, md = _report(engine, "province", 2020, 2020)
    with read_session(engine) as session:
        valid_2020 = session.scalars(select(Village.name).join(Unit, Unit.key == Village.unit_key).where(
            (Unit.valid_from.is_(None)) | (Unit.valid_from <= dt.date(2020, 12, 31)),
            (Unit.valid_to.is_(None)) | (Unit.valid_to > dt.date(2020, 1, 1)))).all()
        of_2025 = session.scalars(select(Village.name).where(Village.unit_key == THU_LUM_2025)).all()
    assert content.n_villages == len(valid_2020)
    gaps = {(g.commune, g.village) for g in content.villages_without}
    assert ("Mù Cả", "Xi Nế") not in gaps and ("Mù Cả", "Tó Khò") in gaps
    assert len(gaps) == len(valid_2020) - 1
    assert of_2025 and not any(g[1] in of_2025 and g[0] == "Thu Lũm" for g in gaps if g[1] not in valid_2020)
    later, _, _ = _report(engine, "province", 2025, 2025)
    assert {v for c, v in ((g.commune, g.village) for g in later.villages_without)} >= set(of_2025)
    commune, _, _ = _report(engine, f"commune:{MU_CA}", 2020, 2020)
    assert {g.commune for g in commune.villages_without} == {"Mù Cả"}


def test_languages_used(engine, records):
    _, _, md = _report(engine, "province", 2020, 2020)
    assert "Tuyên truyền tại bản: sử dụng 2 thứ tiếng – tiếng Việt (phổ thông) (15 buổi) và tiếng Mông (11 buổi)." in md
    _, _, station = _report(engine, "station:st_ka_lang", 2020, 2020)
    assert "tiếng Mông" not in station and "tiếng Việt (phổ thông) (4 buổi)" in station


def test_empty_period_gives_a_short_correct_report(engine, records):
    content, doc, md = _report(engine, "province", 2005, 2005)
    assert content.empty and content.types == []
    assert "Trong năm 2005, trên địa bàn tỉnh Lai Châu, chưa có hoạt động thông tin, tuyên truyền nào" in md
    assert doc.all_tables() == [] and "Bảng" not in md
    for fmt in ("docx", "xlsx", "md"):
        assert render(doc, fmt)


def test_empty_database_report(engine):
    with read_session(engine) as session:
        content, doc = make_report(session=session, scope=Scope(), period=Period(2012, 2020), today=TODAY)
    assert content.empty and doc.all_charts() == []


def test_demo_database_is_labelled(engine, records):
    _, _, plain = _report(engine, "province", 2020, 2020)
    assert "DỮ LIỆU MẪU" not in plain
    with write_session(engine) as s:
        s.add(AppMeta(key="demo_loaded", value="1"))
    _, doc, md = _report(engine, "province", 2020, 2020)
    assert doc.notices and "DỮ LIỆU MẪU (DEMO)" in md
    _, _, english = _report(engine, "province", 2020, 2020, lang="en")
    assert "DEMO DATA" in english


def test_english_report(engine, records):
    _, _, md = _report(engine, "province", 2020, 2020, lang="en")
    assert "15 outreach sessions reached 620 attendances" in md
    assert "sessions up 7.1% on 2019" in md and "over 20,000 viewers" in md


@pytest.mark.parametrize("scope, message", [
    ("commune:nope", "Không có xã"), ("district:c03451@1900", "Không có huyện"),
    ("station:st_nowhere", "Không có đơn vị"), (f"district:{MUONG_TE}", "không tồn tại"),
])
def test_unknown_or_invalid_scope(engine, scope, message):
    year = 2026 if scope == f"district:{MUONG_TE}" else 2020
    with read_session(engine) as session, pytest.raises(ReportError, match=message):
        gather_report(session=session, scope=Scope.parse(scope), period=Period(year, year))


def test_every_type_has_a_sentence_with_known_placeholders():
    common = {"type_name", "n_records", "n_units", "n_communes", "commune_list", "n_languages", "language_list",
              "change"}
    for lang in ("vi", "en"):
        sentences = load_templates(lang)["sentence"]
        for definition in list_activity_types():
            template = sentences.get(definition.code)
            assert template, f"{lang}: no sentence for {definition.code}"
            parts = [template] if isinstance(template, str) else template
            names = {f for p in parts for _, f, _, _ in string.Formatter().parse(p) if f}
            unknown = names - common - {m.code for m in definition.measures}
            assert not unknown, f"{lang} {definition.code}: unknown placeholders {unknown}"


def test_cli_writes_each_format(engine, records, db_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    for suffix in ("docx", "xlsx", "md"):
        out = tmp_path / f"r.{suffix}"
        assert main(["report", "--from", "2019", "--to", "2020", "--scope", f"district:{MUONG_TE}",
                     "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    assert (tmp_path / "r-chart-1.png").exists()
    assert "15 buổi" not in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "29 buổi tuyên truyền" in (tmp_path / "r.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--from", "2020", "--to", "2019"], "lớn hơn"),
    (["--from", "2020", "--to", "2020", "--scope", "commune:nope"], "Không có xã"),
    (["--from", "2020", "--to", "2020", "--scope", "planet"], "Phạm vi không hợp lệ"),
    (["--from", "2020", "--to", "2020", "--out-ext", "odt"], ".docx, .pdf, .xlsx hoặc .md"),
    (["--from", "1800", "--to", "2020"], "năm 1800"),
])
def test_cli_bad_input_is_one_line(engine, db_url, monkeypatch, tmp_path, capsys, args, message):
    monkeypatch.setenv("DATABASE_URL", db_url)
    suffix = "docx"
    if "--out-ext" in args:
        suffix = args[args.index("--out-ext") + 1]
        args = args[:args.index("--out-ext")]
    status = main(["report", *args, "--out", str(tmp_path / f"r.{suffix}")])
    err = capsys.readouterr().err
    assert status != 0 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / f"r.{suffix}").exists()


SOURCE_FIGURES = ["824 buổi", "41.262 lượt", "1.146 buổi", "52.621", "67.850 tờ", "30.248 lần", "164.582 lượt",
                  "7.612 lần", "23.814", "48 buổi", "trên 20.000", "2.462 buổi", "37 phóng sự", "134 chuyên mục",
                  "328 tin", "hơn 2.600 tin", "5 lớp"]


def test_demo_report_2012_2020_reproduces_the_source_figures(demo_engine):
    _, _, md = _report(demo_engine, "province", 2012, 2020)
    missing = [f for f in SOURCE_FIGURES if f not in md]
    assert not missing, f"not in the 2012–2020 demo report: {missing}"
    assert "DỮ LIỆU MẪU (DEMO)" in md


@pytest.mark.parametrize("text, expected", [
    ("Xi Nế", "Xi Nế"),
    ("*Nà* [x](http://e) <b>", "\\*Nà\\* \\[x\\](http://e) \\<b\\>"),
    ("$x$ `y` _z_", "\\$x\\$ \\`y\\` \\_z\\_"),
    ("1. list", "1\\. list"),
    ("- dash", "\\- dash"),
    ("+12,5%", "+12,5%"),
])
def test_markdown_escape(text, expected):
    from data_model.report.markdown import escape

    assert escape(text) == expected


def test_typed_village_names_stay_text(engine, records):
    from data_model.reference.names import normalise_name

    name = "*Nà* [lừa](http://evil.example) <script>"
    with write_session(engine) as s:
        s.add(Village(unit_key=MU_CA, name=name, name_norm=normalise_name(name)))
    _, _, md = _report(engine, "province", 2020, 2020)
    assert "\\*Nà\\* \\[lừa\\](http://evil.example) \\<script\\>" in md
    assert "[lừa](http" not in md.replace("\\[lừa\\](http", "")


def test_merged_commune_counts_its_former_communes_from_the_merger_on(engine, records):
    si_lo_lau, ma_li_chai = "c03550@1900", "c03556@1900"  # Ma Li Chải merged into Sì Lở Lầu on 01/02/2020
    with write_session(engine) as s:
        insert_records(session=s, rows=[
            _record("outreach_session", 2019, records["unit"]["st_si_lo_lau"], ma_li_chai, [6, 300]),
            _record("outreach_session", 2020, records["unit"]["st_si_lo_lau"], si_lo_lau, [2, 90]),
        ])
    content, _, md = _report(engine, f"commune:{si_lo_lau}", 2019, 2020)
    assert content.type_figures("outreach_session").values == {"sessions": 8, "attendances": 390}
    assert "các xã đã sáp nhập được cộng vào xã kế thừa" in md
    before, _, _ = _report(engine, f"commune:{si_lo_lau}", 2019, 2019)
    assert before.empty  # in 2019 Ma Li Chải was still a commune of its own


def test_broken_templates_do_not_break_the_report(tmp_path):
    from data_model.report.templating import fill

    assert fill("{sessions} buổi, {unknown}", "vi", sessions=1234) == "1.234 buổi, {unknown}"
    assert fill("{sessions buổi", "vi", sessions=1) == "{sessions buổi"
    assert fill("{viewers:round1:trên} lượt", "vi", viewers=20_437) == "trên 20.000 lượt"
    assert fill("{viewers:round1:trên} lượt", "vi", viewers=20_000) == "20.000 lượt"
    (tmp_path / "report.vi.toml").write_text('[sentence]\npatrol = "không đóng ngoặc\n', encoding="utf-8")
    with pytest.raises(ReportError, match="sai cú pháp"):
        load_templates("vi", tmp_path)


def test_station_scope_counts_the_loudspeaker_clusters_under_the_station(session):
    from data_model.report.scope import Period, Scope, resolve_scope
    from data_model.schema.models import ReportingUnit

    station = session.scalar(select(ReportingUnit).where(ReportingUnit.key == "st_dao_san"))
    cluster = ReportingUnit(key="cum_loa_dao_san", kind="loudspeaker_cluster", name="Cụm loa Dào San",
                            short_name="Cụm loa", parent_id=station.id, commune_key="c03571@1900")
    session.add(cluster)
    session.flush()
    resolved = resolve_scope(session=session, scope=Scope("station", "st_dao_san"), period=Period(2020, 2020))
    assert set(resolved.filters.stations) == {station.id, cluster.id}
