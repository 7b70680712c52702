"""python manage.py phi_rescan [--practice ID] [--inline]: re-check posted replies with the current PHI guard."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from responses.compliance.models import GuardScan
from responses.compliance.rescan import ScanRefused, guard_scan_run, guard_scan_start
from responses.models import Practice


class Command(BaseCommand):
    help = (
        "Re-check every public reply not yet checked by the current guard version (engine, model, classifier, "
        "vocabulary, practice terms) in the Celery worker; a reply the guard now blocks opens an incident. "
        "--inline runs the scan in this process and prints its progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practice", type=int, help="only this practice's id (default: every practice)")
        parser.add_argument("--inline", action="store_true", help="run here instead of in the worker")

    def handle(self, *args, practice: int | None, inline: bool, **options):
        practices = Practice.objects.order_by("pk")
        if practice is not None:
            practices = practices.filter(pk=practice)
            if not practices.exists():
                raise CommandError(f"No practice has id {practice}.")
        for each in practices:
            if inline:
                scan = GuardScan.objects.create(practice=each, trigger="command")
                scan = guard_scan_run(scan=scan)
                self.stdout.write(
                    f"practice {each.pk}: {scan.status}, {scan.processed}/{scan.total} re-checked, "
                    f"{scan.blocked_count} now blocked (incidents opened){'; ' + scan.failure_reason if scan.failure_reason else ''}"
                )
                continue
            try:
                scan = guard_scan_start(practice=each, trigger="command")
            except ScanRefused as exc:
                self.stdout.write(f"practice {each.pk}: {exc}")
                continue
            self.stdout.write(f"practice {each.pk}: scan #{scan.pk} queued for the worker (progress: /compliance)")
