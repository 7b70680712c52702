"""python manage.py import_reviews FILE --location ID: the file import, from the command line."""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from responses.intake import reviews_import
from responses.models import ImportRun, Location, Platform


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def _progress_printer(write, every_seconds: float):
    """A progress callback writing "rows of total, rate" at most every `every_seconds` (a file imported faster
    than that prints nothing), and once more at the end if it printed before."""
    started = time.monotonic()
    printed = {"last": started, "any": False}

    def show(run: ImportRun) -> None:
        if every_seconds <= 0 or not run.total_rows:
            return
        now = time.monotonic()
        finished = run.processed_rows >= run.total_rows
        if now - printed["last"] < every_seconds and not (finished and printed["any"]):
            return
        printed["last"], printed["any"] = now, True
        rate = run.processed_rows / max(now - started, 1e-9)
        write(f"{run.processed_rows:,} of {run.total_rows:,} rows ({100 * run.processed_rows // run.total_rows}%), "
              f"{rate:,.0f} rows/s; {run.created_count:,} new, {run.drafted_count:,} drafted")

    return show


class Command(BaseCommand):
    help = (
        "Import reviews from a CSV, JSON or JSONL file (or Google Business Profile's review JSON) into a "
        "location. Prints the counts and each rejected line with its reason. Exits 0 even when rows were "
        "rejected, 1 when the file cannot be read or the location does not exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the file, or - for standard input")
        parser.add_argument("--location", type=int, required=True, help="id of the location the reviews are for")
        parser.add_argument(
            "--platform", choices=Platform.values, default="",
            help="platform of rows that do not name one (e.g. a Yelp export without a platform column)",
        )
        parser.add_argument(
            "--format", choices=("csv", "json", "jsonl"), default="",
            help="the file's format when its name does not say (and always for -)",
        )
        parser.add_argument(
            "--progress-every", type=float, default=5.0, metavar="SECONDS",
            help="print progress (rows done of the file's rows, rows/s) to stderr this often; 0 for never",
        )
        parser.add_argument(
            "--processes", type=int, default=None, metavar="N",
            help="processes to draft in: this one and N-1 forked helpers (default: IMPORT_PROCESSES, one per core)",
        )

    def handle(self, *args, file: str, location: int, platform: str, format: str, progress_every: float,
               processes: int | None, **options):
        target = Location.objects.select_related("practice").filter(pk=location).first()
        if target is None:
            raise CommandError(f"There is no location with id {location}.")
        if file == "-":
            data, name = sys.stdin.buffer.read(), "stdin"
        else:
            try:
                data, name = Path(file).read_bytes(), Path(file).name
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        if processes is not None and processes < 1:
            raise CommandError("--processes must be 1 or more.")
        if format:
            name = f"{Path(name).stem}.{format}"
        # Stopped with SIGTERM (or Ctrl-C), the import ends its run as failed instead of leaving it "running";
        # a SIGKILL leaves that to the watchdog (responses.intake.import_runs_recover).
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            run = reviews_import(location=target, actor=None, filename=name, data=data, default_platform=platform,
                                 progress=_progress_printer(self.stderr.write, progress_every), processes=processes)
        finally:
            signal.signal(signal.SIGTERM, previous)
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(f"Import #{run.pk} of {name} failed: {run.failure_reason}")
        self.stdout.write(
            f"Import #{run.pk} of {name} into {target.practice} · {target}: {run.created_count} new, "
            f"{run.updated_count} updated, {run.unchanged_count} unchanged, "
            f"{run.rejected_count} rejected."
        )
        for error in run.errors:
            if error.get("warning"):
                self.stderr.write(f"warning: {error['reason']}")
            elif "more" in error:
                self.stdout.write(f"  {error['reason']}")
            else:
                self.stdout.write(f"  line {error['line']}: {error['reason']}")
