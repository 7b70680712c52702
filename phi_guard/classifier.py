"""The learned layer: a sentence classifier that reads what a sentence says about the reviewer.

Input is a sentence's *features* (phi_guard.features): its words with the practice's own details,
the reviewer's first name and numbers abstracted away, the grammatical role of every word that
points at the reviewer, and which rules fired in it; and beside it the words of the review it answers.
Output is the probability that the sentence discloses something about the reviewer, and a category. Word and
character n-grams of the sentence, the review's words, tf-idf, and a logistic regression: small, deterministic,
fast, and explainable (the heaviest features of a decision).

Training uses scikit-learn (phi_guard.training, run by `manage.py phi_train` in `make install`);
the artifact holds plain arrays, so checking a reply needs only numpy (scikit-learn alone would add
~75 MB to every web worker). A missing or unreadable artifact makes the guard fail closed.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from phi_guard.encoder import DIMENSIONS

FEATURE_VERSION = 4
# How the artifact stores its terms: 2 = each block as a UTF-8 blob and its offsets (classifier.Terms). Format 1, a
# fixed-width unicode array, reserved four bytes for every character of the longest term in every slot: ~70 MB of a
# web worker's peak memory while it loaded.
ARTIFACT_FORMAT = 3  # 3: with the joint model (n-grams and the sentence encoder) for the sentences in GATE
WORD_NGRAMS = (1, 3)
CHAR_NGRAMS = (3, 5)
# The review's words are a third block, l2-normalised and scaled by this (chosen on the training folds: 0.3, 0.5,
# 0.7 and 1 tried); a long review spreads the block's weight over more words instead of drowning the sentence's.
REVIEW_WEIGHT = 0.5
# Inverse regularisation strength, chosen on the training folds (104 batches; cost 3 x miss rate + false-block rate):
# 16 -> 0.1355, 32 -> 0.1343, 64 -> 0.1323, 128 -> 0.1320. More data wants less regularisation (with 64 batches,
# 64 and 16 were within noise).
C = 64.0
# The sentences the n-grams are unsure of (a probability in GATE, ~5% of sentences in ~15% of replies, chosen on the
# training folds) are scored again by a joint model that also reads the sentence encoder's vectors of the sentence and
# of its review (phi_guard.encoder), scaled by ENCODER_WEIGHT; the encoder is too slow to run on every sentence and did
# no better there on the training folds.
GATE = (0.2, 0.8)
# The joint model learns the encoder's weights from the labelled training sentences the n-grams score in this wider
# band (cross-validated; 5,780 of 68,298 on 140 batches), zeros elsewhere. On the training folds (cost 3 x miss rate +
# false-block rate; n-grams alone 0.1207): learning from GATE itself 0.1147, from 0.1-0.9 0.1094, 0.05-0.95 0.1081,
# 0.02-0.98 0.1077 (half as many sentences again to encode at install).
TRAINING_BAND = (0.05, 0.95)
ENCODER_WEIGHT = 0.5
BLOCK_WIDTH = 3 * DIMENSIONS  # encoder_block()
_TOKEN = re.compile(r"\S+")
_WHITE_SPACES = re.compile(r"\s\s+")


def encoder_block(sentences: np.ndarray, review: np.ndarray) -> np.ndarray:
    """What the joint model reads of the encoder, per sentence: the sentence's vector, its review's, and their product
    (how the two agree, dimension by dimension), side by side: (len(sentences), 3 x 384)."""
    reviews = np.broadcast_to(review, sentences.shape)
    return np.hstack([sentences, reviews, sentences * reviews])


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
    review: str  # features.review_features of the review the reply answers
    unsafe: bool
    categories: tuple[str, ...]
    group: str  # the batch it came from (cross-validation holds out whole batches)
    place: tuple[int, int] = (-1, -1)  # (row, sentence) in phi_train's rows


@dataclass
class Joint:
    """The model for sentences in GATE: weights of the n-gram features (the classifier's own feature space), of the
    encoder's vectors, and which encoder they were fitted on (a different one makes the artifact out of date)."""

    coef: np.ndarray
    encoder_coef: np.ndarray
    intercept: float
    encoder: str


class Terms:
    """A block's terms, held as one UTF-8 blob with offsets (a few MB) rather than ~265,000 Python strings in
    dictionaries (~40 MB of every web worker), and found by hash: the terms' `hash()` values sorted once at load and
    a gram's looked up with a binary search. `hash()` of a str differs between processes (PYTHONHASHSEED) but not
    within one, and the table is built in the process that reads it. A gram that is not a term but shares a term's
    64-bit hash would read as that term: about one gram in 10^14. Two terms sharing a hash (about one process start
    in 10^9) make this block fall back to a dictionary."""

    def __init__(self, blob: bytes, offsets: np.ndarray):
        # Positions and offsets held as int32 (half the memory; the artifact stores int64 offsets).
        small = len(blob) < 2**31
        self.blob, self.offsets = blob, offsets.astype(np.int32) if small else offsets
        hashes = np.fromiter(map(hash, self), dtype=np.int64, count=len(self))
        self.order = np.argsort(hashes, kind="stable").astype(np.int32 if small else np.int64)
        self.hashes = hashes[self.order]
        self.fallback = None
        if len(self.hashes) > 1 and bool((self.hashes[1:] == self.hashes[:-1]).any()):
            self.fallback = {term: position for position, term in enumerate(self)}

    def __reduce__(self):
        """Pickled (phi_train sends fold models between processes) as the blob and offsets alone: the hash table is
        rebuilt by the process that unpickles it, whose hash() may differ."""
        return Terms, (self.blob, self.offsets)

    @classmethod
    def of(cls, terms: list[str]) -> Terms:
        encoded = [term.encode("utf-8") for term in terms]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum([len(term) for term in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, position: int) -> str:
        return self.blob[self.offsets[position]:self.offsets[position + 1]].decode("utf-8")

    def __iter__(self):
        return (self[position] for position in range(len(self)))

    def indices(self, grams: list[str]) -> np.ndarray:
        """The position of every gram that is one of the terms, in the grams' order, repeats kept."""
        if self.fallback is not None:
            return np.array([self.fallback[g] for g in grams if g in self.fallback], dtype=np.int64)
        if not grams or not len(self):
            return np.zeros(0, dtype=np.int64)
        wanted = np.fromiter(map(hash, grams), dtype=np.int64, count=len(grams))
        slots = np.minimum(np.searchsorted(self.hashes, wanted), len(self.hashes) - 1)
        found = self.hashes[slots] == wanted
        return self.order[slots[found]]


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


def words_only(features: str) -> str:
    """Character n-grams read the words and placeholders, not the structural features (`_dep:head_`)."""
    return " ".join(token for token in features.split() if ":" not in token)


def word_ngrams(features: str) -> list[str]:
    tokens = _TOKEN.findall(features)
    grams = list(tokens)
    for n in range(WORD_NGRAMS[0] + 1, min(WORD_NGRAMS[1], len(tokens)) + 1):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(features: str) -> list[str]:
    """Character n-grams inside word boundaries, words padded with a space (scikit-learn's "char_wb")."""
    grams = []
    for word in _WHITE_SPACES.sub(" ", words_only(features)).split():
        word = f" {word} "
        for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
            offset = 0
            grams.append(word[offset:offset + n])
            while offset + n < len(word):
                offset += 1
                grams.append(word[offset:offset + n])
            if offset == 0:
                break
    return grams


def review_words(review: str) -> list[str]:
    return review.split()


def _readable(phrase: str) -> bool:
    """A phrase an author can find in their reply: words only, none of the classifier's own tokens (placeholders
    such as `_num_`, structure such as `_lang:en_`) and not punctuation alone."""
    return all(not token.startswith("_") and any(char.isalnum() for char in token) for token in phrase.split())


class ReplyClassifier:
    """Probability that a sentence discloses, and the likeliest category of what it discloses."""

    def __init__(self, *, words: list[str] | Terms, chars: list[str] | Terms, reviews: list[str] | Terms,
                 idf: np.ndarray, coef: np.ndarray, intercept: float, category_coef: np.ndarray,
                 category_intercept: np.ndarray, category_labels: tuple[str, ...], decision: Decision):
        # One feature space: the word n-grams, then the character n-grams, then the review's words.
        self.words, self.chars, self.reviews = (terms if isinstance(terms, Terms) else Terms.of(terms)
                                                for terms in (words, chars, reviews))
        self.idf, self.coef, self.intercept = idf, coef, intercept
        self.category_coef, self.category_intercept = category_coef, category_intercept
        self.category_labels = category_labels
        self.decision = decision
        self.joint: Joint | None = None
        self.sha256 = ""

    # --- reading a sentence -----------------------------------------------------------------------

    def vector(self, features: str, review: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse tf-idf of one sentence and its review: (feature indices, values), each block l2-normalised, the
        review's scaled by REVIEW_WEIGHT."""
        indices, values = [], []
        blocks = ((word_ngrams(features), self.words, 0, 1.0),
                  (char_ngrams(features), self.chars, len(self.words), 1.0),
                  (review_words(review), self.reviews, len(self.words) + len(self.chars), REVIEW_WEIGHT))
        for grams, terms, first, scale in blocks:
            found = terms.indices(grams)
            if not found.size:
                continue
            block, counts = np.unique(found + first, return_counts=True)
            weights = (1.0 + np.log(counts)) * self.idf[block]
            norm = math.sqrt(float(weights @ weights))
            indices.append(block)
            values.append(scale * weights / norm if norm else weights)
        if not indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(indices), np.concatenate(values)

    def probabilities(self, inputs: list[tuple[str, str]]) -> list[float]:
        """For each (sentence features, review features)."""
        return [_sigmoid(self._weighed(features, review, self.coef) + self.intercept) for features, review in inputs]

    @staticmethod
    def gated(probability: float) -> bool:
        return GATE[0] <= probability <= GATE[1]

    def refined(self, inputs: list[tuple[str, str]], vectors: np.ndarray) -> list[float]:
        """The joint model's probability for each (sentence features, review features), with `vectors`
        (encoder_block() of each sentence and its review)."""
        joint = self.joint
        return [_sigmoid(self._weighed(features, review, joint.coef) + ENCODER_WEIGHT * float(vector @ joint.encoder_coef)
                         + joint.intercept)
                for (features, review), vector in zip(inputs, vectors)]

    def _weighed(self, features: str, review: str, coef: np.ndarray) -> float:
        """The n-gram part of a logit: the sentence's and review's features weighed by `coef`."""
        indices, values = self.vector(features, review)
        return float(values @ coef[indices])

    def explain(self, features: str, review: str, limit: int = 3) -> tuple[str, list[str]]:
        """The likeliest category of what the sentence discloses, and the sentence's words and phrases that weighed
        most towards 'discloses' (one reading of the sentence for both; the review's words are never named)."""
        indices, values = self.vector(features, review)
        scores = self.category_coef[:, indices] @ values + self.category_intercept
        category = self.category_labels[int(np.argmax(scores))]
        weights = values * self.coef[indices]
        reasons: list[str] = []
        for index, weight in sorted(zip(indices.tolist(), weights.tolist()), key=lambda pair: -pair[1]):
            if weight <= 0 or index >= len(self.words):
                continue
            phrase = self.words[index]
            if not _readable(phrase) or any(phrase in kept or kept in phrase for kept in reasons):
                continue
            reasons.append(phrase)
            if len(reasons) == limit:
                break
        return category, reasons

    # --- training and the artifact ------------------------------------------------------------------

    @classmethod
    def train(cls, sentences: list[TrainingSentence], *, decision: Decision, c: float = C) -> ReplyClassifier:
        """Fit with scikit-learn (imported here only) and keep the arrays."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        word_vectorizer = TfidfVectorizer(analyzer=word_ngrams, min_df=2, sublinear_tf=True)
        char_vectorizer = TfidfVectorizer(analyzer=char_ngrams, min_df=3, sublinear_tf=True)
        review_vectorizer = TfidfVectorizer(analyzer=review_words, min_df=2, sublinear_tf=True)
        texts = [s.features for s in sentences]
        reviews = [s.review for s in sentences]
        matrix = hstack([word_vectorizer.fit_transform(texts), char_vectorizer.fit_transform(texts),
                         review_vectorizer.fit_transform(reviews) * REVIEW_WEIGHT]).tocsr()
        labels = np.array([s.unsafe for s in sentences], dtype=int)
        model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000)
        model.fit(matrix, labels)
        unsafe_rows = [i for i, s in enumerate(sentences) if s.unsafe and s.categories]
        binarizer = MultiLabelBinarizer()
        targets = binarizer.fit_transform([sentences[i].categories for i in unsafe_rows])
        category_model = OneVsRestClassifier(LogisticRegression(C=c, class_weight="balanced", solver="liblinear"))
        category_model.fit(matrix[unsafe_rows], targets)
        words = list(word_vectorizer.get_feature_names_out())
        chars = list(char_vectorizer.get_feature_names_out())
        classifier = cls(
            words=words, chars=chars, reviews=list(review_vectorizer.get_feature_names_out()),
            idf=np.concatenate([word_vectorizer.idf_, char_vectorizer.idf_, review_vectorizer.idf_]),
            coef=model.coef_[0].astype(np.float64), intercept=float(model.intercept_[0]),
            category_coef=np.vstack([e.coef_[0] for e in category_model.estimators_]),
            category_intercept=np.array([e.intercept_[0] for e in category_model.estimators_]),
            category_labels=tuple(str(label) for label in binarizer.classes_), decision=decision,
        )
        # The numpy reading must be scikit-learn's reading, or the thresholds chosen on one mean nothing on the other.
        sample = list(range(0, len(texts), max(1, len(texts) // 200)))
        expected = model.predict_proba(matrix[sample])[:, 1]
        if not np.allclose(expected, classifier.probabilities([(texts[i], reviews[i]) for i in sample]), atol=1e-9):
            raise AssertionError("the exported classifier does not reproduce scikit-learn's probabilities")
        return classifier

    def fit_joint(self, sentences: list[TrainingSentence], vectors: dict[int, np.ndarray], *, encoder: str,
                  c: float = C) -> None:
        """Fit the joint model: this classifier's own n-gram features (as vector() reads them) beside the encoder's
        `vectors` (sentences[i] -> its encoder_block() row) where a sentence has them, zeros
        elsewhere: the other sentences still teach the n-grams' weights."""
        from scipy.sparse import csr_matrix, hstack
        from sklearn.linear_model import LogisticRegression

        width = len(self.idf)
        data, indices, pointers = [], [], [0]
        for sentence in sentences:
            found, values = self.vector(sentence.features, sentence.review)
            indices.append(found)
            data.append(values)
            pointers.append(pointers[-1] + len(found))
        ngrams = csr_matrix((np.concatenate(data), np.concatenate(indices), pointers), shape=(len(sentences), width))
        rows = sorted(vectors)
        dense = np.zeros((len(sentences), BLOCK_WIDTH))
        dense[rows] = [vectors[i] for i in rows]
        matrix = hstack([ngrams, csr_matrix(dense * ENCODER_WEIGHT)]).tocsr()
        labels = np.array([s.unsafe for s in sentences], dtype=int)
        model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000)
        model.fit(matrix, labels)
        self.joint = Joint(coef=model.coef_[0][:width].astype(np.float64),
                           encoder_coef=model.coef_[0][width:].astype(np.float64),
                           intercept=float(model.intercept_[0]), encoder=encoder)
        sample = rows[::max(1, len(rows) // 200)]
        expected = model.predict_proba(matrix[sample])[:, 1]
        got = self.refined([(sentences[i].features, sentences[i].review) for i in sample],
                           np.array([vectors[i] for i in sample]).reshape(len(sample), BLOCK_WIDTH))
        if not np.allclose(expected, got, atol=1e-9):
            raise AssertionError("the exported joint model does not reproduce scikit-learn's probabilities")

    def _arrays(self) -> dict[str, np.ndarray]:
        if self.joint is None:
            raise ValueError("a classifier is written with its joint model (fit_joint)")
        meta = {"feature_version": FEATURE_VERSION, "format": ARTIFACT_FORMAT, "decision": asdict(self.decision),
                "category_labels": list(self.category_labels), "intercept": self.intercept,
                "review_weight": REVIEW_WEIGHT, "gate": list(GATE), "encoder_weight": ENCODER_WEIGHT,
                "encoder": self.joint.encoder, "joint_intercept": self.joint.intercept}
        return {
            "meta": np.array(json.dumps(meta, sort_keys=True)),
            **{f"{name}{part}": array for name, terms in (("words", self.words), ("chars", self.chars),
                                                          ("reviews", self.reviews))
               for part, array in (("", np.frombuffer(terms.blob, dtype=np.uint8)), ("_offsets", terms.offsets.astype(np.int64)))},
            "idf": self.idf, "coef": self.coef,
            "category_coef": self.category_coef, "category_intercept": self.category_intercept,
            "joint_coef": self.joint.coef, "joint_encoder_coef": self.joint.encoder_coef,
        }

    def dump(self, path: Path) -> str:
        """Write the artifact (a zip of .npy arrays with fixed timestamps: the same model, the same bytes)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in self._arrays().items():
                entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                data = io.BytesIO()
                np.lib.format.write_array(data, np.asarray(array), allow_pickle=False)
                archive.writestr(entry, data.getvalue())
        data = buffer.getvalue()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        return self.sha256

    @classmethod
    def load(cls, path: Path) -> ReplyClassifier:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ClassifierMissing(f"classifier artifact {path.name} is missing (run `make install`)") from exc
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                meta = json.loads(str(arrays["meta"]))
                if (meta.get("feature_version") != FEATURE_VERSION or meta.get("format") != ARTIFACT_FORMAT
                        or meta.get("review_weight") != REVIEW_WEIGHT or meta.get("gate") != list(GATE)
                        or meta.get("encoder_weight") != ENCODER_WEIGHT):
                    raise ClassifierMissing(f"classifier artifact {path.name} is out of date (run `make install`)")
                decision = meta["decision"]
                words, chars, reviews = (Terms(arrays[name].tobytes(), arrays[f"{name}_offsets"])
                                         for name in ("words", "chars", "reviews"))
                classifier = cls(
                    words=words, chars=chars, reviews=reviews, idf=arrays["idf"],
                    coef=arrays["coef"], intercept=float(meta["intercept"]),
                    # Only explain() reads the category weights, for the likeliest category: float32 is half the
                    # memory (5 MB), and the artifact keeps float64.
                    category_coef=arrays["category_coef"].astype(np.float32),
                    category_intercept=arrays["category_intercept"],
                    category_labels=tuple(meta["category_labels"]),
                    decision=Decision(block=decision["block"], keep=dict(decision["keep"]),
                                      hard=tuple(decision["hard"])),
                )
                classifier.joint = Joint(coef=arrays["joint_coef"], encoder_coef=arrays["joint_encoder_coef"],
                                         intercept=float(meta["joint_intercept"]), encoder=meta["encoder"])
        except ClassifierMissing:
            raise
        except Exception as exc:
            raise ClassifierMissing(f"classifier artifact {path.name} is unreadable ({type(exc).__name__})") from exc
        classifier.sha256 = hashlib.sha256(data).hexdigest()
        return classifier
