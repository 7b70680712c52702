"""python manage.py compliance_export_bench [--replies N]: time the compliance export of N posted replies."""
from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from responses.compliance.export import compliance_export
from responses.compliance.models import ReplyPosting
from responses.models import AuditEvent, Location, Practice, Reply, ReplyVersion, Review, Role, text_sha256
from responses.roles import membership_grant

VERDICT = {"blocked": False, "findings": [], "text_sha256": "", "guard_version": {
    "engine": "bench", "model": "bench", "classifier": "bench", "vocabulary": "bench", "practice": "bench"}}


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = ("Create N posted replies with their audit trail in a transaction, time the default CSV and the "
            "printable report, then roll everything back. Prints seconds; the target is under 10 s for 10,000.")

    def add_arguments(self, parser):
        parser.add_argument("--replies", type=int, default=10_000)

    def handle(self, *args, replies: int, **options):
        try:
            with transaction.atomic():
                manager, practice = self._fixture(replies)
                today = timezone.localdate()
                for fmt in ("csv", "html"):
                    started = time.perf_counter()
                    export = compliance_export(practice=practice, actor=manager, date_from=today - timedelta(days=30),
                                               date_to=today, fmt=fmt)
                    seconds = time.perf_counter() - started
                    self.stdout.write(f"compliance export ({fmt}): {export.row_count} replies in {seconds:.2f} s "
                                      f"({len(export.content) / 1e6:.1f} MB)")
                raise _Rollback
        except _Rollback:
            pass

    def _fixture(self, count: int):
        practice = Practice.objects.create(name="Bench practice")
        location = Location.objects.create(practice=practice, name="Bench")
        manager = get_user_model().objects.create_user(username=f"bench-{time.time_ns()}")
        membership_grant(user=manager, practice=practice, role=Role.MANAGER)
        now = timezone.now()
        reviews = Review.objects.bulk_create(
            Review(location=location, platform="google", external_id=f"bench-{i}", author_name="Bench",
                   rating=1 + i % 5, text="Bench review.", text_sha256=text_sha256("Bench review."),
                   posted_at=now - timedelta(days=2))
            for i in range(count)
        )
        reply_rows = Reply.objects.bulk_create(Reply(review=review) for review in reviews)
        text = "Thank you for your feedback."
        versions = ReplyVersion.objects.bulk_create(
            ReplyVersion(reply=reply, number=1, text=text, text_sha256=text_sha256(text), source="template",
                         author=manager, verdict=VERDICT, verdict_sha256=text_sha256(text), blocked=False)
            for reply in reply_rows
        )
        ReplyPosting.objects.bulk_create(
            ReplyPosting(reply=reply, version=version, text_sha256=version.text_sha256, verdict=VERDICT,
                         posted_at=now - timedelta(days=1), posted_by=manager, posted_via="manual")
            for reply, version in zip(reply_rows, versions)
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(action=action, actor=manager, practice=practice, review=reply.review, reply=reply,
                       details={"version": 1})
            for reply in reply_rows
            for action in ("reply_started", "reply_submitted", "reply_approved", "reply_posted")
        )
        return manager, practice
