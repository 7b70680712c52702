"""The sentence encoder: all-MiniLM-L6-v2 from its PyPI package, read by numpy, offline."""
import numpy as np
import pytest

from phi_guard.encoder import DIMENSIONS, EncoderMissing, SentenceEncoder, get_encoder


def test_it_reads_meaning_not_wording():
    encoder = get_encoder()

    glad, pleased, parking = encoder.encode(["So glad your Botox went well!",
                                             "Happy to hear the injections turned out great for you.",
                                             "Parking downtown can be a real headache on weekends."])

    assert glad @ pleased > 0.4 > glad @ parking
    assert np.isclose(np.linalg.norm(glad), 1.0, atol=1e-3)


def test_vectors_are_the_same_alone_or_in_a_batch_of_other_lengths():
    """Padding a short sentence beside a long one must not move its vector (the attention mask)."""
    encoder = get_encoder()
    short = "Thanks, Kelsey!"
    long = "We are so sorry the wait was long on a busy Saturday; please call our office manager directly. " * 2

    alone = encoder.encode([short])[0]
    together = encoder.encode([long, short, "See you soon."])

    assert together.shape == (3, DIMENSIONS) and together.dtype == np.float32
    assert np.allclose(together[1], alone, atol=2e-4)
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_the_weights_are_read_from_the_package_file_without_copying_the_word_table():
    encoder = get_encoder()

    assert encoder.words.shape == (30522, DIMENSIONS)
    assert not encoder.words.flags.owndata and not encoder.words.flags.writeable  # a view of the mapped file
    assert encoder.name == "all-MiniLM-L6-v2/0.1.0"


def test_a_missing_model_directory_is_reported_without_text(tmp_path):
    with pytest.raises(EncoderMissing, match="unreadable"):
        SentenceEncoder(tmp_path)


def _mapped_kb(address: int) -> int:
    """How much of the mapping that starts at `address` this process holds in memory (Linux: /proc/self/smaps)."""
    held, inside = 0, False
    with open("/proc/self/smaps", encoding="utf-8") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and ":" not in fields[0]:  # a mapping's header line: start-end perms ...
                inside = int(fields[0].split("-")[0], 16) == address
            elif inside and fields[0] == "Rss:":
                held += int(fields[1])
    return held


def test_it_lets_go_of_the_word_rows_it_has_read():
    # A worker reading ever more words would otherwise come to hold most of the 47 MB word table.
    from pathlib import Path

    from phi_guard.encoder import WORD_TABLE

    encoder = get_encoder()
    # This encoder's own mapping of the file (other encoders made by other tests map it too).
    address = np.frombuffer(encoder._mapped.map, dtype=np.uint8).ctypes.data
    names = (Path(__file__).resolve().parents[2] / "phi_guard" / "vocabulary" / "surnames.txt").read_text().split()
    texts = [" ".join(names[start:start + 30]) for start in range(0, 3000, 30)]
    before = encoder.encode(texts[:3])

    encoder.encode(texts)

    start, end = encoder._mapped.ranges[WORD_TABLE]
    others = len(encoder._mapped.map) - (end - start)  # the layers, read whole by every pass
    assert 0 < _mapped_kb(address) * 1024 < others + 4 * 2**20
    assert np.array_equal(encoder.encode(texts[:3]), before)  # read again from the file, the same rows
