"""Reviews in: paste, file import and platform feeds become Review rows and ImportRun reports.

Every input goes through `rows.row_validate`, and every valid row through
`_review_store`: one upsert on (location, platform, external_id) that the
database's unique constraint backs. An edited review (text, rating or author
changed) is updated and its unposted reply marked stale.

Logs and audit events carry ids and counts only, never review text.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from responses.audit import audit_record
from responses.drafting import DRAFTING_UNAVAILABLE, TopicModelUnavailable, detect_topics, detect_topics_many
from responses.drafting.drafts import drafting_for
from responses.drafting.spread import DraftingSpread
from responses.escalation.services import practice_escalation_keywords, review_escalate_if_needed
from responses.intake.files import FileUnreadable, file_parse
from responses.intake.rows import ReviewRow, RowInvalid, is_generated_external_id, row_validate
from responses.models import ImportRun, Location, PlatformConnection, Reply, ReplyState, Review, text_sha256
from responses.practice.local_time import location_time_zone
from responses.roles import practice_for, require_permission
from responses.sources.drafts import DraftCounts, reviews_draft_new
from responses.sources.replies import platform_replies_record

logger = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
# Rows validated, topic-tagged (one nlp.pipe batch) and stored together; progress is written after each batch
# (the UI polls processed_rows/total_rows).
BATCH_ROWS = 64
MAX_LISTED_ERRORS = 2000  # rejected rows listed in ImportRun.errors; the rest are counted in one entry
# Uploads up to this size are imported inside the request (a few hundred reviews, a few seconds);
# larger ones go to a Celery worker. settings.IMPORT_INLINE_MAX_BYTES overrides it.
INLINE_IMPORT_MAX_BYTES = 200 * 1024


def _require_import_rights(actor, location: Location) -> None:
    require_permission(actor, "import_reviews")
    if practice_for(actor).pk != location.practice_id:
        raise PermissionDenied("This location belongs to another practice.")


def _topics_for(text: str, rating: int | None) -> list[str]:
    """The review's topics, or none while drafting's model cannot load (the review is stored all the same)."""
    try:
        return [str(topic) for topic in detect_topics(text, rating)]
    except TopicModelUnavailable:
        return []


def _mark_reply_stale(review: Review, actor) -> None:
    reply = Reply.objects.filter(review=review, stale=False).exclude(state=ReplyState.POSTED).first()
    if reply is None:
        return
    # A plain UPDATE of one flag: it does not bump `revision`, so nobody's edit in progress is refused.
    Reply.objects.filter(pk=reply.pk).update(stale=True)
    audit_record(action="reply_marked_stale", actor=actor, reply=reply, from_state=reply.state, to_state=reply.state)


def _topics_in_batch(
    *, location: Location, rows: list[ReviewRow],
    detect_many: Callable[[list[tuple[str, int | None]]], list[list[str]]] = detect_topics_many,
) -> dict[int, list[str]]:
    """Topics for the rows (by index) that are new, whose text or rating changed, or that have none yet (stored
    while drafting's model was unavailable), parsed in nlp.pipe batches by `detect_many` (detect_topics_many, or
    a run's DraftingSpread.topics). Raises TopicModelUnavailable."""
    stored = {
        (platform, external_id): (digest, rating, bool(topics))
        for platform, external_id, digest, rating, topics in Review.objects.filter(
            location__practice_id=location.practice_id, external_id__in={row.external_id for row in rows}
        ).values_list("platform", "external_id", "text_sha256", "rating", "topics")
    }
    needed = [
        index for index, row in enumerate(rows)
        if stored.get((row.platform, row.external_id)) != (text_sha256(row.text), row.rating, True)
    ]
    topics = detect_many([(rows[index].text, rows[index].rating) for index in needed])
    return {index: [str(topic) for topic in found] for index, found in zip(needed, topics)}


def _lock_review_key(*, location: Location, platform: str, external_id: str) -> None:
    """Queue concurrent stores of one review (two imports of one file, a double-clicked paste) on a PostgreSQL
    advisory lock until this transaction ends, so the second finds the first's row instead of an INSERT the
    unique constraint refuses (a refused statement lands in the server's log). SQLite has one writer anyway."""
    if connection.vendor != "postgresql":
        return
    # Keyed on the practice: one platform id is one review across the practice's locations.
    digest = hashlib.sha256(
        f"reviewdesk:review:practice:{location.practice_id}:{platform}:{external_id}".encode()
    ).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


@transaction.atomic
def _review_store(
    *, location: Location, row: ReviewRow, actor, topics: list[str] | None = None, keywords: list[str] | None = None
) -> tuple[Review, str, bool]:
    """Create the review, update it if its content changed, or leave it alone. `topics`, when given, are the
    row's topics computed in a batch; they are detected here otherwise. A new or changed review is escalated
    when the built-in list or the practice's `keywords` (read when not given) call for it. Returns the review,
    the outcome and whether it was escalated just now."""
    key = {"location": location, "platform": row.platform, "external_id": row.external_id}
    digest = text_sha256(row.text)
    _lock_review_key(location=location, platform=row.platform, external_id=row.external_id)
    review = Review.objects.select_for_update().filter(**key).first()
    if review is None and not is_generated_external_id(row.external_id):
        # The platform's id already imported into another location of the practice: the same review.
        review = (
            Review.objects.select_for_update(of=("self",))
            .filter(location__practice_id=location.practice_id, platform=row.platform, external_id=row.external_id)
            .order_by("pk").first()
        )
    if review is None:
        try:
            # Under the lock nobody stores this review meanwhile; the savepoint only guards SQLite's other writers.
            with transaction.atomic():
                review = Review.objects.create(
                    **key,
                    author_name=row.author_name,
                    rating=row.rating,
                    text=row.text,
                    text_sha256=digest,
                    posted_at=row.posted_at,
                    platform_updated_at=row.platform_updated_at,
                    topics=topics if topics is not None else _topics_for(row.text, row.rating),
                )
        except IntegrityError:
            review = Review.objects.select_for_update().get(**key)
        else:
            return review, CREATED, review_escalate_if_needed(review=review, keywords=keywords, new=True)[1]
    not_edited_since = (row.platform_updated_at is not None and review.platform_updated_at is not None
                        and row.platform_updated_at <= review.platform_updated_at)
    if not_edited_since or (review.text_sha256, review.rating, review.author_name) == (
        digest, row.rating, row.author_name
    ):
        # Unchanged: the platform says it was not edited since (a listing may word it differently, e.g. a
        # translation), or the content is the same.
        fields = []
        tagged = bool(topics and not review.topics)
        if tagged:  # stored while drafting's model was unavailable: tag it now
            review.topics = topics
            fields.append("topics")
        if row.platform_updated_at is not None and not not_edited_since:
            review.platform_updated_at = row.platform_updated_at
            fields.append("platform_updated_at")
        if fields:
            review.save(update_fields=fields)
        # The complication rule reads the topics: check again now that there are some.
        escalated = tagged and review_escalate_if_needed(review=review, keywords=keywords)[1]
        return review, UNCHANGED, escalated
    content_changed = (review.text_sha256, review.rating) != (digest, row.rating)
    review.author_name = row.author_name
    review.rating = row.rating
    review.text = row.text
    review.text_sha256 = digest
    fields = ["author_name", "rating", "text", "text_sha256", "updated_at"]
    if row.platform_updated_at is not None:
        review.platform_updated_at = row.platform_updated_at
        fields.append("platform_updated_at")
    if content_changed:
        review.topics = topics if topics is not None else _topics_for(row.text, row.rating)
        fields.append("topics")
    review.save(update_fields=fields)
    _mark_reply_stale(review, actor)
    escalated = content_changed and review_escalate_if_needed(review=review, keywords=keywords)[1]
    return review, UPDATED, escalated


def review_paste(
    *,
    location: Location,
    actor,
    platform: str,
    author_name: str,
    rating: int | str | None,
    posted_at: datetime | str,
    text: str,
) -> Review:
    """Store a review typed or pasted by staff. Pasting the same review again returns the stored one.

    Raises PermissionDenied, or rows.RowInvalid (a ValidationError with a message per field).
    """
    _require_import_rights(actor, location)
    row = row_validate(
        {"platform": platform, "author_name": author_name, "rating": rating, "posted_at": posted_at, "text": text}
    )
    review, outcome, _escalated = _review_store(location=location, row=row, actor=actor)
    audit_record(action="review_pasted", actor=actor, review=review, created=int(outcome == CREATED))
    logger.info("review %s pasted at location %s (%s)", review.pk, location.pk, outcome)
    return review


def _progress(run: ImportRun, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()  # the watchdog's sign that the run's process is alive
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def _audit_run(run: ImportRun, action: str, actor, **details) -> None:
    audit_record(action=action, actor=actor, practice=run.location.practice, import_run=run.pk, **details)


def _run_fail(run: ImportRun, reason: str, actor) -> ImportRun:
    _progress(run, status=ImportRun.Status.FAILED, failure_reason=reason[:500], finished_at=timezone.now())
    _audit_run(run, "reviews_import_failed", actor)
    logger.info("import run %s failed", run.pk)
    return run


def _lock_review_keys(*, location: Location, rows: list[ReviewRow]) -> None:
    """Take a batch's review locks up front in one order, so two imports of overlapping files queue on each
    other instead of deadlocking (PostgreSQL's advisory locks are re-entrant: _review_store takes them again)."""
    for platform, external_id in sorted({(row.platform, row.external_id) for row in rows}):
        _lock_review_key(location=location, platform=platform, external_id=external_id)


def _reviews_picked(*, location: Location, external_ids: set[str], fields: tuple[str, ...],
                    **filters) -> dict[tuple[str, str], tuple]:
    """For each (platform, external id) among `external_ids`, the stored review _review_store would pick (the one
    at this location, else, for a platform's own id, the practice's first), as (pk, *fields), in one query."""
    candidates = Review.objects.filter(
        location__practice_id=location.practice_id, external_id__in=external_ids, **filters
    ).values_list("pk", "location_id", "platform", "external_id", *fields)
    picked: dict[tuple[str, str], tuple] = {}
    # Later entries win: the practice's first review elsewhere, then this location's own.
    for pk, location_id, platform, external_id, *values in sorted(
        candidates, key=lambda found: (found[1] == location.pk, -found[0])
    ):
        if location_id == location.pk or not is_generated_external_id(external_id):
            picked[(platform, external_id)] = (pk, *values)
    return picked


def _reviews_unchanged_on_platform(*, location: Location, rows: list[ReviewRow]) -> dict[int, int]:
    """Rows (by index) whose platform edit time (Google's updateTime) is no later than the one stored, mapped to
    the stored review's id: the platform says the review was not edited since, so it is not compared, tagged,
    stored or drafted again. A review stored without topics (drafting's model was down) is not skipped."""
    timed = {row.external_id for row in rows if row.platform_updated_at is not None}
    if not timed:
        return {}
    stored = _reviews_picked(location=location, external_ids=timed, fields=("platform_updated_at", "topics"),
                             platform_updated_at__isnull=False)
    unchanged = {}
    for index, row in enumerate(rows):
        found = stored.get((row.platform, row.external_id))
        if found and row.platform_updated_at is not None and row.platform_updated_at <= found[1] and found[2]:
            unchanged[index] = found[0]
    return unchanged


def _reviews_known(*, location: Location, rows: list[ReviewRow],
                   topics: dict[int, list[str]]) -> tuple[dict[int, int], list[int]]:
    """What _review_store would do with the batch's rows, read in one query, for the two plain cases:
    - rows it would find unchanged and leave alone, by index, mapped to the stored review's id: the review it
      would pick has the row's text, rating and author, needs no topics and the row brings no platform edit time;
    - rows it would create (the indexes): there is no stored review to pick.
    A key that comes twice in the batch is left to _review_store (the first row may change it)."""
    counted = Counter((row.platform, row.external_id) for row in rows)
    single = {index: row for index, row in enumerate(rows) if counted[(row.platform, row.external_id)] == 1}
    if not single:
        return {}, []
    stored = _reviews_picked(location=location, external_ids={row.external_id for row in single.values()},
                             fields=("text_sha256", "rating", "author_name", "topics"))
    unchanged, new = {}, []
    for index, row in single.items():
        found = stored.get((row.platform, row.external_id))
        if found is None:
            new.append(index)
            continue
        if row.platform_updated_at is not None:
            continue
        pk, digest, rating, author_name, stored_topics = found
        if (digest, rating, author_name) == (text_sha256(row.text), row.rating, row.author_name) and not (
            topics.get(index) and not stored_topics
        ):
            unchanged[index] = pk
    return unchanged, new


def _reviews_create(*, location: Location, rows: dict[int, ReviewRow], topics: dict[int, list[str]],
                    keywords: list[str]) -> dict[int, tuple[int, bool]]:
    """Create the batch's new reviews (by index) in one statement, and escalate those that call for it: what
    _review_store does for each, without its queries per row. Under the batch's review locks (PostgreSQL) nobody
    stores them meanwhile; should another SQLite writer have stored one (the unique constraint refuses the
    statement), none is created here and each goes through _review_store. {index: (review id, escalated now)}"""
    if not rows:
        return {}
    reviews = {
        index: Review(
            location=location, platform=row.platform, external_id=row.external_id, author_name=row.author_name,
            rating=row.rating, text=row.text, text_sha256=text_sha256(row.text), posted_at=row.posted_at,
            platform_updated_at=row.platform_updated_at,
            topics=topics[index] if index in topics else _topics_for(row.text, row.rating),
        )
        for index, row in rows.items()
    }
    try:
        with transaction.atomic():
            Review.objects.bulk_create(reviews.values())
    except IntegrityError:
        return {}
    return {
        index: (review.pk, review_escalate_if_needed(review=review, keywords=keywords, new=True)[1])
        for index, review in reviews.items()
    }


class _RunWriter:
    """Stores an import run's rows a batch at a time. Each batch of rows is stored, the replies the platform
    already shows recorded, and (with `draft`) its new reviews escalated or drafted and guard-checked, in one
    transaction with the run's progress and counts: a run whose process died leaves whole batches only, and
    resumes (an upload) or is run again (a source) with nothing duplicated and nothing left undrafted.

    Rows before `resume_from` were stored by the run's earlier process: they are only validated again, to list
    their errors."""

    def __init__(self, run: ImportRun, *, actor, default_platform: str, draft: bool, resume_from: int = 0,
                 notes: tuple[str, ...] = (), progress: Callable[[ImportRun], None] | None = None,
                 processes: int = 1):
        self.run, self.actor, self.default_platform, self.draft = run, actor, default_platform, draft
        self.processes = processes  # topics and drafts spread over this many processes (drafting.spread)
        self.spread: DraftingSpread | None = None
        self.progress = progress  # called with the run after each stored batch (the command line prints it)
        self.resume_from = resume_from
        self.seen = 0  # rows read so far, stored or not
        self.counts: Counter[str] = Counter()
        self.errors: list[dict] = [{"line": 0, "reason": note, "warning": True} for note in notes if note]
        self.drafting = DraftCounts()
        self.topics_unavailable = False
        self.finished = False
        self.keywords = practice_escalation_keywords(run.location.practice_id)
        self.zone = location_time_zone(run.location)  # file times without an offset are the location's
        if resume_from:
            self.counts.update({CREATED: run.created_count, UPDATED: run.updated_count,
                                UNCHANGED: run.unchanged_count, "escalated": run.escalated_count})
            self.drafting.drafted = run.drafted_count
            logger.info("import run %s resumes after row %d of %d", run.pk, resume_from, run.total_rows)

    def _reject(self, line: int, reason: str) -> None:
        self.counts[REJECTED] += 1
        if self.counts[REJECTED] <= MAX_LISTED_ERRORS:
            self.errors.append({"line": line, "reason": reason})

    def _report(self, processed: int, **fields) -> None:
        _progress(
            self.run, processed_rows=processed, created_count=self.counts[CREATED],
            updated_count=self.counts[UPDATED], unchanged_count=self.counts[UNCHANGED],
            drafted_count=self.drafting.drafted, escalated_count=self.counts["escalated"], **fields,
        )
        if self.progress is not None:
            self.progress(self.run)

    @contextmanager
    def running(self, *, total: int) -> Iterator[_RunWriter]:
        """Mark the run running; inside, `add` batches; on the way out the run is done, or failed with the
        reason (an error, the command line's Ctrl-C): never left "running" by a process that is still alive."""
        self._report(self.resume_from, total_rows=total, status=ImportRun.Status.RUNNING, failure_reason="",
                     errors=[])
        try:
            with self._spread_opened():
                yield self
        except BaseException as exc:
            # The exception's message may quote a value (a database error can), so only its type is logged, and
            # only messages written to be shown (a platform's refusal) reach the run.
            logger.error("import run %s stopped by %s", self.run.pk, type(exc).__name__)
            _progress(self.run, errors=self.errors)  # the counts stay those of the last stored batch
            reason = str(exc) if getattr(exc, "safe_to_show", False) else (
                f"The import stopped unexpectedly ({type(exc).__name__}); rows before it were kept.")
            _run_fail(self.run, reason, self.actor)
            raise
        if not self.finished:
            self._finish()

    @contextmanager
    def _spread_opened(self) -> Iterator[None]:
        """Topics and drafts over `processes` processes, with the location's drafting setup as the run first
        drafts (DraftingSpread)."""
        if self.processes > 1:
            location = self.run.location
            self.spread = DraftingSpread(setup=lambda: drafting_for(location.practice, location) if self.draft else {},
                                         processes=self.processes)
        try:
            yield
        finally:
            if self.spread is not None:
                self.spread.close()
                self.spread = None

    def add(self, chunk: list[tuple[int, dict | str]], *, total: int | None = None, last: bool = False) -> None:
        """Validate and store one batch of (line, fields or a parse error) rows; `total` updates the run's
        expected row count (a platform says how many reviews it holds on its first page). The `last` batch of
        a file is stored with the run's final counts."""
        valid: list[ReviewRow] = []
        for line, fields in chunk:
            if isinstance(fields, str):
                self._reject(line, fields)
                continue
            try:
                valid.append(row_validate(fields, default_platform=self.default_platform, zone=self.zone))
            except RowInvalid as exc:
                self._reject(line, exc.reason)
        start, self.seen = self.seen, self.seen + len(chunk)
        if start < self.resume_from:
            return  # stored before the run's last process died
        extra = {"total_rows": max(total, self.seen)} if total is not None else {}
        self._store(valid, progress=self.seen, last=last, **extra)

    def _store(self, valid: list[ReviewRow], *, progress: int, last: bool, **fields) -> None:
        location = self.run.location
        unchanged = _reviews_unchanged_on_platform(location=location, rows=valid)
        rows = [row for index, row in enumerate(valid) if index not in unchanged]
        try:
            detect_many = self.spread.topics if self.spread is not None else detect_topics_many
            topics = _topics_in_batch(location=location, rows=rows, detect_many=detect_many) if rows else {}
        except TopicModelUnavailable:
            # The reviews are stored without topics; drafting waits for the model, the import does not.
            self.topics_unavailable = True
            topics = {index: [] for index in range(len(rows))}
        # The batch, the replies already on the platform, the drafts and the progress that counts them.
        with transaction.atomic():
            _lock_review_keys(location=location, rows=rows)
            self.counts[UNCHANGED] += len(unchanged)
            shown = [(review_id, valid[index].owner_reply) for index, review_id in unchanged.items()
                     if valid[index].owner_reply]
            stored_ids = []
            plainly_unchanged, new = _reviews_known(location=location, rows=rows, topics=topics)
            created = _reviews_create(location=location, rows={index: rows[index] for index in new}, topics=topics,
                                      keywords=self.keywords)
            for index, row in enumerate(rows):
                if index in plainly_unchanged:
                    review_id, outcome, escalated = plainly_unchanged[index], UNCHANGED, False
                elif index in created:
                    (review_id, escalated), outcome = created[index], CREATED
                else:
                    review, outcome, escalated = _review_store(location=location, row=row, actor=self.actor,
                                                               topics=topics.get(index), keywords=self.keywords)
                    review_id = review.pk
                self.counts[outcome] += 1
                self.counts["escalated"] += int(escalated)
                stored_ids.append(review_id)
                if row.owner_reply:
                    shown.append((review_id, row.owner_reply))
            # Before drafting: a review the practice already answered on the platform gets no draft.
            platform_replies_record(replies=shown)
            if self.draft and stored_ids:
                reviews_draft_new(location=location, review_ids=stored_ids, counts=self.drafting, spread=self.spread)
            if last:
                self._finish()
            else:
                self._report(progress, **fields)

    def _finish(self) -> None:
        failed = self.counts[REJECTED]
        if self.topics_unavailable or self.drafting.unavailable:
            self.errors.insert(0, {"line": 0, "reason": DRAFTING_UNAVAILABLE, "warning": True})
        if failed > MAX_LISTED_ERRORS:
            more = failed - MAX_LISTED_ERRORS
            self.errors.append({"line": 0, "reason": f"{more:,} more rejected rows are not listed.", "more": more})
        # The errors are written once, at the end: rewriting a growing list every few rows is quadratic.
        self.finished = True
        self._report(self.seen, total_rows=self.seen, status=ImportRun.Status.DONE, finished_at=timezone.now(),
                     errors=self.errors)
        _audit_run(
            self.run, "reviews_imported", self.actor, created=self.counts[CREATED],
            updated=self.counts[UPDATED], unchanged=self.counts[UNCHANGED], failed=failed,
            drafted=self.drafting.drafted, escalated=self.counts["escalated"],
        )
        logger.info(
            "import run %s: %d created, %d updated, %d unchanged, %d rejected", self.run.pk, self.counts[CREATED],
            self.counts[UPDATED], self.counts[UNCHANGED], failed,
        )


def import_processes(asked: int | None = None) -> int:
    """The processes an import drafts in: `asked`, else settings.IMPORT_PROCESSES (0 or unset: one per core)."""
    if asked is None:
        asked = settings.IMPORT_PROCESSES or os.cpu_count() or 1
    return max(1, asked)


def _run_execute(
    run: ImportRun, *, data: bytes, actor, default_platform: str = "", draft: bool = True,
    progress: Callable[[ImportRun], None] | None = None, processes: int | None = None,
) -> ImportRun:
    """Import `data` into the run, a batch of rows at a time (_RunWriter). A run already RUNNING with processed
    rows and the same row count is resumed after its last stored batch."""
    try:
        parsed = file_parse(filename=run.source_name, data=data)
    except FileUnreadable as exc:
        return _run_fail(run, str(exc), actor)
    except Exception as exc:
        # Whatever a hostile or unforeseen file makes the parser raise is this file's error: the run ends
        # failed (never left "running") and the request or task goes on. The message may quote the file.
        logger.error("import run %s: reading the file raised %s", run.pk, type(exc).__name__)
        return _run_fail(run, f"The file could not be read ({type(exc).__name__}); nothing was imported.", actor)
    total = len(parsed.rows)
    resume_from = run.processed_rows if run.status == ImportRun.Status.RUNNING and run.total_rows == total else 0
    writer = _RunWriter(run, actor=actor, default_platform=default_platform, draft=draft, resume_from=resume_from,
                        notes=(parsed.encoding_note,), progress=progress, processes=import_processes(processes))
    with writer.running(total=total):
        for start in range(0, total, BATCH_ROWS):
            writer.add(parsed.rows[start : start + BATCH_ROWS], last=start + BATCH_ROWS >= total)
    logger.info("import run %s read %s (%s)", run.pk, parsed.format, parsed.encoding)
    return run


def reviews_import_pages(
    *, location: Location, connection: PlatformConnection, source_name: str,
    pages: Iterable[tuple[list[dict], int | None]],
) -> ImportRun:
    """Import a platform's reviews as its pages arrive: each page of row fields (with the platform's count of
    all its reviews, when it says) is stored in batches while the next page is fetched, so a large location is
    never held in memory and a run cut short keeps every batch it stored. An exception from `pages` (the
    platform failing mid-listing) fails the run and is raised again; its message is kept when it is written to
    be shown (`safe_to_show`)."""
    run = ImportRun.objects.create(location=location, connection=connection, source_name=source_name[:300],
                                   default_platform=connection.platform)
    writer = _RunWriter(run, actor=None, default_platform=connection.platform, draft=True,
                        processes=import_processes())
    with writer.running(total=0):
        for rows, total in pages:
            for start in range(0, len(rows), BATCH_ROWS):
                chunk = rows[start : start + BATCH_ROWS]
                # "Line" n is the listing's n-th review.
                writer.add([(writer.seen + offset + 1, fields) for offset, fields in enumerate(chunk)],
                           total=total or 0)
    return run


def reviews_import(
    *,
    location: Location,
    actor,
    filename: str,
    data: bytes,
    connection: PlatformConnection | None = None,
    default_platform: str = "",
    draft: bool = True,
    progress: Callable[[ImportRun], None] | None = None,
    processes: int | None = None,
) -> ImportRun:
    """Import a CSV/JSON/JSONL file of reviews into `location` and return its report.

    Valid rows are stored (created, updated or unchanged), invalid ones listed in
    `ImportRun.errors` as {"line", "reason"}; a file that cannot be read at all gives a
    failed run with `failure_reason`. `actor=None` is the system (nightly import, the
    command line); a user must hold `import_reviews` at the location's practice.
    Rows without a platform take `default_platform`, else the connection's platform.
    Every new or changed review is escalated as it is stored when the rules call for it; with `draft`, the others
    are drafted (sources.drafts). `progress`, when given, is called with the run after each stored batch.
    Topics and drafts are spread over `processes` processes (default settings.IMPORT_PROCESSES; drafting.spread).
    """
    if actor is not None:
        _require_import_rights(actor, location)
    run = ImportRun.objects.create(
        location=location,
        connection=connection,
        source_name=Path(filename).name[:300] or "upload",
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        default_platform=default_platform or (connection.platform if connection else ""),
    )
    return _run_execute(run, data=data, actor=actor, default_platform=run.default_platform, draft=draft,
                        progress=progress, processes=processes)


def _uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _upload_path(run: ImportRun | int) -> Path:
    return _uploads_dir() / f"import-run-{getattr(run, 'pk', run)}.upload"


def _upload_write(path: Path, data: bytes) -> None:
    """Write the upload readable by the app's user only: it holds patient text until the run ends."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as upload:
        upload.write(data)
    os.chmod(path, 0o600)  # O_CREAT's mode only applies to a new file


@contextmanager
def _upload_claim(path: Path) -> Iterator[BinaryIO | None]:
    """The open upload while this process holds its lock, None while another live process does, or
    FileNotFoundError. The kernel drops the lock when its process dies, so a killed worker's upload is free."""
    with path.open("rb") as upload:
        try:
            fcntl.flock(upload, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield upload


def reviews_import_start(
    *, location: Location, actor, filename: str, data: bytes, default_platform: str = ""
) -> ImportRun:
    """Import an uploaded file: inline when small, else in a Celery worker after this transaction commits.

    The returned run is DONE/FAILED (inline) or RUNNING with total_rows=0 until the worker
    parses the file; poll processed_rows/total_rows/status. Files up to
    INLINE_IMPORT_MAX_BYTES (settings.IMPORT_INLINE_MAX_BYTES) are imported inline.
    """
    _require_import_rights(actor, location)
    inline_max = getattr(settings, "IMPORT_INLINE_MAX_BYTES", INLINE_IMPORT_MAX_BYTES)
    if len(data) <= inline_max:
        # A web request never forks: a small file drafts in this process.
        return reviews_import(
            location=location, actor=actor, filename=filename, data=data, default_platform=default_platform,
            processes=1,
        )
    run = ImportRun.objects.create(
        location=location, source_name=Path(filename).name[:300] or "upload", started_by=actor,
        default_platform=default_platform,
    )
    _upload_write(_upload_path(run), data)
    from responses.tasks import import_reviews_from_upload

    transaction.on_commit(lambda: import_reviews_from_upload.delay(run.pk))
    logger.info("import run %s queued (%d bytes)", run.pk, len(data))
    return run


def reviews_import_upload(*, run: ImportRun) -> ImportRun:
    """Import (or resume) the file that reviews_import_start saved for `run`, and delete it once the run ends.

    Safe to call twice (a redelivered task, the watchdog's re-queue): a finished run, or one another live
    worker is importing, is left alone. After settings.IMPORT_MAX_ATTEMPTS starts (a file that kills its
    worker every time) the run fails instead.
    """
    path = _upload_path(run)
    try:
        with _upload_claim(path) as upload:
            if upload is None:
                logger.info("import run %s is being imported by another worker; skipped", run.pk)
                return run
            run.refresh_from_db()
            try:
                if run.status != ImportRun.Status.RUNNING:
                    return run  # finished meanwhile: only its file was left to delete
                ImportRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)
                run.refresh_from_db(fields=["attempts"])
                if run.attempts > settings.IMPORT_MAX_ATTEMPTS:
                    return _run_fail(
                        run, f"The import was interrupted {run.attempts - 1} times and was given up; rows "
                        "before it were kept. Import the file again to add the rest.", run.started_by,
                    )
                return _run_execute(run, data=upload.read(), actor=run.started_by, default_platform=run.default_platform)
            finally:
                path.unlink(missing_ok=True)
    except FileNotFoundError:
        run.refresh_from_db()
        if run.status != ImportRun.Status.RUNNING:
            return run  # a redelivered task after the run ended
        return _run_fail(run, "The uploaded file is no longer available; upload it again.", run.started_by)


def import_runs_recover(*, now: datetime | None = None) -> dict[str, int]:
    """The watchdog (worker start-up and every few minutes): no run stays "running" without a live process.

    A run whose heartbeat is older than settings.IMPORT_STALE_MINUTES is re-queued when its uploaded file is
    still there and no live worker holds it (the worker resumes after the last stored batch), and failed
    otherwise (an import in a web request or on the command line whose process died). Uploads whose run has
    ended, or no longer exists, are deleted. Returns {"requeued", "failed", "deleted"} counts.
    """
    from responses.tasks import import_reviews_from_upload

    now = now or timezone.now()
    stale_before = now - timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    outcome = Counter({"requeued": 0, "failed": 0, "deleted": 0})
    # A source's runs are the sources' watchdog's (responses.sources.services.source_runs_recover): their lock
    # says at once whether their process is alive.
    stuck = ImportRun.objects.filter(status=ImportRun.Status.RUNNING, heartbeat_at__lt=stale_before,
                                     connection__isnull=True)
    for run in stuck.select_related("location__practice", "started_by"):
        try:
            with _upload_claim(_upload_path(run)) as upload:
                if upload is None:
                    continue  # a live worker holds it: a slow batch, not a dead process
        except FileNotFoundError:
            _run_fail(run, "The import stopped unexpectedly (its process ended); rows before it were kept. "
                      "Import the file again to add the rest: stored reviews are not duplicated.", run.started_by)
            outcome["failed"] += 1
            logger.warning("import run %s: its process stopped; marked failed", run.pk)
            continue
        # Moving the heartbeat on is the claim: of two watchdogs at once, only one re-queues the run.
        if ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING,
                                    heartbeat_at__lt=stale_before).update(heartbeat_at=now):
            transaction.on_commit(lambda run_id=run.pk: import_reviews_from_upload.delay(run_id))
            outcome["requeued"] += 1
            logger.warning("import run %s: its worker stopped; re-queued to resume", run.pk)
    outcome["deleted"] = _uploads_sweep(now=now)
    return dict(outcome)


def _uploads_sweep(*, now: datetime) -> int:
    """Delete uploads whose run has ended or is gone (a crash between the run's end and the file's deletion).
    A file younger than the stale limit is left alone: its run may not be committed yet."""
    running = set(ImportRun.objects.filter(status=ImportRun.Status.RUNNING).values_list("pk", flat=True))
    deleted = 0
    for path in _uploads_dir().glob("import-run-*.upload"):
        run_id = path.name.removeprefix("import-run-").removesuffix(".upload")
        try:
            young = now.timestamp() - path.stat().st_mtime < settings.IMPORT_STALE_MINUTES * 60
        except FileNotFoundError:
            continue
        if young or (run_id.isdigit() and int(run_id) in running):
            continue
        try:
            with _upload_claim(path) as upload:
                if upload is not None:
                    path.unlink(missing_ok=True)
                    deleted += 1
        except FileNotFoundError:
            continue
    if deleted:
        logger.info("deleted %d uploads of ended import runs", deleted)
    return deleted
