"""Excel files streamed row by row: the sheet XML is written straight into the zip as rows
come, so an export of a district's 150,000 hazards holds one batch of rows in memory and
takes seconds. (openpyxl's write-only mode needed ~2 ms a row and XlsxWriter's constant-memory
mode ~0.2 ms; the format of a plain data sheet is small enough to write directly.)

Text is always an inline string — never a formula, a link or a number (formula injection);
characters XML cannot carry are dropped. Chinese headers in bold, the header row frozen.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))
_FLUSH_EVERY = 2000

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews><sheetData>'
)


def _text(value: str) -> str:
    return escape(value.translate(_CONTROL))


def _cell(value: Any, style: str = "") -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        value = "是" if value else "否"
    elif isinstance(value, (int, float)):
        return f"<c{style}><v>{value!r}</v></c>"
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def write(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]]]]):
    """Sheets of (title, headers, rows) into a temporary file, rewound; the caller streams it."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    titles = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for n, (title, headers, rows) in enumerate(sheets, start=1):
            titles.append(title[:31])
            with book.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as sheet:
                header = "".join(_cell(str(h), ' s="1"') for h in headers)
                buffer = [_SHEET_START, f"<row>{header}</row>"]
                for row in rows:
                    buffer.append("<row>" + "".join(map(_cell, row)) + "</row>")
                    if len(buffer) >= _FLUSH_EVERY:
                        sheet.write("".join(buffer).encode())
                        buffer.clear()
                buffer.append("</sheetData></worksheet>")
                sheet.write("".join(buffer).encode())
        book.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(titles) + 1))),
        )
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(
                    f'<sheet name={quoteattr(t)} sheetId="{n}" r:id="rId{n}"/>' for n, t in enumerate(titles, start=1)
                )
                + "</sheets></workbook>"
            ),
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(
                    f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, len(titles) + 1)
                )
                + f'<Relationship Id="rId{len(titles) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/styles" Target="styles.xml"/></Relationships>'
            ),
        )
    out.seek(0)
    return out
