"""The command line: init, summary in every format, and one-line errors for bad input."""
import json
import subprocess
import sys

import pytest

from data_model.cli.main import main
from data_model.schema.settings import PROJECT_ROOT

REPORT_FIGURES = {
    ("outreach_session", "sessions"): 824, ("outreach_session", "attendances"): 41262,
    ("study_session", "sessions"): 1146, ("study_session", "soldier_attendances"): 52621,
    ("leaflet_issue", "copies"): 67850,
    ("patrol", "patrols"): 30248, ("patrol", "soldier_participations"): 164582,
    ("patrol", "civilian_patrols"): 7612, ("patrol", "civilian_participations"): 23814,
    ("cultural_performance", "performances"): 48,
    ("loudspeaker_broadcast", "sessions"): 2462,
    ("radio_tv_item", "reportages"): 37, ("radio_tv_item", "segments"): 134, ("radio_tv_item", "news_items"): 328,
    ("training_course", "courses"): 5,
}


def run(monkeypatch, capsys, url, *argv):
    monkeypatch.setenv("DATABASE_URL", url)
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_init_is_harmless_twice(monkeypatch, capsys, db_url):
    status, out, _ = run(monkeypatch, capsys, db_url, "init")
    assert status == 0 and "không có gì mới" in out


def test_init_creates_a_new_sqlite_database(monkeypatch, capsys, tmp_path):
    status, out, _ = run(monkeypatch, capsys, f"sqlite:///{tmp_path}/new.sqlite", "init")
    assert status == 0 and "units 156" in out


@pytest.mark.parametrize("argv, status, message", [
    (["summary", "--from", "2020", "--to", "2012", "--by", "type"], 2, "lớn hơn"),
    (["summary", "--from", "1980", "--to", "2012", "--by", "type"], 2, "1990–2100"),
    (["summary", "--from", "2012", "--to", "2101", "--by", "type"], 2, "1990–2100"),
    (["summary", "--from", "abc", "--to", "2012", "--by", "type"], 2, "năm không hợp lệ"),
    (["summary", "--from", "2012", "--to", "2020", "--by", "village"], 2, "lựa chọn không hợp lệ"),
    (["summary", "--from", "2012", "--to", "2020"], 2, "--by"),
    (["generate", "--records", "0"], 2, "--records"),
    ([], 2, "thiếu các tham số bắt buộc"),
])
def test_bad_arguments_get_one_line(monkeypatch, capsys, db_url, argv, status, message):
    code, out, err = run(monkeypatch, capsys, db_url, *argv)
    assert code == status
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("url, message", [
    ("postgresql+psycopg://postgres@127.0.0.1:1/none", "không kết nối được"),
    ("mysql://u@h/db", "Chỉ hỗ trợ SQLite và PostgreSQL"),
    ("::not a url", "URL cơ sở dữ liệu không hợp lệ"),
    ("sqlite:////proc/forbidden/x.sqlite", "không"),
])
def test_bad_database_url_gets_one_line(monkeypatch, capsys, url, message):
    code, _, err = run(monkeypatch, capsys, url, "summary", "--from", "2012", "--to", "2020", "--by", "type")
    assert code != 0 and message in err and err.count("\n") == 1


@pytest.mark.parametrize("url, message", [
    ("postgresql+psycopg://u:s3cr3tpw@127.0.0.1:abc/db", "cổng phải là một số"),
    ("postgresql+psycopg://u:s3c@r3tpw@127.0.0.1:1/db", "«@» trong tên người dùng hoặc mật khẩu phải viết là %40"),
    ("postgresql+psycopg://u:s3cr3tpw@@127.0.0.1/db", "%40"),
    ("::s3cr3tpw", "URL cơ sở dữ liệu không hợp lệ"),
])
@pytest.mark.parametrize("command", ["summary", "copy"])
def test_a_malformed_database_url_gets_one_vietnamese_line_without_the_password(monkeypatch, capsys, db_url, url,
                                                                                message, command):
    if command == "summary":
        code, out, err = run(monkeypatch, capsys, url, "summary", "--from", "2012", "--to", "2020", "--by", "type")
    else:
        code, out, err = run(monkeypatch, capsys, db_url, "copy", "--to", url)
    assert code != 0 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert "s3c" not in out + err and "r3tpw" not in out + err


def test_summary_of_an_empty_database(monkeypatch, capsys, db_url):
    assert run(monkeypatch, capsys, db_url, "summary", "--from", "2012", "--to", "2020", "--by", "year",
               "--format", "json")[1].strip() == "[]"
    assert "Không có hoạt động" in run(monkeypatch, capsys, db_url, "summary", "--from", "2012", "--to", "2020",
                                       "--by", "year")[1]


def test_module_entry_point_runs(db_url):
    proc = subprocess.run([sys.executable, "-m", "data_model", "summary", "--from", "2012", "--to", "2020", "--by",
                           "type", "--format", "csv"], cwd=PROJECT_ROOT, env={"DATABASE_URL": db_url, "PATH": ""},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "type,measure,value"


def _totals(rows):
    totals = {}
    for row in rows:
        key = (row["type"], row["measure"])
        totals[key] = totals.get(key, 0) + row["value"]
    return totals


def test_demo_summary_prints_the_report_figures(monkeypatch, capsys, demo_db_url):
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "summary", "--from", "2012", "--to", "2020", "--by", "type",
                         "--format", "json")
    totals = _totals(json.loads(out))
    assert status == 0
    assert {k: totals[k] for k in REPORT_FIGURES} == REPORT_FIGURES
    assert 20_000 < totals[("cultural_performance", "viewers")] < 21_000
    assert 2_600 < totals[("press_item", "items")] < 2_700


@pytest.mark.parametrize("by, boundaries", [
    ("year", "historical"), ("commune", "historical"), ("commune", "current"), ("station", "historical"),
    ("station", "current"), ("district", "historical"),  # districts exist only as recorded
])
def test_demo_groupings_keep_the_grand_total(monkeypatch, capsys, demo_db_url, by, boundaries):
    _, out, _ = run(monkeypatch, capsys, demo_db_url, "summary", "--from", "2012", "--to", "2025", "--by", by,
                    "--boundaries", boundaries, "--format", "json")
    rows = json.loads(out)
    _, whole, _ = run(monkeypatch, capsys, demo_db_url, "summary", "--from", "2012", "--to", "2025", "--by", "type",
                      "--format", "json")
    assert _totals(rows) == _totals(json.loads(whole))
    key = {"year": "year", "commune": "commune_key", "station": "station_key", "district": "district_key"}[by]
    assert all(key in row for row in rows)
    if by in ("commune", "district"):
        assert any(row[key] == "none" for row in rows)  # press and radio items name no commune: their own group
