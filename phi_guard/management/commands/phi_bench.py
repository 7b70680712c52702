"""phi_bench: speed and memory of the guard against stock Presidio, on the dev set repeated to ~1,000 drafts."""
from __future__ import annotations

import json
import logging
import resource
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from phi_guard.encoder import get_encoder
from phi_guard.profile import PracticeProfile
from phi_guard.service import GuardInput, guard_check, guard_check_many, guard_model_name, guard_rewrite


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


class Command(BaseCommand):
    requires_system_checks = []
    help = "Drafts/second and ms per draft (p50, p95) for the guard and for stock Presidio, their ratio, peak memory."

    def add_arguments(self, parser):
        corpus = Path(settings.BASE_DIR).parent / "shared" / "corpus"
        parser.add_argument("--corpus", default=str(corpus / "guard_dev.jsonl"))
        parser.add_argument("--practice", default=str(corpus / "practice.json"))
        parser.add_argument("--drafts", type=int, default=1000)

    def handle(self, *args, **options):
        try:
            examples = [json.loads(line) for line in Path(options["corpus"]).read_text().splitlines() if line.strip()]
            practice = PracticeProfile.from_json_file(options["practice"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        items = [GuardInput(e["text"], e.get("review", ""), e.get("reviewer_name", "")) for e in examples]
        items = (items * (options["drafts"] // len(items) + 1))[: options["drafts"]]
        model = guard_model_name()
        out = self.stdout.write

        started = time.perf_counter()
        if guard_check("warm-up", practice=practice).error:
            raise CommandError("the guard could not load; see guard_status()")
        out(f"model: {model}; drafts: {len(items)}; guard load: {time.perf_counter() - started:.2f} s; "
            f"RSS with the guard loaded: {_rss_mb():.0f} MB")

        # The repeated drafts, where a batch analyses equal items once (phi_guard.parse_cache; the dev set repeats
        # each reply about nine times), then each distinct reply once (what a new draft costs; median of 3 rounds).
        started = time.perf_counter()
        guard_check_many(items, practice=practice)
        guard_batch = time.perf_counter() - started
        distinct = list(dict.fromkeys(items))
        rounds = []
        # The sentence encoder remembers the vectors of the last sentences and reviews it read (the live check re-reads
        # a draft and its review); a new draft is new text, so every timed round and call starts without them.
        forget_vectors = get_encoder().forget
        for _ in range(3):
            forget_vectors()
            started = time.perf_counter()
            guard_check_many(distinct, practice=practice)
            rounds.append((time.perf_counter() - started) / len(distinct))
        guard_distinct = statistics.median(rounds)
        guard_single = []
        for item in items:
            forget_vectors()
            t = time.perf_counter()
            guard_check(item.text, practice=practice, review=item.review, reviewer_name=item.reviewer_name)
            guard_single.append(time.perf_counter() - t)

        guard_rss = _rss_mb()
        rewrites, checks = [], []
        for item in items[:200]:
            t = time.perf_counter()
            verdict = guard_check(item.text, practice=practice, review=item.review, reviewer_name=item.reviewer_name)
            checks.append(time.perf_counter() - t)
            if verdict.blocked and not verdict.error:
                t = time.perf_counter()
                guard_rewrite(item.text, practice=practice, review=item.review, reviewer_name=item.reviewer_name)
                rewrites.append(time.perf_counter() - t)

        stock = self._stock_analyzer(model)
        stock.analyze("warm-up", language="en")
        stock_single = []
        for item in items:
            t = time.perf_counter()
            stock.analyze(item.text, language="en")
            stock_single.append(time.perf_counter() - t)
        stock_total = sum(stock_single)

        def line(name, total, singles=None):
            text = f"{name:<30} {len(items) / total:8.1f} drafts/s   mean {total / len(items) * 1000:6.2f} ms"
            if singles:
                ms = [s * 1000 for s in singles]
                text += f"   p50 {_percentile(ms, 50):6.2f} ms   p95 {_percentile(ms, 95):6.2f} ms"
            out(text)

        line("guard, batched, repeats shared", guard_batch)
        line("guard, batched, each text once", guard_distinct * len(items))
        line("guard, one call per draft", sum(guard_single), guard_single)
        line("stock Presidio, one per draft", stock_total, stock_single)
        stock_mean = stock_total / len(items)
        out(f"ratio guard/stock: batched, each text once {guard_distinct / stock_mean:.2f}; batched with repeats "
            f"shared {guard_batch / stock_total:.2f}; one at a time {sum(guard_single) / stock_total:.2f}")
        if rewrites:
            out(f"safe rewrite: mean {statistics.mean(rewrites) * 1000:.1f} ms on {len(rewrites)} blocked drafts = "
                f"{statistics.mean(rewrites) / statistics.mean(checks):.1f}x one check")
        out(f"peak memory (max RSS) with the guard alone: {guard_rss:.0f} MB; "
            f"with stock Presidio loaded beside it: {_rss_mb():.0f} MB")

    @staticmethod
    def _stock_analyzer(model: str):
        """AnalyzerEngine() with its default recognizers, on the same spaCy model, offline."""
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        from phi_guard.offline import use_bundled_suffix_list

        use_bundled_suffix_list()
        # Stock Presidio warns once per unmapped spaCy label per draft; that is noise here, not a finding.
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        provider = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
        return AnalyzerEngine(nlp_engine=provider.create_engine())
