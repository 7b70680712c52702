"""phi_train: build the reply classifier from the training batches, choosing how it combines with the rules
by cross-validation over folds of whole batches. Deterministic: the same data gives the same artifact."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from phi_guard import training
from phi_guard.icd import icd_terms_build
from phi_guard.service import guard_classifier_path, guard_model_name


class Command(BaseCommand):
    requires_system_checks = []  # data in, artifact out: no database
    help = "Train the PHI guard's reply classifier on the training batches (tests/phi_guard/data/splits.json)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="artifact path (default: the PHI_GUARD_CLASSIFIER setting)")
        parser.add_argument("--quiet", action="store_true", help="print only the artifact line")

    def handle(self, *args, **options):
        output = Path(options["output"]) if options["output"] else guard_classifier_path()
        # The rules read the ICD-10-CM condition list, so it is extracted before the classifier learns from them.
        conditions = icd_terms_build()
        report = training.train(model_name=guard_model_name(), output=output)
        if not options["quiet"]:
            for line in report.lines:
                self.stdout.write(line)
        self.stdout.write(f"classifier {output} sha256={report.sha256[:12]} "
                          f"({report.sentences} sentences from {report.batches} batches; "
                          f"{conditions} ICD-10-CM condition words)")
