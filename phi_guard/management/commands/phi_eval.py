"""phi_eval: score the guard on a labelled JSONL corpus, or on a split of the repo's batches, and list what it
got wrong (for held-out splits only when asked: looking at held-out misses is how they stop being held out)."""
from __future__ import annotations

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from phi_guard.batch import read_lines
from phi_guard.corpus import load_split, review_of, splits
from phi_guard.evaluation import score
from phi_guard.management.commands._practice import load_practice
from phi_guard.service import GuardInput, guard_check_many


class Command(BaseCommand):
    requires_system_checks = []  # text in, text out: no database, no URLs
    help = ("Recall on unsafe and false-block rate on safe replies (borderline excluded), per category and "
            "language: a JSONL file with --practice, or a split of tests/phi_guard/data with --split.")

    def add_arguments(self, parser):
        parser.add_argument("--practice", help="practice profile JSON (with a file)")
        parser.add_argument("--split", help=f"{', '.join(splits())} (tests/phi_guard/data/splits.json)")
        parser.add_argument("--show-misses", action="store_true",
                            help="list misses and false blocks (always for a file and the train split)")
        parser.add_argument("file", nargs="?", help="labelled JSONL (id, text, review, reviewer_name, label, ...)")

    def handle(self, *args, **options):
        if options["split"]:
            if options["split"] not in splits():
                raise CommandError(f"unknown split {options['split']!r} (known: {', '.join(splits())})")
            show = options["show_misses"] or options["split"] == "train"
            groups = [(batch.name, batch.practice, list(batch.examples)) for batch in load_split(options["split"])]
        else:
            if not options["file"] or not options["practice"]:
                raise CommandError("give a JSONL file and --practice, or --split")
            show = True
            groups = [(options["file"], load_practice(options["practice"]), self._read(options["file"]))]
        every_example, every_verdict = [], []
        for name, practice, examples in groups:
            verdicts = guard_check_many([GuardInput(e["text"], review_of(e), e.get("reviewer_name") or "")
                                         for e in examples], practice=practice)
            every_example += examples
            every_verdict += verdicts
            if len(groups) > 1:
                result = score(examples, verdicts)
                self.stdout.write(f"{name:<18} recall {result.caught}/{result.unsafe} = {result.recall:.3f}, "
                                  f"false blocks {result.false_blocks}/{result.safe} = {result.false_block_rate:.3f}")
        self._report(every_example, every_verdict, show)

    def _read(self, path: str) -> list[dict]:
        try:
            with open(path, encoding="utf-8") as stream:
                lines = list(read_lines(stream))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        for line in lines:
            if line.item is None:
                self.stderr.write(f"line {line.number}: {line.error} (skipped)")
        return [line.data for line in lines if line.item is not None]

    def _report(self, examples: list[dict], verdicts: list, show: bool) -> None:
        out = self.stdout.write
        result = score(examples, verdicts)
        errors = sum(bool(v.error) for v in verdicts)
        out(f"examples: {len(examples)} scored: {result.unsafe} unsafe, {result.safe} safe; "
            f"{result.borderline} borderline excluded" + (f"; {errors} refused unread" if errors else ""))
        out(f"recall on unsafe:        {result.recall:.3f} ({result.caught}/{result.unsafe})")
        out(f"false-block rate (safe): {result.false_block_rate:.3f} ({result.false_blocks}/{result.safe})")
        out("per category (unsafe items labelled with it): blocked, and flagged in that category")
        for category, (total, blocked, flagged) in result.per_category.items():
            if total:
                out(f"  {category:<16} {blocked}/{total} blocked ({blocked / total:.3f}), "
                    f"{flagged}/{total} flagged as {category}")
        by_language = defaultdict(lambda: ([], []))
        for example, verdict in zip(examples, verdicts):
            by_language[example.get("language") or "en"][0].append(example)
            by_language[example.get("language") or "en"][1].append(verdict)
        if len(by_language) > 1:
            out("per language:")
            for code, (subset, subset_verdicts) in sorted(by_language.items()):
                part = score(subset, subset_verdicts)
                out(f"  {code:<3} recall {part.caught}/{part.unsafe} = {part.recall:.3f}, "
                    f"false blocks {part.false_blocks}/{part.safe} = {part.false_block_rate:.3f}")
        if not show:
            out("(misses and false blocks of a held-out split are not listed; --show-misses lists them)")
            return
        out(f"misses ({len(result.misses)}):")
        for example_id, categories, text in result.misses:
            out(f"  {example_id} [{', '.join(categories)}] {text}")
        out(f"false blocks ({len(result.false_positives)}):")
        for example_id, categories, text in result.false_positives:
            out(f"  {example_id} [{', '.join(categories)}] {text}")
