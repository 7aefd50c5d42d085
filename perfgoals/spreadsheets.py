"""Spreadsheets the app writes: the one formula guard, and the list pages' XLSX/CSV export.

Excel, WPS and LibreOffice evaluate a cell whose text starts with one of FORMULA_TRIGGERS;
text typed by staff must reach the sheet as text (QUALITY.md: formula injection). Every
spreadsheet goes through looks_like_formula: the list exports here and the official XLSX
(perfgoals/exports/xlsx.py).

A list page exports what it shows with a ListExport (header row, widths, title) and its rows as
typed values (str, int, Decimal, datetime, None); ?export=xlsx|csv picks the format.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from perfgoals.audit import audit_record
from perfgoals.models import AuditEvent

EXPORT_FORMATS = ("xlsx", "csv")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


@dataclass(frozen=True)
class ListExport:
    """How a list is written out as shown: header row, column widths, sheet and file name."""

    headers: list[str]
    widths: list[int]
    title: str


def write_xlsx(spec: ListExport, rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title
    sheet.append(spec.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and looks_like_formula(value):
                # openpyxl would store "=…" as a live formula; keep it as the text typed.
                cell.data_type = "s"
                cell.quotePrefix = True
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    for c, width in enumerate(spec.widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(spec: ListExport, rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spec.headers)
    for values in rows:
        out = []
        for value in values:
            if value is None:
                out.append("")
            elif isinstance(value, datetime):
                out.append(value.strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, str) and looks_like_formula(value):
                # The usual CSV-injection guard: a leading apostrophe makes Excel/WPS show text.
                out.append("'" + value)
            else:
                out.append(str(value))
        writer.writerow(out)
    # The BOM lets Excel and WPS open the Chinese text as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def requested_export_format(request: HttpRequest) -> str | None:
    value = request.GET.get("export")
    return value if value in EXPORT_FORMATS else None


def export_query(request: HttpRequest) -> str:
    """The current query string without page and export, for the export links."""
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    return query.urlencode()


def export_response(spec: ListExport, rows: list[list[Any]], fmt: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    audit_record(action=AuditEvent.Action.EXPORT, summary=f"{spec.title}（{len(rows)}行，{fmt}）")
    if fmt == "xlsx":
        body = write_xlsx(spec, rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = write_csv(spec, rows)
        content_type = "text/csv; charset=utf-8"
    return HttpResponse(
        body,
        content_type=content_type,
        headers={
            "Content-Disposition": content_disposition_header(True, f"{spec.title}-{stamp}.{fmt}")
        },
    )
