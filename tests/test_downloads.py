"""Chart data downloads keep typed text as text."""
import io

import openpyxl
import pandas as pd

from ui.downloads import to_xlsx_bytes


def test_xlsx_download_keeps_formula_like_text_as_text():
    frame = pd.DataFrame({"Ghi chú": ["=HYPERLINK(\"http://x\")", "http://example.org", "Dào San"], "Số buổi": [1, 2, 3]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [sheet.cell(row=r, column=1).data_type for r in (2, 3, 4)] == ["s", "s", "s"]
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")"
    assert sheet["B4"].value == 3
