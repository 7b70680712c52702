"""Exports of the compliance record for a date range: CSV (safe to open in a spreadsheet) and a printable HTML report.

By default an export holds ids, hashes and metadata only; the review and the posted text are included only when
the manager asks for them. Every export is an audit event.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from responses.audit import audit_record
from responses.compliance.records import EXPORT_COLUMNS, TEXT_COLUMNS, compliance_rows, posting_list_for_export
from responses.models import Practice
from responses.roles import require_permission

MAX_EXPORT_DAYS = 3660
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


class ExportRefused(Exception):
    """The export cannot be made as asked; the message is for the manager."""


@dataclass(frozen=True)
class Export:
    content: str
    content_type: str
    filename: str
    row_count: int


def spreadsheet_safe(value: str) -> str:
    """The cell as text a spreadsheet shows, never runs: a leading formula character gets a quote before it."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def compliance_csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[column]) for column in columns])
    return buffer.getvalue()


def compliance_export(
    *, practice: Practice, actor, date_from: date, date_to: date, include_text: bool = False, fmt: str = "csv"
) -> Export:
    """The compliance record of every reply posted in date_from..date_to, as CSV or a printable HTML report."""
    require_permission(actor, "manage_compliance")
    if fmt not in ("csv", "html"):
        raise ExportRefused("Choose CSV or the printable report.")
    if date_to < date_from:
        raise ExportRefused("The end date is before the start date.")
    if (date_to - date_from).days > MAX_EXPORT_DAYS:
        raise ExportRefused("Export at most ten years at a time.")
    rows = compliance_rows(
        postings=posting_list_for_export(practice=practice, date_from=date_from, date_to=date_to),
        include_text=include_text,
    )
    columns = EXPORT_COLUMNS + (TEXT_COLUMNS if include_text else [])
    name = f"compliance-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    if fmt == "csv":
        content, content_type, filename = compliance_csv(rows, columns), "text/csv; charset=utf-8", f"{name}.csv"
    else:
        content = render_to_string("compliance/report.html", {
            "practice": practice, "rows": rows, "columns": columns, "include_text": include_text,
            "date_from": date_from, "date_to": date_to, "generated_at": timezone.now(), "generated_by": actor,
        })
        content_type, filename = "text/html; charset=utf-8", f"{name}.html"
    audit_record(
        action="compliance_exported", actor=actor, practice=practice, row_count=len(rows),
        include_patient_text=include_text, export_format=fmt,
        period=f"{date_from:%Y-%m-%d}..{date_to:%Y-%m-%d}",
    )
    return Export(content=content, content_type=content_type, filename=filename, row_count=len(rows))
