"""Where a reply's sentences end: spaCy's rule-based sentencizer, with what it gets wrong in replies.

- A line break ends a sentence: a greeting on its own line ("Hi Nia,"), a signature ("— The team") or a
  postscript is a sentence of its own, not the start or the end of its neighbour's. Without this, a dropped
  sentence took the signature above it with it, and a greeting line was read as part of the first sentence.
- "¡" and "¿" open a sentence, but the sentencizer hangs them on the end of the sentence before ("… al
  (505) 555-0163. ¡" then "Todos son bienvenidos!"), which leaves the next sentence without its mark and
  the one before with a stray one.
- A Spanish title ("Dra.", "Sra.", "Lic.") is an abbreviation, not the end of a sentence: spaCy's English
  tokenizer knows "Dr." and "Mrs." but splits "Dra." into "Dra" and ".", and the sentencizer ends the
  sentence there ("Gracias, Dra." then "Pérez.").
"""
from __future__ import annotations

from spacy.language import Language
from spacy.symbols import ORTH

OPENING_MARKS = frozenset("¡¿")
SPANISH_TITLES = ("Dra.", "Dras.", "Dres.", "Sra.", "Sras.", "Srta.", "Srtas.", "Sr.", "Sres.", "Lic.", "Lcda.",
                  "Lcdo.", "Ing.", "Profa.", "Prof.", "Enf.", "Ud.", "Uds.", "Dña.", "Dn.")
COMPONENT = "guard_opening_marks"


@Language.component(COMPONENT)
def opening_marks(doc):
    """Start a sentence after every line break (the break ends the sentence before it), and move a sentence start
    from after "¡"/"¿" to the mark itself (after the sentencizer, before the parser)."""
    for token in doc[1:-1]:
        if token.is_space and "\n" in token.text:
            token.is_sent_start = False
            doc[token.i + 1].is_sent_start = True
    if len(doc) > 1 and doc[-1].is_space:
        doc[-1].is_sent_start = False  # trailing white space ends the last sentence; it is not one of its own
    for token in doc[1:-1]:
        following = doc[token.i + 1]
        if token.text in OPENING_MARKS and following.is_sent_start and not token.is_sent_start:
            token.is_sent_start = True
            following.is_sent_start = False
    return doc


def add_sentence_rules(nlp) -> None:
    """Teach `nlp` the titles and put the sentencizer first, followed by the opening-mark fix."""
    for title in SPANISH_TITLES:
        for form in {title, title.lower(), title.upper()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, after="sentencizer")


def split(nlp, text: str) -> list:
    """The sentences of `text` by the tokenizer and the sentence rules alone (no tagger, parser or NER)."""
    doc = opening_marks(nlp.get_pipe("sentencizer")(nlp.tokenizer(text)))
    return list(doc.sents)


def stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence's span in `text` without the white space at its ends (a sentence runs on to the line break that
    ends it)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
