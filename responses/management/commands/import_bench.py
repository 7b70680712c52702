"""Import speed: generated reviews through parse -> upsert -> escalate/draft -> guard, then the same file again.

Runs in one transaction that is rolled back, so the database is left as it was. Prints numbers; asserts nothing.
"""
from __future__ import annotations

import csv
import io
import random
import resource
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from responses.intake import reviews_import
from responses.models import Location, Practice

OPENINGS = ["The front desk was", "My visit was", "The injector was", "Booking was", "The room was"]
QUALITIES = ["friendly and quick", "slow and confusing", "spotless", "a bit rushed", "really welcoming"]
ENDINGS = ["Will be back.", "Parking was easy.", "The price was clear.", "I waited twenty minutes.", ""]


def _csv(rows: int, seed: int, prefix: str = "bench") -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "author_name", "rating", "text", "posted_at"])
    for n in range(rows):
        text = f"{rng.choice(OPENINGS)} {rng.choice(QUALITIES)}. {rng.choice(ENDINGS)} Visit {n}."
        writer.writerow([f"{prefix}-{n}", f"Reviewer {n % 997}", rng.randint(1, 5), text.strip(),
                         f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z"])
    return out.getvalue().encode()


class Command(BaseCommand):
    help = "Import N generated reviews (drafted and guard-checked) and re-import them; print reviews/s and memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, rows: int, seed: int, **options):
        data = _csv(rows, seed)
        with transaction.atomic():
            practice = Practice.objects.create(name="Bench Aesthetics", phone="(303) 555-0100")
            location = Location.objects.create(practice=practice, name="Bench", phone="(303) 555-0100")
            reviews_import(location=location, actor=None, filename="warm.csv", data=_csv(20, seed + 1, "warm"),
                           default_platform="google")  # load the models outside the timing
            start = time.perf_counter()
            run = reviews_import(location=location, actor=None, filename="bench.csv", data=data,
                                 default_platform="google")
            first = time.perf_counter() - start
            start = time.perf_counter()
            again = reviews_import(location=location, actor=None, filename="bench.csv", data=data,
                                   default_platform="google")
            second = time.perf_counter() - start
            transaction.set_rollback(True)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"import {rows:,} new reviews: {first:.1f} s, {rows / first:.0f} reviews/s "
            f"({run.created_count} new, {run.drafted_count} drafted, {run.escalated_count} escalated)\n"
            f"re-import unchanged: {second:.1f} s, {rows / second:.0f} rows/s ({again.unchanged_count} unchanged)\n"
            f"peak memory: {peak_mb:.0f} MB"
            + (f"\nrejected rows: {run.rejected_count} (first: {run.errors[0]['reason']})" if run.errors else "")
        )
