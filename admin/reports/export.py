"""Reports as downloads: CSV (UTF-8 with a byte-order mark, so Excel reads Japanese) and XLSX.

Each report module turns its JSON into a table (a header row and plain rows); this module writes
that table. Numbers stay numbers in XLSX. Text that a spreadsheet would take for a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: residents' messages can)
is prefixed with an apostrophe, so opening a report never runs anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Literal

from fastapi import Response
from openpyxl import Workbook
from openpyxl.styles import Font

Cell = str | int | float | bool | None
Format = Literal["json", "csv", "xlsx"]
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# For the OpenAPI docs of every report endpoint.
DOWNLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "JSON by default; ``format=csv`` or ``format=xlsx`` gives a file download.",
        "content": {"text/csv": {}, XLSX_TYPE: {}},
    }
}


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV bytes with a UTF-8 BOM; empty cells for None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Cell]], title: str) -> bytes:
    """One sheet: a bold, frozen header row, then the rows (numbers as numbers)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1] or "")) for r in rows[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, max(8, width * 1.6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(
    fmt: Format, filename: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], title: str
) -> Response:
    """A CSV or XLSX response; ``filename`` has no extension (ASCII only, for every browser)."""
    if fmt == "xlsx":
        body, media, extension = to_xlsx(header, rows, title), XLSX_TYPE, "xlsx"
    else:
        body, media, extension = to_csv(header, rows), CSV_TYPE, "csv"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{extension}"'},
    )
