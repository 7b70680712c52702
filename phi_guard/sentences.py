"""Where a reply's sentences end: spaCy's rule-based sentencizer, with two things it gets wrong in Spanish.

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
    """Move a sentence start from after "¡"/"¿" to the mark itself (after the sentencizer, before the parser)."""
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
