"""Presidio recognizers, one per policy concern. Each reads the ReplyScan the engine attached to the Doc.

Constructions, not sentences: "your <care word>", "<visit verb> you" in the past,
"we checked our <records>", "no record of", "free <treatment>", and so on.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

from phi_guard.context import ReplyContext
from phi_guard.features import GREETINGS
from phi_guard.lexicon import display_words, given_names
from phi_guard.scan import SCAN_KEY, SECOND_PERSON, ReplyScan

MODIFIER_POS = frozenset({"ADJ", "NUM", "NOUN", "PROPN", "SYM", "ADV", "PART"})
MAX_MODIFIERS = 4
EVENT_PREPOSITIONS = ("at", "during", "after", "since", "before", "following", "through", "throughout")
DEMONSTRATIVES = ("the", "this", "that", "these", "those")
# Quantifiers a phrase may start with before its determiner: "through all three rounds", "both your sessions".
QUANTIFIERS = frozenset({"all", "both"})


def lower_pair(doc, index: int) -> tuple[str, str]:
    return (doc[index].lower_, doc[index + 1].lower_) if index + 1 < len(doc) else (doc[index].lower_, "")


def _scan(nlp_artifacts) -> ReplyScan:
    return nlp_artifacts.tokens.user_data[SCAN_KEY]


def _context(nlp_artifacts) -> ReplyContext:
    return nlp_artifacts.tokens.user_data[ReplyContext.KEY]


def _determiner_before(scan: ReplyScan, start: int) -> int | None:
    """Index of the determiner/possessive/preposition heading the phrase that ends in doc[start:...]."""
    doc = scan.doc
    index = start - 1
    steps = 0
    while index >= 0 and steps <= MAX_MODIFIERS:
        token = doc[index]
        if token.pos_ in MODIFIER_POS or token.tag_ in ("VBG", "VBN") or token.text in ("-", "$", "&") or token.is_digit:
            if token.lower_ in SECOND_PERSON or token.lower_ in ("her", "his", *DEMONSTRATIVES):
                return index
            index -= 1
            steps += 1
            continue
        if token.lower_ in QUANTIFIERS:
            index -= 1
            steps += 1
            continue
        return index
    return None


class _ScanRecognizer(EntityRecognizer):
    """A recognizer that reads the shared scan; subclasses yield (entity, start_tok, end_tok, score)."""

    ENTITIES: list[str] = []

    def __init__(self):
        super().__init__(supported_entities=list(self.ENTITIES), name=self.__class__.__name__)

    def load(self) -> None:  # everything is built by the engine
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        scan = _scan(nlp_artifacts)
        results = []
        for entity, start, end, score in self.find(scan, _context(nlp_artifacts)):
            if entity in entities:
                start_char, end_char = scan.char_span(start, end)
                results.append(RecognizerResult(entity, start_char, end_char, score))
        return results

    def find(self, scan: ReplyScan, context: ReplyContext) -> Iterator[tuple[str, int, int, float]]:
        raise NotImplementedError


class ClinicalTermRecognizer(_ScanRecognizer):
    """Treatments, brands, body areas, symptoms, medications, conditions, doses, clinical records."""

    ENTITIES = ["TREATMENT", "BRAND", "BODY_AREA", "SYMPTOM", "MEDICATION", "CONDITION", "DOSAGE", "CLINICAL_RECORD"]

    # "the parking was a pain", "what a real pain": the idiom, not a symptom
    IDIOM_LEAD = frozenset({"be", "what", "such", "of"})
    IDIOM_INTENSIFIERS = frozenset({"real", "total", "right", "huge", "bit", "massive"})

    def find(self, scan, context):
        covered_until = -1
        for label, start, end in scan.clinical:
            if end <= covered_until:
                continue
            if label == "SYMPTOM" and self._idiom(scan.doc, start, end):
                continue
            covered_until = end
            yield label, start, end, 0.85

    def _idiom(self, doc, start, end) -> bool:
        if end - start != 1 or doc[start].lower_ != "pain":
            return False
        index = start - 1
        if index >= 0 and doc[index].lower_ in self.IDIOM_INTENSIFIERS:
            index -= 1
        if index < 1 or doc[index].lower_ != "a":
            return False
        return doc[index - 1].lemma_.lower() in self.IDIOM_LEAD


class PatientStatusRecognizer(_ScanRecognizer):
    """Hints that the reviewer (or someone they mention) is a client."""

    ENTITIES = ["PATIENT_STATUS", "PERSONAL_DETAIL", "RECORDS_LOOKUP"]
    MEMBERSHIP_NOUNS = frozenset({"family", "club", "community", "member", "membership", "roster", "client", "clientele"})
    TIME_WORDS = frozenset({
        "day", "days", "week", "weeks", "month", "months", "year", "years", "weekend", "morning", "afternoon",
        "evening", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "spring",
        "summer", "fall", "autumn", "winter", "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december",
    })
    OBJECT_VERBS = frozenset({"see", "treat", "serve", "meet", "book", "schedule", "reschedule", "move", "call",
                              "text", "email", "remind", "charge", "bill", "refund", "inject", "host", "fit", "sell", "prescribe",
                              "squeeze", "put", "pencil", "get", "have", "welcome", "check", "seat", "rebook"})
    SUBJECT_VERBS = frozenset({"come", "visit", "wait", "arrive", "check", "sit", "leave", "book", "pay",
                               "purchase", "buy", "receive", "join", "sign", "schedule", "reschedule", "cancel",
                               "stop", "drop", "walk", "show", "pop", "swing", "bring"})
    # "you were in touch": being "in" is not a visit
    NOT_A_VISIT = frozenset({"touch", "contact"})
    # "you were kept waiting", "you got bumped": the passive of something done to a client
    PASSIVE_VERBS = frozenset({"see", "serve", "book", "schedule", "reschedule", "move", "call", "text", "email",
                               "remind", "charge", "bill", "refund", "inject", "fit", "squeeze", "put", "pencil",
                               "keep", "take", "seat", "show", "greet", "bump", "rush", "check", "prescribe", "quote"})
    # "the nurse who looked after you", "took care of you", "worked on you"
    CARE_PHRASES = {"look": ("after",), "take": ("care", "of"), "work": ("on",), "attend": ("to",),
                    "wait": ("on",), "care": ("for",)}
    INTERACTION_VERBS = frozenset({"chat", "meet", "see", "talk", "work", "catch", "treat", "host", "have", "help"})
    RETURN_WORDS = frozenset({"again", "back", "next"})
    CONTACT_VERBS = frozenset({"speak", "talk", "call", "chat", "help", "email", "text"})
    FAMILY_CONTEXT = frozenset({"see", "treat", "serve", "meet", "visit", "come", "book", "enjoy", "appointment",
                                "session", "treatment", "first", "last", "consult", "account", "refund", "result", "bring",
                                "charge", "bill", "package", "membership"})

    def find(self, scan, context):
        doc = scan.doc
        for label in ("CARE_EVENT", "CARE_GENERAL", "PERSONAL_DETAIL"):
            for start, end in scan.get(label):
                head = doc[end - 1]
                if head.pos_ in ("VERB", "AUX") and end - start == 1:
                    continue
                det = _determiner_before(scan, start)
                if det is None:
                    continue
                word = doc[det].lower_
                sentence = scan.sentence_of[start]
                if word in ("your", "yours"):
                    if label == "PERSONAL_DETAIL":
                        if det > 0 and doc[det - 1].lemma_.lower() in scan.lex.invitation_verbs:
                            continue
                        yield "PERSONAL_DETAIL", det, end, 0.8
                    else:
                        yield "PATIENT_STATUS", det, end, 0.85
                elif label == "CARE_EVENT" and word in ("her", "his"):
                    yield "PATIENT_STATUS", det, end, 0.7
                elif label == "CARE_EVENT" and word in (*DEMONSTRATIVES, *EVENT_PREPOSITIONS):
                    if end < len(doc) and any(s == end for s, _ in scan.get("FACILITY")):
                        continue
                    if scan.second_person[sentence] or scan.past_tense[sentence]:
                        yield "PATIENT_STATUS", det, end, 0.75
        # "your lip filler", "your Botox": a clinical term the reviewer is said to have
        for _, start, end in scan.clinical:
            det = _determiner_before(scan, start)
            if det is not None and doc[det].lower_ == "your":
                yield "PATIENT_STATUS", det, end, 0.85
        yield from self._ordinal_time(scan)
        yield from self._yours(scan)
        yield from self._verbs(scan)
        yield from self._family(scan)
        yield from self._client_attribution(scan)
        yield from self._relative_clause(scan)

    ORDINALS = frozenset({"first", "second", "third", "last", "next", "1st", "2nd", "3rd"})

    def _ordinal_time(self, scan):
        """"your first time with us", "your last time here": a count of visits."""
        doc = scan.doc
        for token in doc[:-2]:
            if token.lower_ == "your" and doc[token.i + 1].lower_ in self.ORDINALS and doc[token.i + 2].lower_ == "time" and (
                token.i + 3 >= len(doc) or doc[token.i + 3].tag_ != "VBG"  # "your first time reviewing us"
            ):
                yield "PATIENT_STATUS", token.i, token.i + 3, 0.75

    def _yours(self, scan):
        doc = scan.doc
        for token in doc:
            if token.lower_ != "yours":
                continue
            sentence = scan.sentence_of[token.i]
            care = scan.in_sentence("CARE_EVENT", sentence) or scan.in_sentence("CARE_GENERAL", sentence)
            if care or any(scan.sentence_of[s] == sentence for _, s, _ in scan.clinical) or (
                token.i > 0 and doc[token.i - 1].lower_ == "including"
            ):
                yield "PATIENT_STATUS", token.i, token.i + 1, 0.75

    def _verbs(self, scan):
        doc = scan.doc
        n = len(doc)
        for token in doc:
            lemma = token.lemma_.lower()
            sentence = scan.sentence_of[token.i]
            # "we moved you", "we've got you down", "seeing you again", "have you back"
            if lemma in self.OBJECT_VERBS and token.pos_ in ("VERB", "AUX"):
                nxt = token.i + 1
                if nxt < n and doc[nxt].lower_ == "you":
                    after = {t.lower_ for t in doc[nxt + 1 : min(n, nxt + 4)]}
                    past = token.tag_ in ("VBD", "VBN")
                    if lemma in ("get", "have", "put", "pencil") and not (after & {"down", "in", "back", "booked", "scheduled"}):
                        continue
                    if past or after & self.RETURN_WORDS:
                        end = nxt + 1
                        while end < n and doc[end].lower_ in self.RETURN_WORDS | {"down", "in", "time", "for"}:
                            end += 1
                        yield "PATIENT_STATUS", token.i, end, 0.8
            # "when you came in", "while you waited", "you've been coming"
            if token.lower_ == "you":
                for offset in (1, 2, 3, 4):
                    j = token.i + offset
                    if j >= n:
                        break
                    verb = doc[j]
                    following = doc[j + 1].lower_ if j + 1 < n else ""
                    if verb.pos_ in ("AUX", "PART", "ADV") and verb.lemma_.lower() not in self.SUBJECT_VERBS:
                        # "you were here", "you haven't been back since"
                        if verb.lemma_.lower() == "be" and verb.tag_ in ("VBD", "VBN") and (
                            following in ("here", "back") or (following == "in" and verb.tag_ == "VBD"
                                                              and j + 2 < n and doc[j + 2].lower_ not in self.NOT_A_VISIT)
                        ):
                            yield "PATIENT_STATUS", token.i, j + 2, 0.75
                            break
                        continue
                    if verb.lemma_.lower() == "bring" and following == "up":  # "you brought up a good point"
                        break
                    if verb.lemma_.lower() in self.SUBJECT_VERBS and (
                        verb.tag_ in ("VBD", "VBN") or (verb.tag_ == "VBG" and doc[j - 1].lemma_ == "be" and doc[j - 1].tag_ in ("VBD", "VBN"))
                    ):
                        yield "PATIENT_STATUS", token.i, j + 1, 0.8
                    elif verb.tag_ == "VBN" and verb.lemma_.lower() in self.PASSIVE_VERBS:
                        auxiliaries = doc[token.i + 1 : j]
                        # "you will be charged a fee if...": policy; "you won't be charged again": a client
                        modal = any(t.tag_ == "MD" for t in auxiliaries)
                        again = any(t.lower_ in self.RETURN_WORDS for t in doc[j + 1 : min(n, j + 6)])
                        if any(t.lemma_.lower() in ("be", "get") for t in auxiliaries) and (not modal or again):
                            yield "PATIENT_STATUS", token.i, j + 1, 0.75
                    break
                # "next time you come in"
                if token.i >= 2 and doc[token.i - 2].lower_ == "next" and doc[token.i - 1].lower_ == "time":
                    if token.i + 1 < n and doc[token.i + 1].lemma_.lower() in ("come", "visit", "be", "stop", "book"):
                        yield "PATIENT_STATUS", token.i - 2, token.i + 2, 0.75
                # "the clients booked before you"
                if token.i >= 1 and doc[token.i - 1].lower_ in ("before", "after") or (
                    token.i >= 2 and doc[token.i - 2].lower_ == "ahead" and doc[token.i - 1].lower_ == "of"
                ):
                    window = doc[max(0, token.i - 5) : token.i]
                    if any(t.lemma_.lower() in ("book", "schedule", "see", "treat", "run") for t in window):
                        yield "PATIENT_STATUS", window.start, token.i + 1, 0.75
            # "the aesthetician who looked after you", "she took care of you"
            particles = self.CARE_PHRASES.get(lemma)
            if particles and token.tag_ in ("VBD", "VBN"):
                j = token.i + 1 + len(particles)
                if j < n and doc[j].lower_ == "you" and tuple(t.lower_ for t in doc[token.i + 1 : j]) == particles:
                    yield "PATIENT_STATUS", token.i, j + 1, 0.75
            # "I loved chatting with you", "it was great to meet you"
            if lemma in self.INTERACTION_VERBS and token.pos_ == "VERB":
                j = token.i + 1
                if j < n and doc[j].lower_ == "with":
                    j += 1
                if j < n and doc[j].lower_ in ("you", "your"):
                    start, _ = scan.sentences[sentence]
                    first_verb = next((t for t in doc[start : token.i] if t.pos_ in ("VERB", "AUX")), None)
                    if first_verb is not None and first_verb.tag_ == "VBD":
                        yield "PATIENT_STATUS", token.i, j + 1, 0.75
            # "we remember your visit", "Hannah remembers the conversation"
            if lemma in ("remember", "recall") and token.pos_ == "VERB":
                before = doc[token.i - 1].lower_ if token.i else ""
                after = doc[token.i + 1].lower_ if token.i + 1 < n else ""
                if before not in ("please", "to", "always") and after != "to":
                    yield "PATIENT_STATUS", token.i, min(n, token.i + 4), 0.7
            # "since joining our Glow Club", "you joined our membership"
            if lemma == "join" and token.tag_ in ("VBG", "VBD", "VBN"):
                window = {t.lower_ for t in doc[token.i + 1 : token.i + 3]}
                if "our" in window and (scan.second_person[sentence] or (token.i and doc[token.i - 1].lower_ == "since")):
                    yield "PATIENT_STATUS", token.i, min(n, token.i + 4), 0.75
            # "thank you for choosing us / trusting us with your care", "thanks for coming in"
            if lemma in ("choose", "trust") and token.tag_ == "VBG" and token.i + 1 < n and doc[token.i + 1].lower_ == "us":
                yield "PATIENT_STATUS", token.i, token.i + 2, 0.7
            if lemma in ("come", "visit", "stop", "drop") and token.tag_ == "VBG" and token.i and doc[token.i - 1].lower_ == "for":
                following = {t.lower_ for t in doc[token.i + 1 : token.i + 4]}
                if not following & {"website", "site", "page", "profile", "across"}:
                    yield "PATIENT_STATUS", token.i - 1, min(n, token.i + 2), 0.75
            # "you looked amazing walking out", "when you walked in"
            if lemma == "walk" and token.i + 1 < n and doc[token.i + 1].lower_ in ("out", "in") and scan.second_person[sentence]:
                yield "PATIENT_STATUS", token.i, token.i + 2, 0.7
            # "we miss you": someone who used to come
            if lemma == "miss" and token.pos_ == "VERB" and token.i + 1 < n and doc[token.i + 1].lower_ == "you":
                yield "PATIENT_STATUS", token.i, token.i + 2, 0.7
            # "welcome back"
            if lower_pair(doc, token.i) == ("welcome", "back"):
                yield "PATIENT_STATUS", token.i, token.i + 2, 0.7
            # "welcome to the Willow & Pine family": made a client
            if lower_pair(doc, token.i) == ("welcome", "to"):
                window = doc[token.i + 2 : min(n, token.i + 9)]
                member = next((t for t in window if t.lemma_.lower() in self.MEMBERSHIP_NOUNS), None)
                if member is not None:
                    yield "PATIENT_STATUS", token.i, member.i + 1, 0.7
            # "see you in three months", "see you next week", "see you on Friday": a visit already booked
            if lemma == "see" and token.i + 1 < n and doc[token.i + 1].lower_ == "you":
                when = [t.lower_ for t in doc[token.i + 2 : min(n, token.i + 6)]]
                if when and (
                    when[0] in ("next", "tomorrow", "tonight")
                    or (when[0] in ("in", "on", "this", "at") and set(when[1:]) & self.TIME_WORDS)
                ):
                    yield "PATIENT_STATUS", token.i, min(n, token.i + 2 + len(when)), 0.75
            # "our records show"
            if lemma in ("show", "indicate", "say") and token.i >= 2:
                record_end = token.i
                if any(e == record_end for _, e in scan.get("RECORD")) and "our" in {t.lower_ for t in doc[max(0, token.i - 3) : token.i]}:
                    yield "PATIENT_STATUS", max(0, token.i - 3), token.i + 1, 0.8

    def _family(self, scan):
        doc = scan.doc
        for start, end in scan.get("FAMILY"):
            if start == 0 or doc[start - 1].lower_ != "your":
                continue
            sentence = scan.sentence_tokens(start)
            lemmas = {t.lemma_.lower() for t in sentence}
            # "we spoke with your daughter": past contact with them, unlike "if your husband would like to speak"
            contacted = any(t.lemma_.lower() in self.CONTACT_VERBS and t.tag_ in ("VBD", "VBN") for t in sentence)
            # "your little one was a star", "your husband waited": something they did while here
            acted = any(t.tag_ == "VBD" for t in doc[end : min(len(doc), end + 2)])
            if lemmas & self.FAMILY_CONTEXT or contacted or acted:
                yield "PATIENT_STATUS", start - 1, end, 0.75

    def _client_attribution(self, scan):
        """"thank you for being a Willow & Pine client", "you're one of our regulars"."""
        doc = scan.doc
        for start, end in scan.get("CLIENT"):
            sentence = scan.sentence_of[start]
            window = doc[max(0, start - 6) : start]
            words = [t.lower_ for t in window]
            # "thank you for being a client", "we value you as a long-time client" (not "everyone as a client")
            as_client = "as" in words[-5:] and ("you" in words or scan.second_person[sentence]) and not (
                set(words) & {"every", "everyone", "everybody", "all", "each", "any", "anyone"}
            )
            if "being" in words or as_client:
                yield "PATIENT_STATUS", window.start + max(i for i, w in enumerate(words) if w in ("being", "as")), end, 0.7
            elif scan.second_person[sentence] and any(w in ("'re", "are", "were", "'ve", "been") for w in words) and (
                "our" in words or "a" in words or "an" in words
            ):
                # "you were never a patient of ours" denies it: a records disclosure all the same
                entity = "RECORDS_LOOKUP" if scan.negated[sentence] else "PATIENT_STATUS"
                yield entity, window.start, end, 0.7

    def _relative_clause(self, scan):
        """"the area you mentioned", "the skin type you have"."""
        doc = scan.doc
        n = len(doc)
        for label in ("LOCUS", "CARE_EVENT", "CARE_GENERAL"):
            for start, end in scan.get(label):
                if end + 1 < n and doc[end].lower_ == "you" and doc[end + 1].lemma_.lower() in (
                    "have", "get", "receive", "mention", "describe", "show", "point", "want", "ask"
                ):
                    det = _determiner_before(scan, start)
                    if det is not None and doc[det].lower_ in ("the", "that", "this"):
                        yield "PATIENT_STATUS", det, end + 2, 0.75


class RecordsLookupRecognizer(_ScanRecognizer):
    """Looking the reviewer up, and above all saying they are not there."""

    ENTITIES = ["RECORDS_LOOKUP"]
    NOT_FOUND = frozenset({"record", "trace", "transaction", "match", "file", "history"})
    NOT_FOUND_WITH_CONTEXT = frozenset({"booking", "appointment", "visit", "account", "client", "patient", "customer"})
    CONTEXT = frozenset({"name", "under", "tie", "match", "find", "you", "your", "email", "phone"})
    SEEN_VERBS = frozenset({"see", "treat", "serve", "check", "visit", "come", "book", "meet", "be"})
    IDENTITY_WORDS = frozenset({"name", "email", "e-mail", "address", "number", "phone", "surname", "description"})
    HAD_VERBS = frozenset({"have", "receive", "get", "book", "undergo"})  # "you've never had a treatment with us"

    @staticmethod
    def _on_our_list(doc, start, record_ends) -> bool:
        """"(there isn't a) Kelsey on our client list", "(not a) name in our system"."""
        for k in range(start, min(len(doc) - 2, start + 3)):
            if doc[k].lower_ in ("on", "in") and doc[k + 1].lower_ == "our":
                return any(j in record_ends for j in range(k + 2, min(len(doc), k + 4)))
        return False

    def find(self, scan, context):
        doc = scan.doc
        n = len(doc)
        record_ends = {start: end for start, end in scan.get("RECORD")}
        sentence_words: dict[int, set[str]] = {}  # lemmas per sentence, built once, not once per token
        for token in doc:
            lemma = token.lemma_.lower()
            lower = token.lower_
            sentence = scan.sentence_of[token.i]
            words = sentence_words.get(sentence)
            if words is None:
                words = sentence_words[sentence] = {t.lemma_.lower() for t in scan.sentence_tokens(token.i)}
            # "we looked you up", "I pulled you up in the system"
            if lemma in ("look", "pull") and token.i + 2 < n and doc[token.i + 1].lower_ == "you" \
                    and doc[token.i + 2].lower_ == "up":
                yield "RECORDS_LOOKUP", token.i, token.i + 3, 0.85
            # "I went through our files", "we searched every booking under Kenzie"
            if lemma in scan.lex.lookup_verbs and token.pos_ == "VERB":
                for j in range(token.i + 1, min(n, token.i + 7)):
                    if j in record_ends:
                        end = record_ends[j]
                        if end < n and doc[end].pos_ == "NOUN" and not any(s == end for s in record_ends):
                            break  # "our booking policy": the head is not a record
                        if scan.second_person[sentence] or scan.negated[sentence] or words & self.CONTEXT:
                            yield "RECORDS_LOOKUP", token.i, end, 0.85
                        break
                    if doc[j].is_punct:
                        break
            # "nobody named Bart", "no one by that name"
            if lower in ("nobody", "noone") or (lower == "no" and token.i + 1 < n and doc[token.i + 1].lower_ == "one"):
                j = token.i + (1 if lower != "no" else 2)
                if j < n and (doc[j].lower_ in ("named", "called") or (doc[j].lower_ in ("by", "with", "under") and j + 2 < n
                                                                     and doc[j + 2].lower_ == "name")):
                    yield "RECORDS_LOOKUP", token.i, min(n, j + 3), 0.85
                elif j + 1 < n and (doc[j].tag_ == "VBN" or doc[j].lower_ == "matching"):
                    identity = next((t.i for t in doc[j + 1 : min(n, j + 6)] if t.norm_ in self.IDENTITY_WORDS), None)
                    if identity is not None:
                        yield "RECORDS_LOOKUP", token.i, identity + 1, 0.8
            # "no record of", "no transactions tied to you"
            if lower == "no" and token.i + 1 < n:
                nxt = doc[token.i + 1]
                if nxt.norm_ in self.NOT_FOUND:
                    yield "RECORDS_LOOKUP", token.i, token.i + 2, 0.85
                elif nxt.norm_ in self.NOT_FOUND_WITH_CONTEXT and words & self.CONTEXT:
                    yield "RECORDS_LOOKUP", token.i, min(n, token.i + 5), 0.8
            # "you were never seen here", "someone we've never served", "never checked in with us"
            if lower == "never":
                for j in range(token.i + 1, min(n, token.i + 4)):
                    verb = doc[j]
                    if verb.lemma_.lower() in self.HAD_VERBS and verb.tag_ in ("VBN", "VBD"):
                        window = doc[j + 1 : min(n, j + 6)]
                        care = any(s in range(window.start, window.end) for s, _ in scan.get("CARE_EVENT"))
                        if care or any(t.lower_ == "us" and doc[t.i - 1].lower_ == "with" for t in window):
                            yield "RECORDS_LOOKUP", token.i, window.end, 0.8
                            break
                    if verb.lemma_.lower() in self.SEEN_VERBS and verb.tag_ in ("VBN", "VBD"):
                        if verb.lemma_.lower() == "be":
                            if j + 1 < n and (doc[j + 1].lower_ in ("here", "in", "seen", "treated") or doc[j + 1].norm_ in ("client", "patient")
                                              or doc[j + 1].lower_ in ("a", "an", "our")):
                                yield "RECORDS_LOOKUP", token.i, j + 2, 0.8
                            continue
                        yield "RECORDS_LOOKUP", token.i, j + 1, 0.8
                        break
            # "you are not in our client database", "not a patient of ours"
            if lower in ("not", "n't") and token.i + 2 < n:
                nxt = doc[token.i + 1]
                if nxt.lower_ in ("in", "on") and doc[token.i + 2].lower_ in ("our", "the"):
                    for j in range(token.i + 3, min(n, token.i + 6)):
                        if j in record_ends or doc[j].norm_ in ("client", "patient"):
                            yield "RECORDS_LOOKUP", token.i, record_ends.get(j, j + 1), 0.85
                            break
                elif nxt.lower_ in ("a", "an", "one") and token.i + 3 < n and (any(
                    doc[k].norm_ in ("client", "patient") for k in range(token.i + 2, min(n, token.i + 5))
                ) or self._on_our_list(doc, token.i + 2, record_ends)):
                    yield "RECORDS_LOOKUP", token.i, min(n, token.i + 5), 0.8
                # "we don't have a client with this name", "you don't appear"
                elif nxt.lemma_.lower() in ("have", "show", "see", "find", "appear", "come", "match"):
                    tail = doc[token.i + 2 : min(n, token.i + 5)]
                    if nxt.lemma_.lower() in ("appear", "match", "come") and (
                        token.i >= 2 and doc[token.i - 2].lower_ in ("you", "name", "they", "it")
                    ):
                        yield "RECORDS_LOOKUP", token.i - 2, token.i + 2, 0.8
                    elif any(t.norm_ in self.NOT_FOUND | self.NOT_FOUND_WITH_CONTEXT or t.lower_ == "anyone" for t in tail):
                        end = next(t.i for t in tail if t.norm_ in self.NOT_FOUND | self.NOT_FOUND_WITH_CONTEXT or t.lower_ == "anyone")
                        yield "RECORDS_LOOKUP", token.i, end + 1, 0.8
            # "found nothing", "couldn't find you"
            if lemma in ("find", "locate", "match", "identify") and token.pos_ == "VERB":
                nxt = doc[token.i + 1].lower_ if token.i + 1 < n else ""
                negated = any(t.lower_ in ("n't", "not", "cannot", "unable") for t in doc[max(0, token.i - 3) : token.i])
                if nxt in ("nothing", "no") or (negated and nxt in ("you", "your", "a", "any", "anyone", "anything", "record", "records")):
                    yield "RECORDS_LOOKUP", token.i, min(n, token.i + 2), 0.8


class RemedyRecognizer(_ScanRecognizer):
    """A treatment-specific fix offered in public: "a complimentary touch-up", "we'll redo it free"."""

    ENTITIES = ["REMEDY_OFFER"]

    def find(self, scan, context):
        doc = scan.doc
        for number, (sent_start, sent_end) in enumerate(scan.sentences):
            free = [(s, e) for s, e in scan.in_sentence("FREE", number) if not self._idiom(doc, s)]
            actions = scan.in_sentence("REMEDY_ACTION", number)
            clinical = [(s, e) for _, s, e in scan.clinical if sent_start <= s < sent_end]
            care = scan.in_sentence("CARE_EVENT", number) if scan.second_person[number] else []
            anchors = actions + clinical + care
            if free and anchors:
                spans = free + anchors
                yield "REMEDY_OFFER", min(s for s, _ in spans), max(e for _, e in spans), 0.85
            elif actions and (clinical or care or scan.second_person[number]
                              or any(t.lower_ == "it" for t in doc[sent_start:sent_end])):
                yield "REMEDY_OFFER", min(s for s, _ in actions), max(e for _, e in actions), 0.75

    @staticmethod
    def _idiom(doc, start) -> bool:
        """"feel free to", "free to reach out", "toll-free"."""
        token = doc[start]
        if token.lower_ != "free":
            return False
        before = doc[start - 1].lower_ if start else ""
        after = doc[start + 1].lower_ if start + 1 < len(doc) else ""
        return before in ("feel", "-", "toll") or after in ("to", "time", "parking", "wifi", "wi-fi")


class ReplyContextRecognizer(_ScanRecognizer):
    """Names and words from the review echoed back, the reviewer's full name, and a first name they did not show."""

    ENTITIES = ["REVIEW_ECHO", "REVIEW_TERM", "REVIEWER_NAME", "SHOWN_SURNAME", "PERSON", "UNSHOWN_FIRST_NAME"]
    # Read in the folded text, where "Señora" is "Senora".
    HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sr", "sra", "srta", "senor", "senora", "senorita"})
    SIGNATURE_MARKS = frozenset({"-", "--", "—", "–", "~"})
    TITLE_WORDS = frozenset({"don", "doña", "dona", "señor", "señora", "senor", "senora", "sir", "madam", "miss"})
    ABBREVIATED = frozenset({"mr", "mrs", "ms", "mx", "sr", "sra", "srta"})  # titles written with a period

    def find(self, scan, context):
        doc = scan.doc
        for token in doc:
            if not token.is_alpha:
                continue
            key = context.echo_key(token.text)
            if key in context.review_names:
                yield "PERSON", token.i, token.i + 1, 0.8
            elif key in context.review_terms and not self._everyday_verb(scan, token):
                # A word no dictionary knows ("oxyglow") is the review's own name for something: a product,
                # a device, a drug. An everyday word repeated back is weaker evidence.
                known = token.lower_ in scan.lex.english_words or token.lemma_.lower() in scan.lex.english_words
                yield ("REVIEW_ECHO" if known else "REVIEW_TERM"), token.i, token.i + 1, 0.75
        # A surname the reviewer shows: with their first name it is their full name ("Ed Flaherty"); alone or
        # after a title ("Mr. Flaherty") it repeats what their display name says, and the classifier may weigh it.
        for match in context.surname_pattern.finditer(doc.text) if context.surname_pattern else ():
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None:
                first = self._shown_first_name_before(doc, span.start, context)
                if first is not None:
                    yield "REVIEWER_NAME", first, span.end, 0.85
                else:
                    yield "SHOWN_SURNAME", span.start, span.end, 0.8
        # "Dear Ms. Alvarez": a title and a surname that is not one of the practice's own people. "Dr. Olsen"
        # is another provider (a referral), not the reviewer, and is not flagged here.
        for token in doc:
            if token.lower_.rstrip(".") not in self.HONORIFICS or token.lower_.rstrip(".") == "dr":
                continue
            j = token.i + 1
            if j < len(doc) and doc[j].text == "." and token.lower_ in self.ABBREVIATED and not token.whitespace_:
                j += 1  # "Sra. Lopez"; not "Sí, señora. Atendemos …", where the title ends a sentence
            if j < len(doc) and doc[j].is_title and doc[j].is_alpha and doc[j].lower_ not in context.known_name_parts:
                yield "REVIEWER_NAME", token.i, j + 1, 0.8
        # A first name and a capitalised surname that is nobody's the reviewer showed or the practice has: with the
        # reviewer's first name, their surname they did not show ("Thanks Anita Ruiz-Cole"); with another given
        # name, somebody else's full name ("Tell Mike Alvarez we said hi": a patient, a companion).
        # After the reviewer's first name a common surname counts even when it is also a word ("Luis Williams").
        for token in doc[:-1]:
            nxt = doc[token.i + 1]
            if not (nxt.is_title and nxt.is_alpha and len(nxt) > 1 and nxt.lower_ not in context.known_name_parts):
                continue
            unknown = nxt.lower_ not in scan.lex.english_words
            first = self._shown_first_name_before(doc, token.i + 1, context)
            if first is not None and (unknown or self._surname_ending_name(nxt, scan.lex)):
                yield "REVIEWER_NAME", first, nxt.i + 1, 0.8
            elif (unknown and token.is_title and token.lower_ in scan.lex.given_names
                  and token.lower_ not in context.known_name_parts):
                yield "PERSON", token.i, nxt.i + 1, 0.7
        # A name the display name abbreviates, spelled out beside a part it shows ("Courtney B." answered as
        # "Courtney Bowman", "B. Novak" as "Barbara Novak", "Sam H." as "Samantha Huang"): their full name.
        for token in doc[:-1] if context.initials_after or context.initials_before else ():
            nxt = doc[token.i + 1]
            if (self._shown_name(token, context) and self._spelled_initial(nxt, context, context.initials_after)) or (
                    self._spelled_initial(token, context, context.initials_before) and self._shown_name(nxt, context)):
                yield "REVIEWER_NAME", token.i, nxt.i + 1, 0.8
        # Somebody addressed by a first name the display name does not show ("Thanks, Sarah!" to "sweetpea303" or
        # "S. M."): the practice knows who wrote the review.
        for start, end in scan.sentences:
            sentence = doc[start:end]
            for token in sentence:
                if self._unshown_first_name(token, sentence, context, scan.lex):
                    yield "UNSHOWN_FIRST_NAME", token.i, token.i + 1, 0.8

    @staticmethod
    def _surname_ending_name(token, lex) -> bool:
        """A common surname that ends the name ("Thank you, Luis Williams.", "Hi Maria Brown, ...", "Gracias, Luis
        Ortega."); not a word that starts what follows ("Thanks Luis Hope to see you", "Luis Best wishes")."""
        after = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        return token.lower_ in lex.surnames and (after is None or after.is_punct or after.is_space)

    @staticmethod
    def _shown_first_name_before(doc, index: int, context) -> int | None:
        """Where the first name the reviewer shows starts, when it ends just before `index`, with any second given
        names they show after it ("Luis Fernando" before "Zapata", "Jim Bob" before "Harrell"); or a given name their
        handle spells ("Sam" of "sammy22" before "Smith")."""
        if not context.first_name:
            return None
        i = index - 1
        while i >= 0 and doc[i].lower_ != context.first_name and doc[i].lower_ in context.display_names:
            i -= 1
        if i < 0:
            return None
        lower = doc[i].lower_
        in_handle = (len(context.display_names) == 1 and doc[i].is_title and len(lower) >= 3
                     and lower in context.display_letters and lower in given_names())
        return i if lower == context.first_name or in_handle else None

    @staticmethod
    def _shown_name(token, context) -> bool:
        """A capitalised part of the name the display name shows, or a longer form of its first name ("Sam":
        "Samantha")."""
        lower = token.lower_
        if not (token.is_title and token.is_alpha):
            return False
        return lower in context.display_names or (len(context.first_name) >= 3 and lower.startswith(context.first_name))

    @classmethod
    def _spelled_initial(cls, token, context, initials) -> bool:
        """A capitalised word, nobody's in the practice, not shown and not a greeting or function word ("Dear",
        "Gracias"), that starts with one of `initials`."""
        lower = token.lower_
        return (token.is_title and token.is_alpha and len(lower) > 1 and lower[0] in initials
                and lower not in context.known_name_parts and lower not in GREETINGS and lower not in display_words()
                and not cls._shown_name(token, context))

    @classmethod
    def _unshown_first_name(cls, token, sentence, context, lex) -> bool:
        """A given name addressing someone (cls._addressed) that is not the first name the reviewer shows (nor
        inside their handle: "ThatGuyMarcus"), nobody's in the practice, not written in the review, and not a
        signature (after a dash, or on the reply's last line). A name that is also a word ("Hope", "Will") counts
        only capitalised inside a sentence."""
        lower = token.lower_
        if not token.is_alpha or len(lower) < 3 or lower not in lex.given_names or lower in cls.TITLE_WORDS:
            return False
        if lower in display_words():  # a relative, a household, a Spanish function word ("está", "buena")
            return False
        if lower == context.first_name or lower in context.display_letters or lower in context.known_name_parts:
            return False
        if lower in context.review_words or (lower in lex.english_words and not (token.is_title and token.i > sentence.start)):
            return False
        text = token.doc.text
        if "\n" not in text[token.idx:].rstrip() and "\n" in text[:token.idx].strip():
            return False  # the last line of a reply of several: a signature
        return cls._addressed(token, sentence)

    @classmethod
    def _addressed(cls, token, sentence) -> bool:
        """Used to address someone: after a greeting ("Hi Linda", "Thank you so much, Jenny"), as the reply's first
        word before a comma or an exclamation mark ("Sarah, ..."), or after a comma at the end of a sentence
        ("appreciate it, terrence")."""
        doc, i = token.doc, token.i
        before = doc[i - 1] if i > sentence.start else None
        after = doc[i + 1] if i + 1 < sentence.end else None
        if before is not None and before.text in cls.SIGNATURE_MARKS:
            return False
        if before is not None and (before.lower_ in GREETINGS or before.text == ","):
            greeting_end = i - 1 if before.lower_ in GREETINGS else i - 2
            if any(doc[k].lower_ in GREETINGS for k in range(max(sentence.start, greeting_end - 3), greeting_end + 1)):
                return True
        if before is not None and before.text == "," and (after is None or after.text in (".", "!", "?", "…")):
            return True
        first_word = next((t for t in doc if t.is_alpha), None)
        return first_word is token and after is not None and after.text in (",", "!")

    @staticmethod
    def _everyday_verb(scan, token) -> bool:
        """"expire", "changed", "apologise": a dictionary verb echoed from the review is not a clinical word
        (clinical verbs such as "burning" or "bruised" are in the vocabulary lists)."""
        return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in scan.lex.english_words


def _pattern(name: str, regex: str, score: float = 0.8) -> Pattern:
    return Pattern(name=name, regex=regex, score=score)


_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_WEEKDAYS = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_TIME = r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\d{1,2}\s*o['’]?clock"


class ServiceDetailRecognizer(PatternRecognizer):
    """Dates and times of service, ages, member / gift-card / account numbers.

    Regex patterns (Presidio Patterns); a date only counts in a sentence about the
    reviewer (second person or past tense), so "open Saturday 9 to 2" stays clean.
    """

    PATTERNS = {
        "DATE_OF_SERVICE": [
            _pattern("numeric date", r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/\d{2,4})?\b(?!\s*(?:stars?|rating))"),
            _pattern("day of month", r"\b(?:the|on)\s+\d{1,2}(?:st|nd|rd|th)\b(?!\s+(?:floor|anniversary|year|time|annual|street|avenue|birthday))"),
            _pattern("month and day", rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*(?::|,?\s*\d{{4}}))"),
            _pattern("weekday and time", rf"\b{_WEEKDAYS}\s+(?:at\s+)?(?:{_TIME})"),
            _pattern("clock time", rf"\b(?:{_TIME})\b", 0.7),
            _pattern("last weekday", rf"\b(?:last|this\s+past)\s+{_WEEKDAYS}\b"),
            _pattern("last week", r"\b(?:last|this\s+past)\s+(?:week|weekend|month|night)\b", 0.7),
        ],
        "AGE": [
            _pattern("at age", r"\b(?:at|aged?)\s+(?:1[3-9]|[2-9]\d)\b(?!\s*(?::|%|\.\d|am\b|pm\b|a\.m|p\.m|units?|ml|mg|cc|percent|min|hour|hr|day|week|month|dollar|o'clock|st\b|nd\b|rd\b|th\b|minutes|mins|people|clients|patients))"),
            _pattern("years old", r"\b\d{1,3}[- ]years?[- ]old\b"),
            _pattern("decade", r"\bin\s+your\s+(?:early\s+|mid-?\s*|late\s+)?(?:\d0s|twenties|thirties|forties|fifties|sixties|seventies|eighties)\b"),
            _pattern("your age", r"\b(?:at|for)\s+your\s+age\b"),
            _pattern("birthday", r"\bhappy\s+(?:1[3-9]|[2-9]\d)(?:st|nd|rd|th)\b|\bturn(?:s|ed|ing)?\s+(?:1[8-9]|[2-9]\d)\b(?!\s*(?:%|minutes|mins|years\s+in))"),
        ],
        "ACCOUNT_NUMBER": [
            _pattern("labelled number", r"\b(?:gift\s*card|card|member(?:ship)?|account|acct|client|patient|insurance|policy|invoice|order|confirmation|reference|ref|chart|id)\s*(?:#|no\.?|number|num\.?|id)?\s*[:#]?\s*[a-z]{0,4}-?\d[\d-]{2,}\b", 0.85),
            _pattern("coded number", r"\b[a-z]{1,4}-\d{4,}\b", 0.7),
            _pattern("hash number", r"#\s?\d{4,}\b", 0.7),
            _pattern("card ending", r"\b(?:visa|mastercard|amex|discover|card)\s+(?:ending|ends)\s+(?:in\s+|with\s+)?\d{4}\b", 0.85),
        ],
    }
    HOURS_WORDS = frozenset({"open", "opens", "close", "closes", "closed", "hours", "until", "daily", "weekdays", "weekends",
                             "available", "staffed", "reached", "answered", "opening"})
    # "reach us from 8am", "until 6pm": a range of hours, not an appointment
    RANGE_WORDS = frozenset({"from", "until", "till", "til", "between", "to", "-", "–"})

    def __init__(self, entity: str):
        super().__init__(supported_entity=entity, patterns=self.PATTERNS[entity], name=f"ServiceDetail{entity.title()}")

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags) or []
        if self.supported_entities[0] != "DATE_OF_SERVICE":
            return results
        scan = _scan(nlp_artifacts)
        doc = scan.doc
        kept = []
        for result in results:
            span = doc.char_span(result.start, result.end, alignment_mode="expand")
            if span is None:
                continue
            sentence = scan.sentence_of[span.start]
            words = {t.lower_ for t in scan.sentence_tokens(span.start)}
            preceding = doc[span.start - 1].lower_ if span.start else ""
            if (words & self.HOURS_WORDS or preceding in self.RANGE_WORDS) and not scan.second_person[sentence]:
                continue
            if scan.second_person[sentence] or scan.past_tense[sentence] or preceding in ("dated", "on"):
                kept.append(result)
        return kept


class ContactDetailRecognizer(_ScanRecognizer):
    """Phone numbers, e-mail addresses and street addresses that are not the practice's own.

    Its own e-mail pattern: Presidio's EmailRecognizer validates domains with tldextract,
    which would drop ".example" addresses and may reach for the network.
    """

    ENTITIES = ["PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS"]
    PHONE = re.compile(r"(?<![\w/])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]\d{4}(?!\w)")
    # A seven-digit local number ("448-2291"); the practice's own numbers end in theirs.
    LOCAL_PHONE = re.compile(r"(?<![\w/()-])\d{3}[.-]\d{4}(?![\w-])")
    EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
    STREET = re.compile(
        r"\b\d{1,5}\s+(?:[A-Z][a-z]+\.?\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Ct|Court|Way|Pl|Place|Pkwy|Parkway)\b"
    )

    def analyze(self, text, entities, nlp_artifacts=None):
        context = _context(nlp_artifacts)
        results = []
        for match in self.PHONE.finditer(text):
            digits = re.sub(r"\D", "", match.group())[-10:]
            if digits not in context.practice.phone_digits:
                results.append(RecognizerResult("PHONE_NUMBER", match.start(), match.end(), 0.85))
        for match in self.LOCAL_PHONE.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if not any(own.endswith(digits) for own in context.practice.phone_digits) and not any(
                r.start <= match.start() and match.end() <= r.end for r in results
            ):
                results.append(RecognizerResult("PHONE_NUMBER", match.start(), match.end(), 0.75))
        for match in self.EMAIL.finditer(text):
            address = match.group().lower()
            if address not in context.practice.emails and address.rsplit("@", 1)[-1] not in context.practice.domains:
                results.append(RecognizerResult("EMAIL_ADDRESS", match.start(), match.end(), 0.85))
        for match in self.STREET.finditer(text):
            results.append(RecognizerResult("STREET_ADDRESS", match.start(), match.end(), 0.7))
        return [result for result in results if result.entity_type in entities]


def build_recognizers() -> list[EntityRecognizer]:
    return [
        ClinicalTermRecognizer(),
        PatientStatusRecognizer(),
        RecordsLookupRecognizer(),
        RemedyRecognizer(),
        ReplyContextRecognizer(),
        ContactDetailRecognizer(),
        *(ServiceDetailRecognizer(entity) for entity in ServiceDetailRecognizer.PATTERNS),
    ]
