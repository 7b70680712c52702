"""phi_eval: score the guard on a labelled JSONL corpus and list what it got wrong."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from phi_guard.batch import read_lines
from phi_guard.evaluation import score
from phi_guard.management.commands._practice import load_practice
from phi_guard.service import guard_check_many


class Command(BaseCommand):
    requires_system_checks = []  # text in, text out: no database, no URLs
    help = "Recall on unsafe and false-block rate on safe replies (borderline excluded), per category, with misses."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice profile JSON")
        parser.add_argument("file", help="labelled JSONL (id, text, review, reviewer_name, label, borderline, categories)")

    def handle(self, *args, **options):
        practice = load_practice(options["practice"])
        try:
            with open(options["file"], encoding="utf-8") as stream:
                lines = list(read_lines(stream))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        for line in lines:
            if line.item is None:
                self.stderr.write(f"line {line.number}: {line.error} (skipped)")
        good = [line for line in lines if line.item is not None]
        verdicts = guard_check_many([line.item for line in good], practice=practice)
        errors = sum(bool(v.error) for v in verdicts)
        result = score([line.data for line in good], verdicts)
        out = self.stdout.write
        out(f"examples: {len(good)} scored: {result.unsafe} unsafe, {result.safe} safe; "
            f"{result.borderline} borderline excluded" + (f"; {errors} guard errors" if errors else ""))
        out(f"recall on unsafe:        {result.recall:.3f} ({result.caught}/{result.unsafe})")
        out(f"false-block rate (safe): {result.false_block_rate:.3f} ({result.false_blocks}/{result.safe})")
        out("per category (unsafe items labelled with it): blocked, and flagged in that category")
        for category, (total, blocked, flagged) in result.per_category.items():
            if total:
                out(f"  {category:<16} {blocked}/{total} blocked ({blocked / total:.3f}), "
                    f"{flagged}/{total} flagged as {category}")
        out(f"misses ({len(result.misses)}):")
        for example_id, categories, text in result.misses:
            out(f"  {example_id} [{', '.join(categories)}] {text}")
        out(f"false blocks ({len(result.false_positives)}):")
        for example_id, categories, text in result.false_positives:
            out(f"  {example_id} [{', '.join(categories)}] {text}")
