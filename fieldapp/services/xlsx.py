"""Excel files written row by row (openpyxl's write-only mode, spooled to disk), so an export
of a district's 150,000 hazards never holds them all in memory. Chinese headers; text cells
are always text, never formulas (formula injection)."""
from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def text_cell(sheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=HYPERLINK(…)" stays text in the recipient's Excel
    return cell


def write(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]]]]):
    """Sheets of (title, headers, rows) into a temporary file, rewound; the caller streams it."""
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        header = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([text_cell(sheet, v) for v in row])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    book.save(out)
    out.seek(0)
    return out
