"""The learned layer: a sentence classifier that reads what a sentence says about the reviewer.

Input is a sentence's *features*: its words with the practice's own details, the reviewer's
first name and numbers abstracted away, the grammatical role of every word that refers to the
reviewer ("you" as the subject of "remember", "your" owning "prescription"), and which rules
fired in it. Output is the probability that the sentence discloses something about the
reviewer, and a category. Word and character n-grams with a logistic regression: small,
deterministic, fast, and explainable (the heaviest features of each decision).

The artifact is built by `manage.py phi_train` (run by `make install`) from the labelled
training batches in the repository; a missing or unreadable artifact makes the guard fail closed.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, dataclass
from pathlib import Path

FEATURE_VERSION = 1


class ClassifierMissing(RuntimeError):
    """The classifier artifact is missing or unreadable. The message never holds patient text."""


@dataclass(frozen=True)
class Decision:
    """How rules and classifier combine, chosen by cross-validation on the training batches.

    A sentence the classifier scores >= `block` is blocked even when no rule fired. A rule finding
    stands unless the classifier scores its sentence below its entity type's `keep` threshold (an idiom
    with a body word, an opening-hours line read as a date); `hard` entity types (an e-mail or phone that
    is not the practice's, an account number) always stand.
    """

    block: float
    keep: dict
    hard: tuple[str, ...]

    def keeps(self, entity_type: str, probability: float) -> bool:
        if entity_type in self.hard:
            return True
        return probability >= self.keep.get(entity_type, 0.0)


@dataclass(frozen=True)
class TrainingSentence:
    features: str
    unsafe: bool
    categories: tuple[str, ...]
    group: str  # the batch it came from (for leave-one-batch-out validation)


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 3), min_df=2,
                                  sublinear_tf=True, lowercase=False)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True,
                                  lowercase=False, preprocessor=_words_only)),
    ])


def _words_only(features: str) -> str:
    """Character n-grams read the words and placeholders, not the structural features (`_dep:head_`)."""
    return " ".join(token for token in features.split() if ":" not in token)


class ReplyClassifier:
    """Probability that a sentence discloses, and the likeliest category of what it discloses."""

    def __init__(self, vectorizer, model, category_model, category_labels: tuple[str, ...], decision: Decision):
        self.decision = decision
        self.vectorizer = vectorizer
        self.model = model
        self.category_model = category_model
        self.category_labels = category_labels
        self.sha256 = ""

    @classmethod
    def train(cls, sentences: list[TrainingSentence], *, decision: Decision, c: float = 16.0) -> ReplyClassifier:
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        vectorizer = _vectorizer()
        matrix = vectorizer.fit_transform([s.features for s in sentences])
        labels = np.array([s.unsafe for s in sentences], dtype=int)
        model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000)
        model.fit(matrix, labels)
        unsafe_rows = [i for i, s in enumerate(sentences) if s.unsafe and s.categories]
        binarizer = MultiLabelBinarizer()
        targets = binarizer.fit_transform([sentences[i].categories for i in unsafe_rows])
        category_model = OneVsRestClassifier(LogisticRegression(C=c, class_weight="balanced", solver="liblinear"))
        category_model.fit(matrix[unsafe_rows], targets)
        return cls(vectorizer, model, category_model, tuple(binarizer.classes_), decision)

    def probabilities(self, features: list[str]):
        if not features:
            return []
        return self.model.predict_proba(self.vectorizer.transform(features))[:, 1]

    def category(self, features: str) -> str:
        scores = self.category_model.decision_function(self.vectorizer.transform([features]))[0]
        return self.category_labels[int(scores.argmax())]

    def reasons(self, features: str, limit: int = 3) -> list[str]:
        """The words and structures that weighed most towards 'discloses' in this sentence."""
        row = self.vectorizer.transform([features])
        weights = row.multiply(self.model.coef_[0]).tocsr()
        names = self._feature_names()
        ranked = sorted(zip(weights.indices, weights.data), key=lambda pair: -pair[1])
        reasons: list[str] = []
        for index, weight in ranked:
            name = names[index]
            if weight <= 0 or not name.startswith("words__"):
                continue
            phrase = name.removeprefix("words__")
            if any(phrase in kept or kept in phrase for kept in reasons):
                continue
            reasons.append(phrase)
            if len(reasons) == limit:
                break
        return reasons

    def _feature_names(self):
        names = getattr(self, "_names", None)
        if names is None:
            names = self._names = self.vectorizer.get_feature_names_out()
        return names

    def dump(self, path: Path) -> str:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        joblib.dump({"feature_version": FEATURE_VERSION, "vectorizer": self.vectorizer, "model": self.model,
                     "category_model": self.category_model, "category_labels": self.category_labels,
                     "decision": asdict(self.decision)}, buffer)
        data = buffer.getvalue()
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        return self.sha256

    @classmethod
    def load(cls, path: Path) -> ReplyClassifier:
        import joblib

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ClassifierMissing(f"classifier artifact {path.name} is missing (run `make install`)") from exc
        try:
            payload = joblib.load(io.BytesIO(data))
            if payload.get("feature_version") != FEATURE_VERSION:
                raise ClassifierMissing(f"classifier artifact {path.name} is out of date (run `make install`)")
            decision = payload["decision"]
            classifier = cls(payload["vectorizer"], payload["model"], payload["category_model"],
                             tuple(payload["category_labels"]),
                             Decision(block=decision["block"], keep=dict(decision["keep"]),
                                      hard=tuple(decision["hard"])))
        except ClassifierMissing:
            raise
        except Exception as exc:
            raise ClassifierMissing(f"classifier artifact {path.name} is unreadable ({type(exc).__name__})") from exc
        classifier.sha256 = hashlib.sha256(data).hexdigest()
        return classifier
