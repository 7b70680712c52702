"""Training the reply classifier and choosing how it combines with the rules (phi_train).

Only the batches listed under "train" in tests/phi_guard/data/splits.json are read here;
held-out batches are for phi_eval alone. The combination (classifier.Decision) is chosen on
cross-validated predictions in which every batch is scored by a model that never saw it (whole batches
form FOLDS folds), so it is tuned to wording the model had not seen, and a missed disclosure weighs MISS_COST
times a wrongly blocked safe reply.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from phi_guard.classifier import GATE, TRAINING_BAND, Decision, ReplyClassifier, TrainingSentence, encoder_block
from phi_guard.corpus import DATA_DIR, Batch, load_batch, load_split, sentence_labels
from phi_guard.encoder import get_encoder
from phi_guard.service import GuardInput

MISS_COST = 3.0
# Whole batches per fold: one model per batch (leave-one-batch-out) cost a fit per batch, and the corpus keeps
# growing; with eight folds each model still trains on seven eighths of the batches and never sees the one it scores.
FOLDS = 8
# Never dropped by the classifier, whatever it thinks of the sentence: a contact detail or number that is
# not the practice's is the reviewer's, and a surname the reviewer did not show is their full name.
ALWAYS_HARD = ("PHONE_NUMBER", "EMAIL_ADDRESS", "ACCOUNT_NUMBER", "REVIEWER_NAME")
HARD_PRECISION = 0.95
HARD_MIN_ITEMS = 5
BLOCK_GRID = tuple(round(0.20 + 0.025 * i, 3) for i in range(29))  # 0.20 .. 0.90
KEEP_GRID = tuple(round(0.025 * i, 3) for i in range(25))  # 0.00 .. 0.60


@dataclass
class Row:
    batch: str
    example: dict
    analysis: object  # engine.Analysis (or an Exception: counts as blocked)
    labels: list


@dataclass
class Report:
    sha256: str = ""
    sentences: int = 0
    batches: int = 0
    lines: list[str] = field(default_factory=list)


def collect(engine, batches: list[Batch]) -> list[Row]:
    rows = []
    for batch in batches:
        items = [GuardInput(e["text"], e["review"], e.get("reviewer_name") or "") for e in batch.examples]
        for example, analysis in zip(batch.examples, engine.analyze_many(items, batch.practice)):
            labels = [] if isinstance(analysis, Exception) else sentence_labels(example, analysis.sentences)
            rows.append(Row(batch.name, example, analysis, labels))
    return rows


def _workers(jobs: int) -> int:
    return max(1, min(jobs, os.cpu_count() or 1))


def _pool(jobs: int) -> ProcessPoolExecutor:
    """Processes forked from this one, so each starts with the engine already built."""
    return ProcessPoolExecutor(max_workers=_workers(jobs), mp_context=multiprocessing.get_context("fork"))


def _collect_batch(job: tuple[str, str, Path]) -> list[Row]:
    from phi_guard.engine import get_engine

    model_name, name, data_dir = job
    return collect(get_engine(model_name), [load_batch(name, data_dir)])


def collect_all(model_name: str, names: list[str], data_dir: Path) -> list[Row]:
    """collect() over the named batches, one process per core (an analysis does not depend on where it is made)."""
    from phi_guard.engine import get_engine

    engine = get_engine(model_name)  # rules only: the classifier is what is being built
    if _workers(len(names)) == 1:
        return collect(engine, [load_batch(name, data_dir) for name in names])
    with _pool(len(names)) as pool:
        jobs = [(model_name, name, data_dir) for name in names]
        return [row for rows in pool.map(_collect_batch, jobs) for row in rows]


def training_sentences(rows: list[Row]) -> list[TrainingSentence]:
    sentences = []
    for index, row in enumerate(rows):
        if isinstance(row.analysis, Exception):
            continue
        categories = tuple(row.example.get("categories") or ())
        for position, (view, label) in enumerate(zip(row.analysis.sentences, row.labels)):
            if label is not None:
                sentences.append(TrainingSentence(view.features, row.analysis.review, label,
                                                  categories if label else (), row.batch, (index, position)))
    return sentences


def hard_types(rows: list[Row]) -> tuple[str, ...]:
    """Rule entity types that (almost) only ever fire in unsafe replies: the classifier may not overrule them."""
    fired_safe, fired_unsafe = Counter(), Counter()
    for row in rows:
        if isinstance(row.analysis, Exception) or row.example.get("borderline"):
            continue
        types = {finding.entity_type for finding in row.analysis.rule_findings}
        (fired_unsafe if row.example.get("label") == "unsafe" else fired_safe).update(types)
    hard = set(ALWAYS_HARD)
    for entity_type in set(fired_safe) | set(fired_unsafe):
        total = fired_safe[entity_type] + fired_unsafe[entity_type]
        if total >= HARD_MIN_ITEMS and fired_unsafe[entity_type] / total >= HARD_PRECISION:
            hard.add(entity_type)
    return tuple(sorted(hard))


def blocked(analysis, probabilities, decision: Decision) -> bool:
    """The engine's decision (Analysis.standing) reduced to blocked or not, for tuning."""
    if isinstance(analysis, Exception) or analysis.unreadable:
        return True
    return any(True for _ in analysis.standing(probabilities, decision))


def score_rows(rows: list[Row], probabilities: dict[int, list[float]], decision: Decision) -> tuple[int, int, int, int]:
    """(unsafe, caught, safe, false blocks) over rows, borderline excluded."""
    unsafe = caught = safe = false_blocks = 0
    for index, row in enumerate(rows):
        if row.example.get("borderline"):
            continue
        is_blocked = blocked(row.analysis, probabilities.get(index, []), decision)
        if row.example.get("label") == "unsafe":
            unsafe, caught = unsafe + 1, caught + is_blocked
        else:
            safe, false_blocks = safe + 1, false_blocks + is_blocked
    return unsafe, caught, safe, false_blocks


@dataclass
class Scorer:
    """score_rows for many decisions over the same rows and probabilities (choose_decision tries ~1,500): each row
    reduced once to what a decision can change. A row is blocked whatever the decision (`always`: unreadable, an
    error, a hard or pinned finding, a finding outside every sentence, a sentence strict mode refuses); otherwise
    it is blocked when the highest probability of its sentences not approved reaches `block`, or the highest
    probability of the sentences holding a soft finding of a type reaches that type's `keep`. The same reading of
    Analysis.standing as blocked(); a test compares the two."""

    always: np.ndarray
    block_max: np.ndarray
    type_max: dict[str, np.ndarray]
    unsafe: np.ndarray  # scored unsafe rows
    safe: np.ndarray  # scored safe rows

    @classmethod
    def build(cls, rows: list[Row], probabilities: dict[int, list[float]], hard: tuple[str, ...]) -> Scorer:
        count = len(rows)
        always = np.zeros(count, dtype=bool)
        block_max = np.full(count, -np.inf)
        type_max: dict[str, np.ndarray] = {}
        labels = [None if row.example.get("borderline") else row.example.get("label") for row in rows]
        for index, row in enumerate(rows):
            analysis = row.analysis
            if isinstance(analysis, Exception) or analysis.unreadable:
                always[index] = True
                continue
            placed = set()
            for view, probability in zip(analysis.sentences, probabilities.get(index, [])):
                for finding in analysis.rule_findings:
                    if not (finding.start < view.end and view.start < finding.end):
                        continue
                    placed.add(id(finding))
                    if finding.entity_type in hard or analysis.is_pinned(finding):
                        always[index] = True
                    else:
                        scores = type_max.setdefault(finding.entity_type, np.full(count, -np.inf))
                        scores[index] = max(scores[index], probability)
                if analysis.strict and not view.approved:
                    always[index] = True
                elif not view.approved:
                    block_max[index] = max(block_max[index], probability)
            if any(id(finding) not in placed for finding in analysis.rule_findings):
                always[index] = True
        return cls(always=always, block_max=block_max, type_max=type_max,
                   unsafe=np.array([label == "unsafe" for label in labels]),
                   safe=np.array([label is not None and label != "unsafe" for label in labels]))

    def blocked(self, decision: Decision) -> np.ndarray:
        blocked = self.always | (self.block_max >= decision.block)
        for entity_type, scores in self.type_max.items():
            blocked |= scores >= decision.keep.get(entity_type, 0.0)
        return blocked

    def score(self, decision: Decision) -> tuple[int, int, int, int]:
        """(unsafe, caught, safe, false blocks), as score_rows."""
        blocked = self.blocked(decision)
        return (int(self.unsafe.sum()), int((blocked & self.unsafe).sum()), int(self.safe.sum()),
                int((blocked & self.safe).sum()))


def cost(counts: tuple[int, int, int, int]) -> float:
    unsafe, caught, safe, false_blocks = counts
    return MISS_COST * (unsafe - caught) / max(unsafe, 1) + false_blocks / max(safe, 1)


def batch_folds(batches: list[str], folds: int = FOLDS) -> list[set[str]]:
    """The batches dealt round-robin, in name order, into at most `folds` folds."""
    names = sorted(set(batches))
    return [set(names[start::folds]) for start in range(min(folds, len(names)))]


def _fold_model(sentences: list[TrainingSentence]) -> ReplyClassifier:
    return ReplyClassifier.train(sentences, decision=Decision(block=1.0, keep={}, hard=()))


def _fold_joint(job: tuple[ReplyClassifier, list[TrainingSentence], dict[int, np.ndarray], str]) -> ReplyClassifier:
    model, sentences, vectors, encoder = job
    model.fit_joint(sentences, vectors, encoder=encoder)
    return model


def _map(function, jobs: list) -> list:
    """function over jobs, side by side, one process per core (each fit is deterministic, so the result does not
    depend on it)."""
    if _workers(len(jobs)) > 1:
        with _pool(len(jobs)) as pool:
            return list(pool.map(function, jobs))
    return [function(job) for job in jobs]


@dataclass
class CrossValidation:
    """Each batch's sentences scored by models trained only on the batches of the other folds: first the n-grams'
    probabilities, then the joint model's for the sentences in classifier.GATE (as GuardEngine.check_many)."""

    rows: list[Row]
    sentences: list[TrainingSentence]
    folds: list[set[str]] = field(default_factory=list)
    models: list[ReplyClassifier] = field(default_factory=list)
    probabilities: dict[int, list[float]] = field(default_factory=dict)

    def score_ngrams(self) -> dict[int, list[float]]:
        self.folds = batch_folds([row.batch for row in self.rows])
        training_sets = [[s for s in self.sentences if s.group not in fold] for fold in self.folds]
        self.models = _map(_fold_model, training_sets)
        for fold, model in zip(self.folds, self.models):
            for index, row in enumerate(self.rows):
                if row.batch in fold and not isinstance(row.analysis, Exception):
                    self.probabilities[index] = list(model.probabilities(row.analysis.classifier_inputs()))
        return self.probabilities

    def within(self, band: tuple[float, float]) -> list[tuple[int, int]]:
        """(row, sentence) of every sentence whose n-gram probability lies in `band`."""
        return [(index, position) for index, scores in sorted(self.probabilities.items())
                for position, probability in enumerate(scores) if band[0] <= probability <= band[1]]

    def score_joint(self, vectors: dict[tuple[int, int], np.ndarray], encoder: str) -> dict[int, list[float]]:
        """Fit each fold's joint model on its training sentences, with the encoder's `vectors` where a sentence has
        them (classifier.TRAINING_BAND), and score the fold's sentences in classifier.GATE with it."""
        gate = set(self.within(GATE))
        jobs = []
        for fold, model in zip(self.folds, self.models):
            training_set = [s for s in self.sentences if s.group not in fold]
            jobs.append((model, training_set, sentence_vectors(training_set, vectors), encoder))
        self.models = _map(_fold_joint, jobs)
        for fold, model in zip(self.folds, self.models):
            for index, row in enumerate(self.rows):
                places = [(index, p) for p in range(len(self.probabilities.get(index, ()))) if (index, p) in gate]
                if row.batch not in fold or not places:
                    continue
                inputs = row.analysis.classifier_inputs()
                refined = model.refined([inputs[p] for _, p in places], np.array([vectors[place] for place in places]))
                for (_, position), probability in zip(places, refined):
                    self.probabilities[index][position] = probability
        return self.probabilities


def sentence_vectors(sentences: list[TrainingSentence], vectors: dict[tuple[int, int], np.ndarray]
                     ) -> dict[int, np.ndarray]:
    return {i: vectors[s.place] for i, s in enumerate(sentences) if s.place in vectors}


def encode(rows: list[Row], places: list[tuple[int, int]], encoder) -> dict[tuple[int, int], np.ndarray]:
    """encoder_block() of each (row, sentence) in `places` and its row's review."""
    sentence_texts = [rows[index].analysis.sentences[position].text for index, position in places]
    reviews = sorted({rows[index].analysis.review_text for index, _ in places})
    unique = sorted(set(sentence_texts))
    encoded = dict(zip(unique, encoder.encode(unique)))
    review_vectors = dict(zip(reviews, encoder.encode(reviews)))
    return {place: encoder_block(encoded[text][None, :], review_vectors[rows[place[0]].analysis.review_text])[0]
            for place, text in zip(places, sentence_texts)}


def choose_decision(rows: list[Row], probabilities: dict[int, list[float]], hard: tuple[str, ...]) -> Decision:
    """Coordinate descent over the block threshold and each soft entity type's keep threshold, lowest cost
    wins (ties keep the more cautious, earlier value)."""
    soft = sorted({finding.entity_type for row in rows if not isinstance(row.analysis, Exception)
                   for finding in row.analysis.rule_findings} - set(hard))
    scorer = Scorer.build(rows, probabilities, hard)
    decision = Decision(block=BLOCK_GRID[-1], keep={entity_type: 0.0 for entity_type in soft}, hard=hard)
    best_cost = cost(scorer.score(decision))
    for _ in range(3):
        improved = False
        for block in BLOCK_GRID:
            candidate = Decision(block=block, keep=decision.keep, hard=hard)
            value = cost(scorer.score(candidate))
            if value < best_cost - 1e-9:
                decision, best_cost, improved = candidate, value, True
        for entity_type in soft:
            for keep in KEEP_GRID:
                candidate = Decision(block=decision.block, keep={**decision.keep, entity_type: keep}, hard=hard)
                value = cost(scorer.score(candidate))
                if value < best_cost - 1e-9:
                    decision, best_cost, improved = candidate, value, True
        if not improved:
            break
    return decision


def train(*, model_name: str, output: Path, data_dir: Path = DATA_DIR) -> Report:
    batches = load_split("train", data_dir)
    rows = collect_all(model_name, [batch.name for batch in batches], data_dir)
    sentences = training_sentences(rows)
    hard = hard_types(rows)
    encoder = get_encoder()
    validation = CrossValidation(rows, sentences)
    validation.score_ngrams()
    # Encoded: the labelled sentences in the band, which teach the joint model (the rest of an unsafe reply teaches
    # nothing), and every sentence in the gate, which it scores.
    labelled = {sentence.place for sentence in sentences}
    learned = [place for place in validation.within(TRAINING_BAND) if place in labelled]
    gated = validation.within(GATE)
    vectors = encode(rows, sorted(set(learned) | set(gated)), encoder)
    probabilities = validation.score_joint(vectors, encoder.name)
    decision = choose_decision(rows, probabilities, hard)
    report = Report(sentences=len(sentences), batches=len(batches))
    keep = ", ".join(f"{entity_type} >= {value}" for entity_type, value in decision.keep.items())
    report.lines.append(f"decision: block >= {decision.block}; keep rule findings: {keep}; "
                        f"hard: {', '.join(decision.hard)}")
    report.lines.append(f"cross-validated, {min(FOLDS, len(batches))} folds of whole batches "
                        "(each batch scored by a model that never saw it):")
    for batch in batches:
        subset = {i: p for i, p in probabilities.items() if rows[i].batch == batch.name}
        indexes = [i for i, row in enumerate(rows) if row.batch == batch.name]
        local = [rows[i] for i in indexes]
        local_probabilities = {j: subset.get(i, []) for j, i in enumerate(indexes)}
        unsafe, caught, safe, false_blocks = score_rows(local, local_probabilities, decision)
        report.lines.append(f"  {batch.name:<16} recall {caught}/{unsafe} = {caught / max(unsafe, 1):.3f}, "
                            f"false blocks {false_blocks}/{safe} = {false_blocks / max(safe, 1):.3f}")
    unsafe, caught, safe, false_blocks = score_rows(rows, probabilities, decision)
    report.lines.append(f"  {'all':<16} recall {caught}/{unsafe} = {caught / max(unsafe, 1):.3f}, "
                        f"false blocks {false_blocks}/{safe} = {false_blocks / max(safe, 1):.3f}")
    report.lines.append(f"sentence encoder ({encoder.name}): the joint model learned from {len(learned)} of "
                        f"{len(sentences)} "
                        f"training sentences (n-grams' cross-validated probability in {TRAINING_BAND}) and scored "
                        f"those in {GATE}, in {len({index for index, _ in gated})} of {len(rows)} "
                        "replies")
    classifier = ReplyClassifier.train(sentences, decision=decision)
    classifier.fit_joint(sentences, sentence_vectors(sentences, vectors), encoder=encoder.name)
    report.sha256 = classifier.dump(output)
    return report
