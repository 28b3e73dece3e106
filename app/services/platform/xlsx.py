"""A one-sheet XLSX workbook written as it is read: rows in, a zip of SpreadsheetML out.

For tables of tens of thousands of rows (the results export): each row becomes its XML in one
string join and goes straight into the compressed sheet, so memory does not grow with the table.
Measured on the results export at 10,000 rows × 20 columns, XlsxWriter's constant-memory mode
took 5× the CSV export of the same rows, openpyxl's write-only mode 2–3× XlsxWriter (README,
"Performance: pages whose cost does not grow with the contest"); this writer does only what the
exports need:

- text is always text (an inline string: never a formula, a number or a link);
- int is a number; Decimal and float are numbers shown with two decimals;
- None is an empty cell; the first row is bold and frozen.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>'
)
_ROOT_RELS = _HEAD + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
_WORKBOOK_RELS = _HEAD + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
    '</Relationships>'
)
# Styles: 0 normal, 1 bold (the header), 2 two decimals (built-in number format 2, "0.00").
_STYLES = _HEAD + (
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)
_SHEET_START = _HEAD + (
    f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '</sheetView></sheetViews><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
# XML 1.0 has no place for these (stored text never holds them; this keeps a file valid anyway).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Rows written to the zip per chunk.
_CHUNK = 500


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    if _UNWRITABLE.search(value):
        value = _UNWRITABLE.sub("", value)
    return escape(value)


def _row_xml(number: int, row: Iterable, columns: list[str], style: str = "") -> str:
    parts = [f'<row r="{number}">']
    append = parts.append
    for column, value in zip(columns, row, strict=False):
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            if value:
                append(f'<c r="{column}{number}"{style} t="inlineStr"><is><t xml:space="preserve">'
                       f'{_text(value)}</t></is></c>')
        elif kind is int:
            append(f'<c r="{column}{number}"{style}><v>{value}</v></c>')
        elif kind is bool:
            append(f'<c r="{column}{number}"{style} t="b"><v>{int(value)}</v></c>')
        else:  # Decimal, float: two decimals shown
            append(f'<c r="{column}{number}" s="2"><v>{float(value)!r}</v></c>')
    append("</row>")
    return "".join(parts)


def write_table(sheet_name: str, header: list[str], rows: Iterable[list]) -> bytes:
    """The workbook of one sheet named `sheet_name` (cut to Excel's 31 characters): the header in
    bold, frozen, then the rows."""
    name = _SHEET_NAME_FORBIDDEN.sub("_", sheet_name or "Sheet1")[:31] or "Sheet1"
    width = len(header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _HEAD + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            f'<sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            columns = [_column_letters(i) for i in range(max(width, 1))]
            sheet.write(_SHEET_START.encode())
            sheet.write(_row_xml(1, header, columns, ' s="1"').encode())
            chunk = []
            for number, row in enumerate(rows, start=2):
                if len(row) > len(columns):
                    columns += [_column_letters(i) for i in range(len(columns), len(row))]
                chunk.append(_row_xml(number, row, columns))
                if len(chunk) >= _CHUNK:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write("".join(chunk).encode())
            sheet.write(_SHEET_END.encode())
    return buffer.getvalue()
