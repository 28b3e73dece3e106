"""Issue 23: the streamed XLSX writer (platform.xlsx) behind the results export."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl

from app.services.platform.xlsx import write_table


def test_cells_keep_their_kinds_and_text_never_becomes_a_formula():
    data = write_table("experts", ["Entry", "Title", "Score", "Note"], [
        [1, '=HYPERLINK("http://evil")', Decimal("26.00"), None],
        [2, "R&D <lab> «Ромашка»", 1.5, "control\x01character"],
    ])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "experts" and sheet.max_row == 3 and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Entry", "Title", "Score", "Note"] and sheet["A1"].font.b
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == '=HYPERLINK("http://evil")'
    assert (sheet["A2"].value, sheet["C2"].value, sheet["C2"].number_format) == (1, 26.0, "0.00")
    assert sheet["D2"].value is None
    assert sheet["B3"].value == "R&D <lab> «Ромашка»" and sheet["D3"].value == "controlcharacter"


def test_many_rows_and_columns_beyond_z():
    header = [f"h{i}" for i in range(30)]
    rows = ([n] + [f"t{n}"] * 29 for n in range(20_000))
    data = write_table("a/b:c" * 10, header, rows)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet.title == ("a_b_c" * 10)[:31]
    last = list(sheet.iter_rows(min_row=20_001, max_row=20_001, values_only=True))[0]
    assert last[0] == 19_999 and last[29] == "t19999"
