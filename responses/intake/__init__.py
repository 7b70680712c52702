"""Reviews in: the paste form, file imports (CSV, JSON, JSONL, Google's review JSON) and platform feeds.

Public services (see `services`): review_paste, reviews_import, reviews_import_start,
reviews_import_upload, import_runs_recover (the watchdog); a source's import is
responses.sources.services.source_import (a run's rejected rows: ImportRun.rejected_count).
Row rules live in `rows`, file formats in `files`.
"""
from responses.intake.files import FileUnreadable
from responses.intake.rows import MAX_TEXT_LENGTH, RowInvalid
from responses.intake.services import (
    INLINE_IMPORT_MAX_BYTES,
    import_runs_recover,
    review_paste,
    reviews_import,
    reviews_import_start,
    reviews_import_upload,
)

__all__ = [
    "INLINE_IMPORT_MAX_BYTES",
    "MAX_TEXT_LENGTH",
    "FileUnreadable",
    "RowInvalid",
    "import_runs_recover",
    "review_paste",
    "reviews_import",
    "reviews_import_start",
    "reviews_import_upload",
]
