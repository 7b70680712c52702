"""phi_check: audit replies in bulk. JSONL in ({"id", "text", "reviewer_name"?, "review"?}), JSONL verdicts out."""
from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from phi_guard.batch import chunks, error_record, read_lines
from phi_guard.management.commands._practice import load_practice
from phi_guard.service import guard_check_many, guard_rewrite

CHUNK = 256


class Command(BaseCommand):
    requires_system_checks = []  # text in, text out: no database, no URLs
    help = "Check replies (JSONL, one {\"id\", \"text\", ...} per line) against the PHI policy; writes JSONL verdicts."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice profile JSON")
        parser.add_argument("file", nargs="?", default="-", help="JSONL input, or - for stdin (default)")
        parser.add_argument("--no-rewrite", action="store_true", help="omit safe_rewrite for blocked replies")

    def handle(self, *args, **options):
        practice = load_practice(options["practice"])
        try:
            stream = sys.stdin if options["file"] == "-" else open(options["file"], encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror or exc}") from exc
        try:
            for chunk in chunks(read_lines(stream), CHUNK):
                good = [line for line in chunk if line.item is not None]
                verdicts = iter(guard_check_many([line.item for line in good], practice=practice))
                for line in chunk:
                    if line.item is None:
                        self.stdout.write(json.dumps(error_record(line)))
                        continue
                    verdict = next(verdicts)
                    record = {"id": line.id, "blocked": verdict.blocked,
                              "findings": [finding.to_dict() for finding in verdict.findings]}
                    if verdict.error:
                        record["error"] = verdict.error
                    elif verdict.blocked and not options["no_rewrite"]:
                        record["safe_rewrite"] = guard_rewrite(line.item.text, practice=practice,
                                                               review=line.item.review,
                                                               reviewer_name=line.item.reviewer_name)
                    self.stdout.write(json.dumps(record, ensure_ascii=False))
        except UnicodeDecodeError as exc:
            raise CommandError(f"cannot read {options['file']}: not UTF-8 text") from exc
        finally:
            if stream is not sys.stdin:
                stream.close()
