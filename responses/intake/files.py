"""Read an uploaded or fetched file of reviews into numbered raw rows.

Accepted: CSV (header row; `,`, `;` or tab separated), JSON (a list of review
objects, one object, or Google Business Profile's `{"reviews": [...]}` as is)
and JSONL (one object per line). Bytes are read as UTF-8 (with or without BOM),
UTF-16 with a BOM, else Windows-1252, else Latin-1, so reading never fails on
encoding; the fallback is reported.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

MAX_FILE_BYTES = 50 * 1024 * 1024

# Column names as written in exports, mapped to ours (after lower-casing and `-`/space -> `_`).
COLUMN_ALIASES = {
    "platform": "platform",
    "source": "platform",
    "site": "platform",
    "external_id": "external_id",
    "id": "external_id",
    "review_id": "external_id",
    "reviewid": "external_id",
    "author_name": "author_name",
    "author": "author_name",
    "reviewer": "author_name",
    "name": "author_name",
    "rating": "rating",
    "stars": "rating",
    "star_rating": "rating",
    "starrating": "rating",
    "text": "text",
    "comment": "text",
    "review": "text",
    "body": "text",
    "posted_at": "posted_at",
    "date": "posted_at",
    "created_at": "posted_at",
    "createtime": "posted_at",
    "create_time": "posted_at",
    "updated_at": "updated_at",
    "updatetime": "updated_at",
    "update_time": "updated_at",
}
_GOOGLE_KEYS = {"reviewId", "reviewer", "starRating", "createTime"}


class FileUnreadable(Exception):
    """The file as a whole cannot be read; the message is safe to show (it quotes no content)."""


@dataclass
class ParsedFile:
    format: str  # "csv", "json", "jsonl"
    encoding: str
    # (line, fields) for rows that parsed, or (line, reason) for rows that did not.
    rows: list[tuple[int, dict | str]] = field(default_factory=list)

    @property
    def encoding_note(self) -> str:
        if self.encoding in ("utf-8", "utf-16"):
            return ""
        return (
            f"The file is not valid UTF-8; it was read as {self.encoding}. "
            "Check accented letters and emoji, or save it as UTF-8 and import again."
        )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FileUnreadable("The file starts like UTF-16 text but is not valid UTF-16.") from None
    if b"\x00" in data[:4096]:
        raise FileUnreadable("This does not look like a text file (CSV, JSON or JSONL).")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte, so this cannot fail.
        return data.decode("latin-1"), "Latin-1 (ISO-8859-1)"


def _format_of(filename: str, text: str) -> str:
    name = filename.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    stripped = text.lstrip()
    if name.endswith(".json") or stripped.startswith(("[", "{")):
        try:
            json.loads(text)
        except RecursionError:
            return "json"  # nested too deeply to be reviews: _parse_json says so
        except ValueError:
            # Several objects, one per line, is JSONL whatever the file is called.
            return "jsonl" if stripped.startswith("{") and "\n" in stripped.strip() else "json"
        return "json"
    return "csv"


# Google's reviewReplyState (the moderation of an owner's reply, in reviews since April 2026) -> PlatformReplyStatus.
_GOOGLE_REPLY_STATES = {
    "PENDING": "pending", "PENDING_MODERATION": "pending", "IN_REVIEW": "pending", "UNDER_REVIEW": "pending",
    "APPROVED": "live", "ACTIVE": "live", "PUBLISHED": "live", "LIVE": "live",
    "REJECTED": "rejected", "REMOVED": "rejected", "BLOCKED": "rejected",
}
# A policy word such as PERSONAL_INFORMATION: an enum value is safe to store and show, free text is not.
_POLICY_WORD = re.compile(r"^[A-Z][A-Z0-9_]{2,59}$")


def _google_policy_word(value) -> str:
    """The first enum-like word in Google's policyViolation (a word, a list of them, or an object holding one)."""
    if isinstance(value, str):
        return value if _POLICY_WORD.match(value) else ""
    values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return next((word for word in map(_google_policy_word, values) if word), "")


def google_reply_moderation(reply, review: dict | None = None) -> tuple[str, str]:
    """Google's ReviewReply (a listed review's, or the answer to publishing one) -> (PlatformReplyStatus value,
    policy word). The state is the reply's `reviewReplyState` (its `state`, or the review's `reviewReplyState`,
    are read too), the reason its `policyViolation`; a missing state, or a word Google may add later, is
    ("", "") "not reported" rather than guessed, so it is never shown as live."""
    reply = reply if isinstance(reply, dict) else {}
    review = review if isinstance(review, dict) else {}
    state = reply.get("reviewReplyState") or reply.get("state") or review.get("reviewReplyState")
    status = _GOOGLE_REPLY_STATES.get(state.strip().upper(), "") if isinstance(state, str) else ""
    violation = reply.get("policyViolation") or review.get("policyViolation")
    return status, _google_policy_word(violation) if status == "rejected" else ""


def google_reply_fields(reply, review: dict | None = None) -> dict | None:
    """Google's ReviewReply -> {"text", "posted_at", "status", "reason"}; None without a reply text."""
    if not isinstance(reply, dict) or not isinstance(reply.get("comment"), str):
        return None
    status, reason = google_reply_moderation(reply, review)
    return {"text": reply["comment"], "posted_at": reply.get("updateTime"), "status": status, "reason": reason}


def google_review_fields(item: dict) -> dict:
    """Google Business Profile's Review object -> our row fields (validation comes later)."""
    reviewer = item.get("reviewer") if isinstance(item.get("reviewer"), dict) else {}
    external_id = item.get("reviewId") or str(item.get("name") or "").rsplit("/", 1)[-1]
    return {
        "platform": "google",
        "external_id": external_id,
        "author_name": "" if reviewer.get("isAnonymous") else reviewer.get("displayName", ""),
        "rating": item.get("starRating"),
        "text": item.get("comment", ""),
        "posted_at": item.get("createTime"),
        "updated_at": item.get("updateTime"),
        "owner_reply": google_reply_fields(item.get("reviewReply"), item),
    }


def _object_fields(item) -> dict | str:
    if not isinstance(item, dict):
        return "each review must be a JSON object"
    if _GOOGLE_KEYS & item.keys() and "text" not in item:
        return google_review_fields(item)
    fields = {}
    for key, value in item.items():
        column = COLUMN_ALIASES.get(str(key).strip().lower().replace(" ", "_").replace("-", "_"))
        if column and column not in fields:
            fields[column] = value
    return fields


def _parse_json(text: str) -> list[tuple[int, dict | str]]:
    try:
        document = json.loads(text)
    except RecursionError:
        # "[[[[…" a hundred thousand deep: no export nests like that, and the parser would overflow the stack.
        raise FileUnreadable("The file's JSON is nested too deeply to be a list of reviews.") from None
    except ValueError as exc:
        # The position only: the message of a JSON error can quote the document.
        line = getattr(exc, "lineno", None)
        raise FileUnreadable(f"The file is not valid JSON (first problem on line {line}).") from None
    if isinstance(document, dict) and isinstance(document.get("reviews"), list):
        items = document["reviews"]
    elif isinstance(document, dict) and "reviews" not in document and "totalReviewCount" in document:
        items = []  # Google's answer for a location without reviews
    elif isinstance(document, dict) and "reviews" not in document:
        items = [document]
    elif isinstance(document, list):
        items = document
    else:
        raise FileUnreadable('JSON must be a list of reviews or an object with a "reviews" list.')
    return [(index, _object_fields(item)) for index, item in enumerate(items, start=1)]


def _parse_jsonl(text: str) -> list[tuple[int, dict | str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except RecursionError:
            rows.append((number, "this line's JSON is nested too deeply to be a review"))
            continue
        except ValueError:
            rows.append((number, "this line is not valid JSON"))
            continue
        rows.append((number, _object_fields(item)))
    if rows and all(isinstance(fields, str) for _, fields in rows):
        raise FileUnreadable("No line of the file is a JSON object; expected one review object per line.")
    return rows


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=counts.get)


def _broken_quote_rows(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """A quote opened on line `start` ran on to line `end`: report the row and every non-empty line it swallowed,
    so a review that the stray quote took along is not lost without a word."""
    if end <= start:
        return [(start, "this line is not valid CSV (check the quotes)")]
    lines = io.StringIO(text, newline="").readlines()
    swallowed = [line for line in range(start + 1, end + 1) if line <= len(lines) and lines[line - 1].strip()]
    return [
        (start, f"a quote opened on this line is not closed where it should be, so the row ran on to line {end}; "
                "fix the quotes and import again"),
        *((line, f"not imported: this line was taken into the unclosed quote of line {start}") for line in swallowed),
    ]


def _parse_csv(text: str) -> list[tuple[int, dict | str]]:
    header_line = text.split("\n", 1)[0]
    # strict: a closing quote followed by anything but a delimiter is an error, not a silent run-on row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileUnreadable("The file is empty.") from None
    except csv.Error:
        raise FileUnreadable("The first line of the CSV file cannot be read as a header.") from None
    columns = [COLUMN_ALIASES.get(name.strip().lower().replace(" ", "_").replace("-", "_")) for name in header]
    missing = [name for name in ("posted_at",) if name not in columns]
    if "text" not in columns and "rating" not in columns:
        missing.append("text or rating")
    if missing:
        # Column names are not quoted back: without a header, this "header" is the first review.
        raise FileUnreadable(
            "The first line must be a header naming the columns "
            "(platform, external_id, author_name, rating, text, posted_at); missing: " + ", ".join(missing) + "."
        )
    rows: list[tuple[int, dict | str]] = []
    while True:
        line = reader.line_num + 1  # where the next row starts; a quoted text can run over several lines
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            rows.extend(_broken_quote_rows(text, line, reader.line_num))
            continue
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            if reader.line_num > line:  # a run-on row: a quote swallowed the lines after it
                rows.extend(_broken_quote_rows(text, line, reader.line_num))
            else:
                rows.append((line, f"this row has {len(values)} fields but the header has {len(header)}"))
            continue
        fields = {}
        for column, value in zip(columns, values):
            if column and column not in fields:
                fields[column] = value
        rows.append((line, fields))
    return rows


def file_parse(*, filename: str, data: bytes) -> ParsedFile:
    """Decode and split a file into numbered rows (line number for CSV/JSONL, position for JSON)."""
    if len(data) > MAX_FILE_BYTES:
        raise FileUnreadable(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
    text, encoding = _decode(data)
    if not text.strip():
        raise FileUnreadable("The file is empty.")
    kind = _format_of(filename, text)
    parse = {"csv": _parse_csv, "json": _parse_json, "jsonl": _parse_jsonl}[kind]
    return ParsedFile(format=kind, encoding=encoding, rows=parse(text))
