"""Chart data downloads keep typed text as text."""
import csv
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import create_engine, update

from data_model.basics.cells import neutralise_cells
from data_model.cli.main import main
from data_model.schema.models import Unit
from ui.downloads import to_csv_bytes, to_xlsx_bytes


def test_xlsx_download_keeps_formula_like_text_as_text():
    frame = pd.DataFrame({"Ghi chú": ["=HYPERLINK(\"http://x\")", "http://example.org", "Dào San"], "Số buổi": [1, 2, 3]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [sheet.cell(row=r, column=1).data_type for r in (2, 3, 4)] == ["s", "s", "s"]
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")"
    assert sheet["B4"].value == 3


@pytest.mark.parametrize("cell, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Dào San", "Dào San"), ("", ""), (-5, -5), (-1.5, -1.5), (None, None),
])
def test_neutralise_cells(cell, written):
    frame = neutralise_cells(frame=pd.DataFrame({"c": [cell]}, dtype=object))
    assert frame["c"].iloc[0] == written or (written is None and pd.isna(frame["c"].iloc[0]))


def test_csv_download_neutralises_formula_like_text_and_keeps_negative_numbers():
    frame = pd.DataFrame({"Xã": ["=HYPERLINK(\"http://x\")", "@cmd", "Dào San"], "Thay đổi": [-3, 0, 2]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\")", "-3"], ["'@cmd", "0"], ["Dào San", "2"]]


def test_summary_csv_neutralises_a_commune_name(monkeypatch, capsys, demo_db_url):
    engine = create_engine(demo_db_url)
    with engine.begin() as conn:
        conn.execute(update(Unit).where(Unit.key == "c03451@1900").values(name="=HYPERLINK(\"http://x\")"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    assert main(["summary", "--from", "2012", "--to", "2020", "--by", "commune", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    names = {r[rows[0].index("commune")] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in names and not any(n.startswith("=") for n in names)
