"""`make bench`: the import_reviews command on generated reviews, in a throwaway database.

Each new review goes through parse -> upsert -> topics -> escalation or draft -> guard, batches committing as
in real use. Prints reviews/s and peak memory for N new reviews, an unchanged re-import, a large file's
sustained rate (from the command's own progress lines), and a reference measured in the same run: drafting
alone on the same reviews, without the database and without the guard's kept parses. Asserts nothing.
"""
from __future__ import annotations

import csv
import io
import random
import re
import resource
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

FIRST_NAMES = """Kelsey Trent Maria James Ana Priya Sam Jordan Emily Chris Laura Mike Sarah David Jessica Daniel Ashley
Matt Megan Josh Rachel Ryan Lauren Kevin Nicole Brian Amanda Eric Stephanie Jason Heather Adam Melissa Justin Amy
Brandon Rebecca Tyler Katie Aaron Hannah Nathan Olivia Zach Grace Ben Chloe Luis Sofia Carlos Mei Aisha Omar Fatima
Tomas Ingrid Renata Yusuf Deja Marcus Brooke Caleb Paige Devon Gabriela Hector Imani Jasmine Kofi Leah Malik Nadia
Owen Quinn Rosa Simone Tariq Uma Valerie Wes Ximena Yara Zoe Andre Bianca Colin Dana Elena Felix Gia Hugo Iris""".split()
SURNAMES = "Parker Nguyen Garcia Smith Okafor Patel Kim Rossi Cohen Baker Silva Novak Haddad Moreau Lindqvist".split()
HANDLES = ["sweetpea303", "wanderlust_jen", "glowgetter", "Local Guide", "A Google user", "mtnmama", "J.", ""]
OPENINGS = ["The front desk was", "My visit was", "The injector was", "Booking online was", "The treatment room was",
            "Checkout was", "The consultation was", "The follow-up call was"]
QUALITIES = ["friendly and quick", "slow and confusing", "spotless", "a bit rushed", "really welcoming",
             "disorganised", "calm and professional", "more expensive than quoted"]
DETAILS = ["Will be back.", "Parking was easy.", "The price was clear.", "I waited twenty minutes.",
           "Nobody explained the delay.", "Results look natural so far.", "They squeezed me in the same day.",
           "I had some bruising for a week.", "Staff remembered my name.", "The music was too loud.", ""]
RARE = ["My lawyer will hear about this.", "I ended up in the emergency room.", "Muy amables y profesionales."]


def _author(rng: random.Random, named: float) -> str:
    """A display name as Google shows it: "Kelsey P." or "Kelsey Parker" (drafts greet them by first name),
    else a handle or nothing (drafts without a name, so many drafts share one text)."""
    roll = rng.random()
    if roll < 0.8 * named:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
    if roll < named:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    return rng.choice(HANDLES)


def reviews_csv(rows: int, seed: int, prefix: str, named: float = 0.75) -> bytes:
    """`rows` generated reviews as a CSV export: ratings skewed to five stars as on the platforms, a share
    `named` of authors showing a first name, about one review in a hundred escalated or in Spanish."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "author_name", "rating", "text", "posted_at"])
    for n in range(rows):
        rating = rng.choices([1, 2, 3, 4, 5], weights=[10, 5, 8, 17, 60])[0]
        text = f"{rng.choice(OPENINGS)} {rng.choice(QUALITIES)}. {rng.choice(DETAILS)} {rng.choice(DETAILS)}"
        if rng.random() < 0.01:
            text = rng.choice(RARE) if rng.random() < 0.5 else f"{text} {rng.choice(RARE)}"
        writer.writerow([f"{prefix}-{n}", _author(rng, named), rating, f"{text.strip()} Visit {n}.",
                         f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z"])
    return out.getvalue().encode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _helpers_peak_mb() -> float:
    """The largest peak of the drafting helpers that have ended (their pages shared with this process count in
    both)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class _TimedLines(io.StringIO):
    """stderr for the command: remembers when each progress line arrived."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.lines.append((time.perf_counter(), text))
        return super().write(text)


class Command(BaseCommand):
    help = ("Time `import_reviews` on generated reviews in a throwaway database: new reviews (drafted and "
            "guard-checked), an unchanged re-import, a large file's sustained rate, and a drafting-only reference.")

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000, help="new reviews in the main file")
        parser.add_argument("--reimport-rows", type=int, default=5_000, help="rows of it imported again unchanged")
        parser.add_argument("--large-rows", type=int, default=0, help="rows of a sustained-rate file; 0 skips it")
        parser.add_argument("--reference-rows", type=int, default=1_000, help="reviews for the models-only reference")
        parser.add_argument("--one-process-rows", type=int, default=None, metavar="N",
                            help="new reviews imported again in one process (--processes 1), as a reference for "
                                 "the main file's rate; default: as many as --rows, 0 skips it")
        parser.add_argument("--first-names", type=int, default=75, metavar="PERCENT",
                            help="authors showing a first name (their drafts greet them by it; the rest share texts)")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, rows: int, reimport_rows: int, large_rows: int, reference_rows: int, first_names: int,
               seed: int, one_process_rows: int | None, **options):
        self.one_process_rows = rows if one_process_rows is None else one_process_rows
        self.named = first_names / 100
        self.folder = Path(settings.VAR_DIR)
        self.folder.mkdir(parents=True, exist_ok=True)
        setup_test_environment(debug=False)  # as in production: DEBUG would keep every SQL statement in memory
        test_settings = connection.settings_dict.setdefault("TEST", {})
        test_settings["NAME"] = (str(self.folder / "import-bench.sqlite3") if connection.vendor == "sqlite"
                                 else f"{connection.settings_dict['NAME']}_import_bench")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self._run(rows, reimport_rows, large_rows, reference_rows, seed)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def _run(self, rows: int, reimport_rows: int, large_rows: int, reference_rows: int, seed: int) -> None:
        from responses.intake.services import import_processes
        from responses.models import ImportRun, Location, Practice, StaffMember

        practice = Practice.objects.create(
            name="Bench Aesthetics", phone="(303) 555-0100", email="hello@bench.example", signature="— The Bench team")
        for name, role in [("Renee Okafor", "Office Manager"), ("Jordan Miles", "Nurse Practitioner")]:
            StaffMember.objects.create(practice=practice, name=name, role=role)
        self.location = Location.objects.create(practice=practice, name="Bench", phone="(303) 555-0100")
        out = self.stdout.write
        out(f"import bench: {connection.vendor}, throwaway database, generated reviews (seed {seed}, "
            f"{self.named:.0%} of authors showing a first name)")

        self._import(reviews_csv(20, seed + 1, "warm", self.named), "warm.csv")  # loads the models outside the timings
        loaded = _peak_mb()
        main = reviews_csv(rows, seed, "bench", self.named)
        seconds, _ = self._import(main, "bench.csv")
        run = ImportRun.objects.order_by("-pk").first()
        processes = import_processes()
        out(f"  {rows:,} new reviews in {processes} processes: {seconds:.1f} s, {rows / seconds:.0f} reviews/s "
            f"({run.created_count:,} new, {run.drafted_count:,} drafted, {run.escalated_count:,} escalated); "
            f"peak memory {_peak_mb():.0f} MB here, {_helpers_peak_mb():.0f} MB in a helper "
            f"({loaded:.0f} MB with the models loaded)")
        if self.one_process_rows:
            count = self.one_process_rows
            seconds, _ = self._import(reviews_csv(count, seed + 3, "alone", self.named), "alone.csv", processes=1)
            out(f"  reference, same run: {count:,} other new reviews in one process: {seconds:.1f} s, "
                f"{count / seconds:.0f} reviews/s")

        again = b"".join(main.splitlines(keepends=True)[: reimport_rows + 1])
        seconds, _ = self._import(again, "again.csv")
        run = ImportRun.objects.order_by("-pk").first()
        out(f"  re-import of {reimport_rows:,} unchanged rows: {seconds:.2f} s, {reimport_rows / seconds:,.0f} rows/s "
            f"({run.unchanged_count:,} unchanged)")

        if large_rows:
            seconds, progress = self._import(reviews_csv(large_rows, seed + 2, "large", self.named), "large.csv",
                                            every=1.0)
            out(f"  {large_rows:,} new reviews: {seconds:.0f} s, {large_rows / seconds:.0f} reviews/s overall; "
                f"{self._slices(progress, large_rows)}; peak memory {_peak_mb():.0f} MB")

        if reference_rows:
            out(f"  reference, same run: {self._reference(main, reference_rows):.0f} reviews/s for drafting alone "
                f"on {reference_rows:,} of these reviews (topics, then guard checks until a draft passes, in "
                "batches of 64; no database, no parse kept between checks)")

    def _import(self, data: bytes, name: str, every: float = 0,
                processes: int | None = None) -> tuple[float, list[tuple[float, str]]]:
        path = self.folder / f"import-bench-{name}"
        path.write_bytes(data)
        stderr = _TimedLines()
        try:
            started = time.perf_counter()
            call_command("import_reviews", str(path), "--location", str(self.location.pk), "--platform", "google",
                         "--progress-every", str(every), *(["--processes", str(processes)] if processes else []),
                         stdout=io.StringIO(), stderr=stderr)
            seconds = time.perf_counter() - started
        finally:
            path.unlink(missing_ok=True)
        return seconds, [(at - started, line) for at, line in stderr.lines]

    @staticmethod
    def _slices(progress: list[tuple[float, str]], total: int) -> str:
        """Rates over the first and the last tenth of the file (to the nearest progress lines)."""
        points = [(0.0, 0)]
        for seconds, line in progress:
            match = re.match(r"([\d,]+) of", line)
            if match:
                points.append((seconds, int(match.group(1).replace(",", ""))))
        first_end = next((p for p in points if p[1] >= total // 10), points[-1])
        last_start = [p for p in points if p[1] <= total - total // 10][-1]

        def rate(start: tuple[float, int], end: tuple[float, int]) -> str:
            return f"{(end[1] - start[1]) / (end[0] - start[0]):.0f}/s" if end[0] > start[0] else "n/a"

        return f"first tenth {rate(points[0], first_end)}, last tenth {rate(last_start, points[-1])}"

    def _reference(self, data: bytes, count: int) -> float:
        from phi_guard.parse_cache import ParsedReplies
        from phi_guard.service import _engine
        from responses.drafting import drafts_for_reviews
        from responses.drafting.compose import ReviewInput
        from responses.drafting.drafts import drafting_for

        rows = list(csv.DictReader(io.StringIO(data.decode())))[:count]
        reviews = [ReviewInput(identity=f"google:{r['external_id']}", author_name=r["author_name"],
                               rating=int(r["rating"]), text=r["text"]) for r in rows]
        drafting = drafting_for(self.location.practice, self.location)
        engine = _engine()
        kept, engine.parsed = engine.parsed, ParsedReplies(engine.nlp_engine, "en", capacity=0)
        try:
            started = time.perf_counter()
            for start in range(0, len(reviews), 64):
                drafts_for_reviews(reviews[start:start + 64], **drafting)
            return len(reviews) / (time.perf_counter() - started)
        finally:
            engine.parsed = kept
