"""Review sources managed by the practice's manager: add, give a token, pause, resume, run now; and the
import of one source (the nightly task and "run now" both call source_import).

Every run records its outcome on the source: last_success_at, or last_error in words safe to show (a
platform's status word, never a response body or review text).
"""
from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from responses.audit import audit_record
from responses.intake.files import google_review_fields
from responses.intake.rows import is_generated_external_id
from responses.intake.services import reviews_import, reviews_import_pages
from responses.models import ImportRun, Location, Platform, PlatformConnection, Review
from responses.platforms.google import MAX_PAGES, PAGE_SIZE, google_review_pages
from responses.platforms.http import PlatformHTTPError
from responses.platforms.sources import ImportSourceError, ImportSourceUnavailable, reviews_fetch
from responses.roles import practice_for, require_permission
from responses.sources.drop_folder import (
    DropFolderRefused,
    drop_folder_files,
    drop_folder_mark_imported,
    drop_folder_path,
)
from responses.sources.lock import source_run_lock
from responses.sources.tokens import token_encrypt

logger = logging.getLogger(__name__)

Kind = PlatformConnection.Kind
_GOOGLE_RESOURCE = re.compile(r"^accounts/[^/\s?#]+/locations/[^/\s?#]+$")


class SourceBusy(Exception):
    """Another import of this source is running."""


def _require_manager(actor, location: Location) -> None:
    require_permission(actor, "manage_sources")
    if practice_for(actor).pk != location.practice_id:
        raise PermissionDenied("This location belongs to another practice.")


def source_for_user(*, user, pk: int) -> PlatformConnection:
    """The source with this id at the user's practice, or PermissionDenied (also for another practice's)."""
    source = PlatformConnection.objects.select_related("location__practice").filter(pk=pk).first()
    if source is None or source.location.practice_id != practice_for(user).pk:
        raise PermissionDenied("No such review source at your practice.")
    return source


def _resource_clean(kind: str, resource: str) -> str:
    resource = resource.strip()
    if kind == Kind.GOOGLE_BUSINESS:
        resource = resource.strip("/")
        if not _GOOGLE_RESOURCE.match(resource):
            raise ValidationError("Name the Google location as accounts/ACCOUNT_ID/locations/LOCATION_ID.")
    elif kind == Kind.JSON_FEED:
        parts = urlsplit(resource)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValidationError("A feed is an https:// address.")
    elif kind == Kind.DROP_FOLDER:
        try:
            drop_folder_path(resource)
        except DropFolderRefused as exc:
            raise ValidationError(str(exc)) from None
    else:
        raise ValidationError("Choose Google Business Profile, a JSON feed or a drop folder.")
    return resource


@transaction.atomic
def source_create(
    *, actor, location: Location, kind: str, platform: str, resource: str, token: str = ""
) -> PlatformConnection:
    """Add a review source to a location (managers). A token (a feed's bearer token) is stored encrypted;
    a Google source gets its token from the manager's consent (google_oauth). Raises ValidationError."""
    _require_manager(actor, location)
    if platform not in Platform.values:
        raise ValidationError("Choose the platform the reviews come from.")
    if kind == Kind.GOOGLE_BUSINESS:
        platform = Platform.GOOGLE
    resource = _resource_clean(kind, resource)
    if PlatformConnection.objects.filter(location=location, platform=platform, kind=kind).exists():
        raise ValidationError("This location already has a source of this kind for this platform.")
    source = PlatformConnection.objects.create(
        location=location, platform=platform, kind=kind, resource=resource,
        secret_encrypted=token_encrypt(token.strip()) if kind == Kind.JSON_FEED else "",
    )
    audit_record(action="source_added", actor=actor, practice=location.practice, connection=source.pk, kind=kind)
    return source


def source_token_set(*, actor, source: PlatformConnection, token: str) -> None:
    """Replace (or, with '', remove) a feed's bearer token; stored encrypted, never shown back."""
    _require_manager(actor, source.location)
    source.secret_encrypted = token_encrypt(token.strip())
    PlatformConnection.objects.filter(pk=source.pk).update(secret_encrypted=source.secret_encrypted)
    audit_record(action="source_token_set", actor=actor, practice=source.location.practice, connection=source.pk)


def source_pause(*, actor, source: PlatformConnection, paused: bool) -> None:
    """Pause (no nightly import, no run now) or resume a source."""
    _require_manager(actor, source.location)
    source.import_enabled = not paused
    PlatformConnection.objects.filter(pk=source.pk).update(import_enabled=source.import_enabled)
    audit_record(
        action="source_paused" if paused else "source_resumed", actor=actor, practice=source.location.practice,
        connection=source.pk,
    )


QUEUED_SECONDS = 5 * 60


def _queued_key(source_id: int) -> str:
    return f"reviewdesk:source-queued:{source_id}"


def sources_queued(source_ids: list[int]) -> bool:
    """True while a "run now" of one of these sources waits for a worker."""
    return bool(source_ids) and bool(cache.get_many([_queued_key(pk) for pk in source_ids]))


def source_run_now(*, actor, source: PlatformConnection) -> None:
    """Queue an import of the source for the worker (after this transaction commits)."""
    _require_manager(actor, source.location)
    if not source.import_enabled:
        raise ValidationError("This source is paused; resume it first.")
    from responses.tasks import import_reviews_from_connection

    # The Imports page follows the queued run (polls) until the worker picks it up, for at most a few minutes.
    cache.set(_queued_key(source.pk), True, QUEUED_SECONDS)
    transaction.on_commit(lambda: import_reviews_from_connection.delay(source.pk))
    audit_record(action="source_run_now", actor=actor, practice=source.location.practice, connection=source.pk)


def _status(source: PlatformConnection, *, error: str = "", summary: str = "") -> None:
    now = timezone.now()
    fields = {"last_import_at": now, "last_import_status": (summary or f"failed: {error}")[:300]}
    if error:
        fields["last_error"] = error[:300]
    else:
        fields.update(last_error="", last_success_at=now)
    PlatformConnection.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)


def _summary(runs: list[ImportRun]) -> str:
    new = sum(run.created_count for run in runs)
    updated = sum(run.updated_count for run in runs)
    unchanged = sum(run.unchanged_count for run in runs)
    failed = sum(run.rejected_count for run in runs)
    return f"done: {new} new, {updated} updated, {unchanged} unchanged, {failed} rejected"


INTERRUPTED = ("Its worker stopped before it finished; the batches it stored were kept and the next run "
               "imported the rest.")


def _runs_interrupted_fail(source: PlatformConnection) -> int:
    """Called under the source's lock: a run of the source still "running" has lost its process (a worker
    killed mid-run). It ends failed; the run that found it imports what it left, and since its stored batches
    are whole (reviews, drafts and progress together) nothing is duplicated. Returns how many."""
    interrupted = 0
    for run_id in ImportRun.objects.filter(connection=source, status=ImportRun.Status.RUNNING).values_list(
        "pk", flat=True
    ):
        now = timezone.now()
        if ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.FAILED, finished_at=now, heartbeat_at=now, failure_reason=INTERRUPTED
        ):
            interrupted += 1
            audit_record(action="reviews_import_failed", practice=source.location.practice, import_run=run_id,
                         connection=source.pk)
            logger.warning("import run %s of source %s lost its process; marked failed", run_id, source.pk)
    return interrupted


def _google_rows(source: PlatformConnection, listed: set[str]) -> Iterator[tuple[list, int | None]]:
    """Google's pages as row fields for intake, noting every listed review id in `listed`. The first page is
    fetched before this returns, so a refused grant or location fails before any run is started."""
    pages = google_review_pages(connection=source)
    first = next(pages, None)

    def rows() -> Iterator[tuple[list, int | None]]:
        for reviews, total in itertools.chain([first] if first else [], pages):
            listed.update(item["reviewId"] for item in reviews
                          if isinstance(item, dict) and isinstance(item.get("reviewId"), str))
            yield [google_review_fields(item) if isinstance(item, dict) else "each review must be a JSON object"
                   for item in reviews], total

    return rows()


def _google_deleted_close(source: PlatformConnection, listed: set[str]) -> None:
    """Close the reviews Google no longer lists (deleted by their author or removed by Google)."""
    if len(listed) >= MAX_PAGES * PAGE_SIZE:
        return  # a listing cut short says nothing about the reviews after the cut
    gone = Review.objects.filter(
        location=source.location, platform=source.platform, closed_at__isnull=True
    ).exclude(external_id__in=listed)
    for review in gone:
        if is_generated_external_id(review.external_id):
            continue  # pasted: Google's id unknown
        Review.objects.filter(pk=review.pk).update(closed_at=timezone.now(), closed_reason="Deleted on the platform")
        audit_record(action="review_deleted_on_platform", review=review, connection=source.pk)


def _source_runs(source: PlatformConnection) -> tuple[list[ImportRun], str]:
    """Import the source once (the caller holds its lock): its runs, and what it refused (drop-folder files)."""
    if source.kind == Kind.DROP_FOLDER:
        files, refused = drop_folder_files(source.resource)
        runs = []
        for dropped in files:
            run = reviews_import(location=source.location, actor=None, filename=dropped.name, data=dropped.data,
                                 connection=source)
            runs.append(run)
            if run.status == ImportRun.Status.DONE:
                drop_folder_mark_imported(source.resource, dropped.name)
        return runs, f"{len(refused)} file(s) refused: " + "; ".join(refused) if refused else ""
    if source.kind == Kind.GOOGLE_BUSINESS:
        listed: set[str] = set()
        try:
            run = reviews_import_pages(location=source.location, connection=source,
                                       source_name=f"google-{source.pk}.json", pages=_google_rows(source, listed))
        except PlatformHTTPError as exc:
            raise (ImportSourceUnavailable if exc.retryable else ImportSourceError)(str(exc)) from None
        if run.status == ImportRun.Status.DONE:
            _google_deleted_close(source, listed)
        return [run], ""
    fetched = reviews_fetch(connection=source)
    return [reviews_import(location=source.location, actor=None, filename=fetched.source_name, data=fetched.data,
                           connection=source)], ""


def source_import(*, source: PlatformConnection, wait_seconds: float = 0) -> list[ImportRun]:
    """Fetch and import one source's reviews (new ones escalated or drafted and guard-checked, edited ones
    updated and re-drafted, replies already on the platform recorded with their moderation status). Raises
    SourceBusy while another live process imports it (after waiting up to `wait_seconds`); raises
    platforms.ImportSourceError (ImportSourceUnavailable when trying later may help) after recording the
    failure on the source. A run of the source left "running" by a dead process is failed first."""
    cache.delete(_queued_key(source.pk))
    with source_run_lock(source.pk, wait_seconds=wait_seconds) as acquired:
        if not acquired:
            logger.info("source %s: an import is already running; skipped", source.pk)
            raise SourceBusy()
        _runs_interrupted_fail(source)
        try:
            runs, refused = _source_runs(source)
        except DropFolderRefused as exc:
            _status(source, error=str(exc))
            logger.warning("source %s: drop folder refused", source.pk)
            raise ImportSourceError(str(exc)) from None
        except ImportSourceError as exc:
            _status(source, error=str(exc))
            logger.warning("source %s: import failed (%s)", source.pk, type(exc).__name__)
            raise
        failed = [run for run in runs if run.status == ImportRun.Status.FAILED]
        if refused:
            _status(source, error=refused)
        elif failed:
            _status(source, error=failed[-1].failure_reason)
        else:
            _status(source, summary=_summary(runs))
        return runs


def source_runs_recover() -> list[int]:
    """The watchdog's part for sources: a source with a run still "running" whose lock nobody holds lost its
    process (a worker killed mid-run, then the whole worker). Its runs are failed and the source is queued
    again (after this transaction commits), to import what the dead run left. Returns the re-queued sources."""
    from responses.tasks import import_reviews_from_connection

    requeued = []
    source_ids = set(ImportRun.objects.filter(status=ImportRun.Status.RUNNING, connection__isnull=False)
                     .values_list("connection_id", flat=True))
    for source in PlatformConnection.objects.filter(pk__in=source_ids).select_related("location__practice"):
        with source_run_lock(source.pk) as held:
            if not held:
                continue  # a live process is importing it
            _runs_interrupted_fail(source)
        if source.import_enabled:
            transaction.on_commit(lambda source_id=source.pk: import_reviews_from_connection.delay(source_id))
            requeued.append(source.pk)
            logger.warning("source %s: its interrupted import was queued again", source.pk)
    return requeued
