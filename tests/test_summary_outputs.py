"""One order and one vocabulary in outputs: headers, definition order of measures, `none`, unit keys and validity."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from data_model.analytics.compare import compare_communes
from data_model.analytics.filters import Filters
from data_model.analytics.overview import build_overview, yearly_series
from data_model.cli.main import main
from data_model.definitions.activity_types import list_activity_types
from data_model.report import Period, Scope, make_report
from data_model.schema.models import ReportingUnit

DEFINITION_ORDER = {(t.code, m.code): i for i, (t, m) in
                    enumerate((t, m) for t in list_activity_types() for m in t.measures)}
LABEL_ORDER = {(t.name_vi, m.label_vi): i for (t_code, m_code), i in DEFINITION_ORDER.items()
               for t in list_activity_types() if t.code == t_code for m in t.measures if m.code == m_code}
SAME_CODE_AND_NAME = {"Pa Ủ": "c03442", "Mù Cả": "c03451", "Hua Bum": "c03460", "Dào San": "c03571"}
HEADERS = {
    "year": ["Năm"], "type": [], "commune": ["Xã", "Mã đơn vị", "Hiệu lực"],
    "district": ["Huyện", "Mã đơn vị", "Hiệu lực"], "station": ["Đơn vị", "Mã đơn vị"],
}
GROUP_KEY = {"year": "year", "type": None, "commune": "commune_key", "district": "district_key",
             "station": "station_key"}


@pytest.fixture
def summary(monkeypatch, capsys, shared_demo_url):
    """Run `summary` on the demo database; its standard output."""
    monkeypatch.setenv("DATABASE_URL", shared_demo_url)

    def run(*argv: str, status: int = 0) -> str:
        code = main(["summary", *argv])
        out, err = capsys.readouterr()
        assert code == status, err
        return out if status == 0 else err

    return run


def _cells(line: str) -> list[str]:
    return re.split(r" {2,}", line.strip())


def _in_definition_order(pairs: list[tuple], order: dict = DEFINITION_ORDER) -> bool:
    positions = [order[p] for p in pairs]
    return positions == sorted(positions) and len(set(positions)) == len(positions)


@pytest.mark.parametrize("by", list(HEADERS))
def test_the_table_has_a_header_row(summary, by):
    lines = summary("--from", "2024", "--to", "2025", "--by", by).splitlines()
    assert _cells(lines[0]) == HEADERS[by] + ["Loại hoạt động", "Chỉ tiêu", "Giá trị", "Đơn vị tính"]
    assert _cells(lines[1])[len(HEADERS[by])] == list_activity_types()[0].name_vi


@pytest.mark.parametrize("by, boundaries", [
    ("type", "historical"), ("year", "historical"), ("commune", "historical"), ("commune", "current"),
    ("district", "historical"), ("station", "historical"),
])
def test_measures_follow_the_definition_in_every_grouping(summary, by, boundaries):
    rows = json.loads(summary("--from", "2012", "--to", "2025", "--by", by, "--boundaries", boundaries,
                              "--format", "json"))
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[GROUP_KEY[by]] if GROUP_KEY[by] else None, []).append((row["type"], row["measure"]))
    assert len(groups) > (1 if GROUP_KEY[by] else 0)
    assert all(_in_definition_order(pairs) for pairs in groups.values())
    assert list(groups) == list(dict.fromkeys(row[GROUP_KEY[by]] if GROUP_KEY[by] else None for row in rows))


def test_the_table_orders_a_types_measures_alike_by_type_and_by_commune(summary):
    by_type = [_cells(line) for line in summary("--from", "2012", "--to", "2025", "--by", "type").splitlines()[1:]]
    assert _in_definition_order([(c[0], c[1]) for c in by_type], LABEL_ORDER)
    by_commune = [_cells(line) for line in
                  summary("--from", "2012", "--to", "2025", "--by", "commune").splitlines()[1:]]
    groups: dict = {}
    for cells in by_commune:
        groups.setdefault(tuple(cells[:-4]), []).append((cells[-4], cells[-3]))
    assert len(groups) > 30 and all(_in_definition_order(pairs, LABEL_ORDER) for pairs in groups.values())


def test_records_without_a_commune_are_the_none_group_in_every_format(summary):
    table = summary("--from", "2012", "--to", "2025", "--by", "commune")
    assert "(không có)" not in table
    none_lines = [line for line in table.splitlines() if line.split()[0] == "none"]
    assert none_lines and all(_cells(line)[0] == "none" for line in none_lines)  # no name, the key `none`
    rows = json.loads(summary("--from", "2012", "--to", "2025", "--by", "commune", "--format", "json"))
    assert {(r["commune_key"], r["commune_code"], r["commune"]) for r in rows if r["commune_key"] == "none"} == {
        ("none", "none", "")}
    assert rows[-1]["commune_key"] == "none"  # the group without a commune comes last
    csv = summary("--from", "2012", "--to", "2025", "--by", "station", "--format", "csv")
    assert csv.splitlines()[0] == "station_key,station,type,measure,value"


@pytest.mark.parametrize("name, code", SAME_CODE_AND_NAME.items())
def test_a_commune_before_and_after_1_july_2025_prints_as_two_groups(summary, name, code):
    table = summary("--from", "2012", "--to", "2025", "--by", "commune", "--boundaries", "historical")
    groups = {tuple(_cells(line)[:3]) for line in table.splitlines()[1:] if _cells(line)[0] == name}
    assert groups == {(name, f"{code}@1900", "–01/07/2025"), (name, f"{code}@2025", "01/07/2025–")}
    rows = json.loads(summary("--from", "2012", "--to", "2025", "--by", "commune", "--format", "json"))
    versions = {(r["commune_key"], r["commune_code"], r["valid_from"], r["valid_to"]) for r in rows
                if r["commune"] == name}
    assert versions == {(f"{code}@1900", code[1:], None, "2025-07-01"), (f"{code}@2025", code[1:], "2025-07-01", None)}


def test_every_group_label_names_one_unit(summary):
    for by in ("commune", "district", "station"):
        lines = summary("--from", "2012", "--to", "2025", "--by", by).splitlines()[1:]
        labels = {tuple(_cells(line)[:len(HEADERS[by])]) for line in lines if not line.startswith(" ")}
        keys = {label[1] for label in labels}
        assert len(labels) == len(keys) > 1


def test_communes_without_a_district_group_under_none_not_the_province(summary):
    rows = json.loads(summary("--from", "2025", "--to", "2025", "--by", "district", "--format", "json"))
    assert {r["district_key"][0] for r in rows} == {"d", "n"} and "12" not in {r["district_code"] for r in rows}
    assert {r["district"] for r in rows if r["district_key"] == "none"} == {""}


def test_summary_filters_by_type_and_unit_with_its_clusters(summary, shared_demo):
    units = {u.key: u for u in shared_demo.scalars(select(ReportingUnit))}
    station = units["st_vang_ma_chai"]
    clusters = [k for k, u in units.items() if u.parent_id == station.id]
    rows = json.loads(summary("--from", "2012", "--to", "2025", "--by", "station", "--type", "loudspeaker_broadcast",
                              "--unit", "st_vang_ma_chai", "--format", "json"))
    assert {r["station_key"] for r in rows} == {"st_vang_ma_chai"} and {r["type"] for r in rows} == {
        "loudspeaker_broadcast"}
    per_cluster = [json.loads(summary("--from", "2012", "--to", "2025", "--by", "type", "--type",
                                      "loudspeaker_broadcast", "--unit", key, "--format", "json")) for key in clusters]
    sessions = sum(r["value"] for rows_ in per_cluster for r in rows_ if r["measure"] == "sessions")
    assert len(clusters) == 2 and sessions > 0
    assert sum(r["value"] for r in rows if r["measure"] == "sessions") == sessions


@pytest.mark.parametrize("argv, message", [
    (["--unit", "st_nowhere"], "Không có đơn vị mã st_nowhere"),
    (["--commune", "c99999@1900"], "Không có xã mã c99999@1900"),
    (["--district", "c03442@1900"], "Không có huyện mã c03442@1900"),
    (["--district", "d107@1900", "--boundaries", "current"], "huyện"),
    (["--type", "nope"], "không tồn tại"),
])
def test_summary_filters_refuse_unknown_units_in_one_line(summary, argv, message):
    err = summary("--from", "2012", "--to", "2025", "--by", "type", *argv, status=2)
    assert message in err and err.count("\n") == 1


def test_pages_and_report_follow_the_definition_order(shared_demo):
    filters = Filters(2012, 2025)
    overview = build_overview(session=shared_demo, filters=filters, year=2024)
    assert _in_definition_order(list(zip(overview.period["type"], overview.period["measure"])))
    assert _in_definition_order(list(zip(overview.kpis["type"], overview.kpis["measure"])))
    series = yearly_series(session=shared_demo, filters=filters)
    for _, rows in series.groupby("year"):
        assert _in_definition_order(list(zip(rows["type"], rows["measure"])))
    cmp = compare_communes(session=shared_demo, filters=filters, communes=("c03442@1900", "c03442@2025"), year=2024,
                           gap_type="outreach_session", language_type="loudspeaker_broadcast")
    for _, rows in cmp.measures.groupby("commune_key"):
        assert _in_definition_order(list(zip(rows["type"], rows["measure"])))
    _, doc = make_report(session=shared_demo, scope=Scope.parse("province"), period=Period(2012, 2020), charts=False)
    totals = doc.all_tables()[0]
    assert _in_definition_order([(row[0], row[1]) for row in totals.rows], LABEL_ORDER)
