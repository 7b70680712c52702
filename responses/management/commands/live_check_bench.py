"""`make bench`: how fast the review page's live PHI check answers while someone types."""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse
from django.utils import timezone

# About 120 words, written like a real draft, with one clinical slip so the panel renders findings.
DRAFT = (
    "Hi Jamie, thank you for taking the time to write this review. We're truly sorry that your afternoon "
    "with us felt rushed and that nobody at the front desk explained the delay. That is not the experience "
    "we want anyone to have, and we have shared your comments with our whole team so we can look closely at "
    "how we plan our days and keep people informed when things run late. We were also sorry to read about "
    "the bruising you mentioned. We would really value the chance to talk with you directly and make this "
    "right. Please call our client experience lead at (303) 555-0186 or write to frontdesk@willowpine.example "
    "whenever it suits you, and we will make time to listen. Thank you again for your honesty. "
    "— The Willow & Pine team"
)
REVIEW = "Waited forty minutes, nobody explained the delay, and I left with bruising. Not impressed."


class Command(BaseCommand):
    help = ("Time the live-check endpoint (URL routing, login, the PHI guard, the panel template) for a "
            "~120-word draft through Django's test client, against a throwaway test database.")

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, runs: int, warmup: int, **options):
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            client, url, review = self._desk()
            words = len(DRAFT.split())
            self.stdout.write(f"live check: {words}-word draft, {warmup} warm-up + {runs} timed requests")
            started = time.perf_counter()
            for i in range(warmup):
                self._check(client, url, i)
            self.stdout.write(f"  warm-up (includes loading the guard's model): {time.perf_counter() - started:.1f} s")
            timings = [self._check(client, url, i) for i in range(runs)]
            guard_only = [self._guard(review, i) for i in range(runs)]
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
        self.stdout.write(f"  endpoint:   {_summary(timings)} (target: well under 100 ms)")
        self.stdout.write(f"  guard only: {_summary(guard_only)} (verdict_for_reply_text, same drafts)")

    @staticmethod
    def _guard(review, i: int) -> float:
        from responses.guarding import verdict_for_reply_text

        text = DRAFT + " Thanks." * (i % 4)
        started = time.perf_counter()
        verdict_for_reply_text(review=review, text=text)
        return (time.perf_counter() - started) * 1000

    @staticmethod
    def _check(client: Client, url: str, i: int) -> float:
        # A slightly different text each time, as while typing (nothing can be served from a cache).
        text = DRAFT + " Thanks." * (i % 4)
        started = time.perf_counter()
        response = client.post(url, {"text": text}, HTTP_HX_REQUEST="true")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or b"guard-status" not in response.content:
            raise RuntimeError(f"the live check answered {response.status_code}")
        return elapsed

    @staticmethod
    def _desk() -> tuple[Client, str, object]:
        from django.contrib.auth import get_user_model

        from responses.models import Location, Practice, Review, Role, StaffMember, text_sha256
        from responses.roles import membership_grant
        from responses.workflow import reply_start

        practice = Practice.objects.create(
            name="Willow & Pine Medspa", phone="(303) 555-0186", email="frontdesk@willowpine.example",
            website="www.willowpine.example", address="415 Larimer St, Unit 3B, Denver, CO 80202",
            signature="— The Willow & Pine team",
        )
        StaffMember.objects.create(practice=practice, name="Hannah Cho", role="Client Experience Lead")
        location = Location.objects.create(practice=practice, name="Larimer Square", phone=practice.phone,
                                           email=practice.email)
        user = get_user_model().objects.create_user(username="bench", password=None)
        membership_grant(user=user, practice=practice, role=Role.FRONT_DESK)
        review = Review.objects.create(
            location=location, platform="google", external_id="bench-1", author_name="Jamie R.", rating=2,
            text=REVIEW, text_sha256=text_sha256(REVIEW), posted_at=timezone.now() - timedelta(days=1),
        )
        reply_start(review=review, actor=user, text="Thank you for your feedback. Please call (303) 555-0186.")
        client = Client()
        client.force_login(user)
        return client, reverse("reply_check", args=[review.pk]), review


def _summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return (f"p50 {statistics.median(ordered):.1f} ms · p95 {p95:.1f} ms · mean {statistics.fmean(ordered):.1f} ms"
            f" · max {ordered[-1]:.1f} ms")
