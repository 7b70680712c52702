"""Review sources managed by the practice's manager: add, give a token, pause, resume, run now; and the
import of one source (the nightly task and "run now" both call source_import).

Every run records its outcome on the source: last_success_at, or last_error in words safe to show (a
platform's status word, never a response body or review text).
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from responses.audit import audit_record
from responses.intake.rows import is_generated_external_id
from responses.intake.services import connection_import_lock, reviews_import
from responses.models import ImportRun, Location, Platform, PlatformConnection, Review
from responses.platforms.google import MAX_PAGES, PAGE_SIZE, google_reviews_list
from responses.platforms.http import PlatformHTTPError
from responses.platforms.sources import ImportSourceError, ImportSourceUnavailable, reviews_fetch
from responses.roles import practice_for, require_permission
from responses.sources.drafts import DraftCounts, reviews_draft_new
from responses.sources.drop_folder import (
    DropFolderRefused,
    drop_folder_files,
    drop_folder_mark_imported,
    drop_folder_path,
)
from responses.sources.tokens import token_encrypt
from responses.workflow import reply_record_external

logger = logging.getLogger(__name__)

Kind = PlatformConnection.Kind
DRAFT_BATCH = 64
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


def _google_posted_at(value) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed or timezone.now()


def _google_after_import(source: PlatformConnection, items: list[dict]) -> None:
    """Owner replies already on Google become posted replies (guard-checked); reviews Google no longer lists
    (deleted by their author or removed by Google) are closed."""
    listed = set()
    for item in items:
        review_id = item.get("reviewId") if isinstance(item, dict) else None
        if not isinstance(review_id, str):
            continue
        listed.add(review_id)
        reply = item.get("reviewReply")
        if not (isinstance(reply, dict) and isinstance(reply.get("comment"), str)):
            continue
        review = Review.objects.filter(location=source.location, platform=source.platform,
                                       external_id=review_id).first()
        if review is not None:
            reply_record_external(
                review=review, text=reply["comment"], posted_at=_google_posted_at(reply.get("updateTime")),
                posted_via="google (outside ReviewDesk)",
            )
    if len(items) >= MAX_PAGES * PAGE_SIZE:
        return  # a listing cut short says nothing about the reviews after the cut
    gone = Review.objects.filter(
        location=source.location, platform=source.platform, closed_at__isnull=True
    ).exclude(external_id__in=listed)
    for review in gone:
        if is_generated_external_id(review.external_id):
            continue  # pasted: Google's id unknown
        Review.objects.filter(pk=review.pk).update(closed_at=timezone.now(), closed_reason="Deleted on the platform")
        audit_record(action="review_deleted_on_platform", review=review, connection=source.pk)


def _draft_run(run: ImportRun, source: PlatformConnection) -> None:
    counts = DraftCounts()
    ids = list(
        Review.objects.filter(location=source.location, platform=source.platform, closed_at__isnull=True,
                              reply__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), DRAFT_BATCH):
        reviews_draft_new(location=source.location, review_ids=ids[start:start + DRAFT_BATCH], counts=counts)
    ImportRun.objects.filter(pk=run.pk).update(drafted_count=counts.drafted)
    run.drafted_count = counts.drafted


def source_import(*, source: PlatformConnection) -> list[ImportRun]:
    """Fetch and import one source's reviews (drafting and escalating the new ones). Raises SourceBusy while
    another import of it runs; raises platforms.ImportSourceError (ImportSourceUnavailable when trying later
    may help) after recording the failure on the source."""


    cache.delete(_queued_key(source.pk))
    with connection_import_lock(source.pk) as acquired:
        if not acquired:
            logger.info("source %s: an import is already running; skipped", source.pk)
            raise SourceBusy()
        runs: list[ImportRun] = []
        try:
            if source.kind == Kind.DROP_FOLDER:
                files, refused = drop_folder_files(source.resource)
                for dropped in files:
                    run = reviews_import(location=source.location, actor=None, filename=dropped.name,
                                         data=dropped.data, connection=source)
                    runs.append(run)
                    if run.status == ImportRun.Status.DONE:
                        drop_folder_mark_imported(source.resource, dropped.name)
                if refused:
                    _status(source, error=f"{len(refused)} file(s) refused: " + "; ".join(refused))
                    return runs
            elif source.kind == Kind.GOOGLE_BUSINESS:
                try:
                    items = google_reviews_list(connection=source)
                except PlatformHTTPError as exc:
                    raise (ImportSourceUnavailable if exc.retryable else ImportSourceError)(str(exc)) from None
                data = json.dumps({"reviews": items}).encode("utf-8")
                # Drafted after the owner replies already on Google are recorded: those reviews are answered.
                run = reviews_import(location=source.location, actor=None, filename=f"google-{source.pk}.json",
                                     data=data, connection=source, draft=False)
                runs.append(run)
                if run.status == ImportRun.Status.DONE:
                    _google_after_import(source, items)
                    _draft_run(run, source)
            else:
                fetched = reviews_fetch(connection=source)
                runs.append(reviews_import(location=source.location, actor=None, filename=fetched.source_name,
                                           data=fetched.data, connection=source))
        except DropFolderRefused as exc:
            _status(source, error=str(exc))
            logger.warning("source %s: drop folder refused", source.pk)
            raise ImportSourceError(str(exc)) from None
        except ImportSourceError as exc:
            _status(source, error=str(exc))
            logger.warning("source %s: import failed (%s)", source.pk, type(exc).__name__)
            raise
        failed = [run for run in runs if run.status == ImportRun.Status.FAILED]
        if failed:
            _status(source, error=failed[-1].failure_reason)
        else:
            _status(source, summary=_summary(runs))
        return runs
