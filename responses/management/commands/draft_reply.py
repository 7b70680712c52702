"""Preview drafts for a batch of reviews, without the database: JSONL in, JSONL out."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phi_guard.profile import PracticeProfile
from responses.drafting.blocks import default_library
from responses.drafting.compose import ReplyContext, ReviewInput
from responses.drafting.drafts import DraftLanguages, drafts_for_reviews

BATCH_SIZE = 64


class Command(BaseCommand):
    help = (
        "Draft replies for JSONL reviews ({id, platform, author_name, rating, text, posted_at}) with the default "
        "template library and the practice in PRACTICE.json (its phone/e-mail are the private channel). Writes one "
        "JSON line per review: {id, topic, text, guard: {blocked, findings}} or {id, skipped: true, reason}; a bad "
        "line gives {line, error}. Touches no database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="Practice JSON: name, phone, email, website, address, staff.")
        parser.add_argument("file", nargs="?", default="-", help="JSONL reviews; '-' or nothing reads stdin.")

    def handle(self, *args, practice, file, **options):
        profile, context = _practice(practice)
        library = default_library()
        stream = sys.stdin if file == "-" else _open(file)
        try:
            batch: list[tuple[int, dict | None, ReviewInput | None, str]] = []
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                batch.append((number, *_parse(line)))
                if len(batch) >= BATCH_SIZE:
                    self._flush(batch, library=library, context=context, profile=profile)
                    batch = []
            self._flush(batch, library=library, context=context, profile=profile)
        finally:
            if stream is not sys.stdin:
                stream.close()

    def _flush(self, batch, *, library, context, profile):
        good = [(row, review) for _number, row, review, error in batch if not error]
        drafts = iter(drafts_for_reviews([review for _row, review in good], library=library, context=context,
                                         profile=profile, libraries={"es": default_library("es")},
                                         languages=DraftLanguages(offered=("en", "es"))))
        for number, row, _review, error in batch:
            if error:
                out = {"line": number, "error": error}
            else:
                draft = next(drafts)
                if draft.skipped:
                    out = {"id": row["id"], "skipped": True, "reason": draft.reason}
                else:
                    verdict = draft.verdict.to_dict()
                    out = {"id": row["id"], "topic": draft.topic, "text": draft.text,
                           "guard": {"blocked": verdict["blocked"], "findings": verdict["findings"]}}
            self.stdout.write(json.dumps(out, ensure_ascii=False))


def _practice(path: str) -> tuple[PracticeProfile, ReplyContext]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        profile = PracticeProfile.from_dict(data)
    except OSError as exc:
        raise CommandError(f"Cannot read the practice file: {exc.strerror or exc}") from None
    except ValueError as exc:  # includes JSONDecodeError
        raise CommandError(f"The practice file is not valid: {exc}") from None
    if not (profile.phone or profile.email):
        raise CommandError("The practice file needs a phone or an email: replies offer it as the private channel.")
    context = ReplyContext(
        practice=profile.name,
        location=str(data.get("location") or profile.name),
        phone=profile.phone,
        email=profile.email,
        signature=str(data.get("signature") or ""),
    )
    return profile, context


def _open(path: str):
    try:
        return open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None


def _parse(line: str) -> tuple[dict | None, ReviewInput | None, str]:
    """(row, review, "") for a good line, (None, None, reason) for a bad one; reasons never quote the text."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(row, dict):
        return None, None, "each line must be a JSON object"
    if not isinstance(row.get("id"), (str, int)) or isinstance(row.get("id"), bool) or row.get("id") == "":
        return None, None, "'id' is required (a string or number)"
    rating = row.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
        return None, None, "'rating' must be a whole number from 1 to 5, or null"
    text = row.get("text") if row.get("text") is not None else ""
    author = row.get("author_name") if row.get("author_name") is not None else ""
    if not isinstance(text, str) or not isinstance(author, str):
        return None, None, "'text' and 'author_name' must be strings"
    platform = str(row.get("platform") or "other")
    review = ReviewInput(identity=f"{platform}:{row['id']}", author_name=author, rating=rating, text=text)
    return row, review, ""
