"""Excel exports that are safe to open: text that looks like a formula stays text."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value):
    if isinstance(value, datetime.datetime):
        value = (
            timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        )
    elif value is not None and not isinstance(value, int | float | Decimal | datetime.date):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Written as text with Excel's quote prefix: a cell never becomes a formula (CSV/DDE
        # injection), whatever a worker typed into a description.
        cell.data_type = "s"
        cell.quotePrefix = True
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.00"  # yuan as staff write them: 300,000.00
    return cell


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is about two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def xlsx_response(
    *,
    filename: str,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int] = (),
    title_rows: Sequence[Sequence] = (),
) -> FileResponse:
    """Stream ``rows`` under ``headers`` (after any ``title_rows``, e.g. the fund and period).
    Columns are as wide as ``widths`` says, else as their header needs (at least 12). The rows
    down to the headers stay in view while the rest scrolls."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = f"A{len(title_rows) + 2}"
    for index, title in enumerate(headers):
        width = widths[index] if index < len(widths) else max(12, display_width(title) + 4)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for row in title_rows:
        cells = [_cell(sheet, value) for value in row]
        if cells:
            cells[0].font = Font(bold=True, size=13)
        sheet.append(cells)
    header_cells = []
    for title in headers:
        cell = _cell(sheet, title)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    # Closed by the FileResponse once sent.
    handle = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
