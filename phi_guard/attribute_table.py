"""spaCy's attribute_ruler with its rules looked up in tables: the same annotations in a fraction of the time.

en_core_web_sm's attribute_ruler gives each token its coarse part of speech, morphology and some lemmas from its
fine-grained tag, its lower-case form and its dependency label, with 179 Matcher patterns. Matching them took
1.4 ms of a 70-token draft's 6 ms parse, more than the parser. Nearly all of those patterns are one token whose
attributes must equal given values (or be IN a list of them): here they are dictionary lookups keyed on the tuple
of those attributes. The rest (two-token patterns, NOT_IN, REGEX) stay in a Matcher of their own. The matches are
then set by the model's own ruler, exactly as it sets its own (all matched first, then applied in the order of
the rules, a later rule winning), so the annotations are the ruler's: tests/phi_guard/test_attribute_table.py
compares the two match lists over the labelled corpus.

    attribute_table_install(nlp)   # after spacy.load; a pipeline without an attribute_ruler is left as it is
"""
from __future__ import annotations

import itertools
from collections import defaultdict

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

FACTORY = "phi_guard_attribute_table"
# The token attributes a table can key on, with how a pattern's value becomes the array's value.
_KEYS = {"TAG": "string", "LOWER": "string", "DEP": "string", "IS_SPACE": "flag"}


class AttributeTable:
    """A pipeline component: `ruler`'s matches found by table lookups, set by `ruler`."""

    def __init__(self):
        self.ruler = None
        self.tables: dict[tuple[str, ...], dict[tuple[int, ...], list[int]]] = {}
        self.matcher: Matcher | None = None
        self.columns: list[str] = []
        self.match_ids: list[int] = []
        self.matcher_rules: set[int] = set()  # the rules left to the Matcher

    def rules_from(self, ruler) -> None:
        """Take `ruler`'s rules (an AttributeRuler: it also sets the matches)."""
        self.ruler = ruler
        vocab = ruler.vocab
        tables: dict[tuple[str, ...], dict[tuple[int, ...], list[int]]] = defaultdict(lambda: defaultdict(list))
        self.matcher = Matcher(vocab)
        # The ruler's rule i is its Matcher key str(i): its position in `ruler.patterns` (the order of `attrs`).
        self.match_ids = [vocab.strings.add(str(rule)) for rule in range(len(ruler.attrs))]
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                keyed = _equality_keys(pattern, vocab)
                if keyed is None:
                    self.matcher.add(str(rule), [pattern])
                    self.matcher_rules.add(rule)
                    continue
                names, value_sets = keyed
                for values in itertools.product(*value_sets):
                    found = tables[names][values]
                    if rule not in found:
                        found.append(rule)
        self.tables = {names: dict(table) for names, table in tables.items()}
        self.columns = sorted({name for names in self.tables for name in names})

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """The ruler's `match(doc)`: (rule, match id, start, end), sorted."""
        matches = [
            (int(doc.vocab.strings[match_id]), match_id, start, end)
            for match_id, start, end in self.matcher(doc, allow_missing=True, as_spans=False)
        ] if len(self.matcher) else []
        if self.tables and len(doc):
            array = doc.to_array([IDS[name] for name in self.columns])
            columns = dict(zip(self.columns, array.reshape(len(doc), -1).T.tolist()))
            match_ids = self.match_ids
            for names, table in self.tables.items():
                for position, key in enumerate(zip(*(columns[name] for name in names))):
                    rules = table.get(key)
                    if rules:
                        matches.extend((rule, match_ids[rule], position, position + 1) for rule in rules)
        matches.sort()
        return matches

    def __call__(self, doc: Doc) -> Doc:
        self.ruler.set_annotations(doc, self.match(doc))
        return doc


def _equality_keys(pattern: list[dict], vocab) -> tuple[tuple[str, ...], list[list[int]]] | None:
    """(attribute names, the values each may take) for a one-token pattern of equalities and IN lists over the
    table's attributes; None for any other pattern."""
    if len(pattern) != 1:
        return None
    names, value_sets = [], []
    for name, wanted in sorted(pattern[0].items()):
        if name not in _KEYS:
            return None
        if isinstance(wanted, dict):
            if set(wanted) != {"IN"}:
                return None
            choices = list(wanted["IN"])
        else:
            choices = [wanted]
        if _KEYS[name] == "flag":
            if not all(isinstance(choice, bool) for choice in choices):
                return None
            values = [int(choice) for choice in choices]
        else:
            # An empty string is "not set" to the Matcher (value 0), not the hash of "".
            if not all(isinstance(choice, str) and choice for choice in choices):
                return None
            values = [vocab.strings.add(choice) for choice in choices]
        names.append(name)
        value_sets.append(values)
    if not names:
        return None
    return tuple(names), value_sets


@Language.factory(FACTORY)
def _make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    return AttributeTable()


def attribute_table_install(nlp: Language) -> None:
    """Replace `nlp`'s attribute_ruler with an AttributeTable over the same rules."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe("attribute_ruler")
    nlp.replace_pipe("attribute_ruler", FACTORY)
    nlp.get_pipe("attribute_ruler").rules_from(ruler)
