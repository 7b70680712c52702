"""Text as it is stored, and text as the guard reads it.

`stored_form` is what the desk saves and posts: NFKC, no invisible format characters.
`fold` is what an obfuscated reply means: HTML entities decoded, confusable letters
(Cyrillic "о", full-width "ｏ", mathematical "𝐁") mapped to ASCII from the Unicode
confusables table, accents and other combining marks dropped, spaced or dotted letters
joined ("B o t o x", "B.o.t.o.x"), and common digit-for-letter swaps undone ("B0t0x").
`Folded.origin` maps every character of the folded text back to the original, so a
finding on the folded text points at the characters a person sees.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

ZWJ = "\u200d"
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
# Three or more single letters kept apart by the same one-character separator: "B o t o x", "B.o.t.o.x".
_SPACED = re.compile(r"(?<![^\W\d_])([^\W\d_])([ .\-_*·•|/])(?:[^\W\d_]\2){1,}[^\W\d_](?![^\W\d_])")
_SWAPS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_WORDISH = re.compile(r"[0-9A-Za-z@$]+")


def _is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def stored_form(text: str) -> str:
    """NFKC with format characters (zero-width spaces, soft hyphens, direction marks) removed.

    A zero-width joiner between two non-letters is kept: it binds emoji sequences, not words.
    """
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for index, char in enumerate(text):
        if _is_format(char):
            if char == ZWJ:
                before = text[index - 1] if index else ""
                after = text[index + 1] if index + 1 < len(text) else ""
                if before and after and not before.isalnum() and not after.isalnum():
                    out.append(char)
            continue
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=1)
def _confusable_ascii() -> dict[str, str]:
    """char -> ASCII look-alike, from the confusable-homoglyphs package's copy of Unicode's confusables.txt."""
    from confusable_homoglyphs.confusables import confusables_data

    table = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        for homoglyph in homoglyphs:
            target = homoglyph.get("c", "")
            if len(target) == 1 and target.isascii() and target.isalnum():
                table[char] = target
                break
    return table


_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")


def _transliterated(char: str) -> str:
    """A letter from a script used for look-alikes ("т") in ASCII ("t"); anything else as it is."""
    if not char.isalpha() or not unicodedata.name(char, "").startswith(_LOOKALIKE_SCRIPTS):
        return char
    from anyascii import anyascii

    ascii_form = anyascii(char)
    return ascii_form if len(ascii_form) == 1 else char


@dataclass(frozen=True)
class Folded:
    text: str
    origin: tuple[int, ...]  # origin[i] = index in the original text of folded character i

    def span(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        """The original [start, end) that folded [start, end) came from."""
        if not self.origin:
            return 0, original_length
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[min(max(end - 1, start), len(self.origin) - 1)]
        return first, min(original_length, last + 1)


def _chars(text: str) -> list[tuple[str, int]]:
    """Entities decoded: (char, original index) pairs."""
    pairs: list[tuple[str, int]] = []
    position = 0
    for match in _ENTITY.finditer(text):
        pairs.extend((char, index) for index, char in enumerate(text[position:match.start()], start=position))
        decoded = html.unescape(match.group())
        if decoded == match.group():
            pairs.extend((char, index) for index, char in enumerate(match.group(), start=match.start()))
        else:
            pairs.extend((char, match.start()) for char in decoded)
        position = match.end()
    pairs.extend((char, index) for index, char in enumerate(text[position:], start=position))
    return pairs


def fold(text: str) -> Folded:
    """The reading of `text` that obfuscation cannot hide from (see the module docstring)."""
    if (text or "").isascii() and "&" not in text:  # nothing to map letter by letter: most replies
        pairs = _undo_digit_swaps(_join_spaced(_chars(text or "")))
        return Folded("".join(char for char, _ in pairs), tuple(index for _, index in pairs))
    table = _confusable_ascii()
    pairs = []
    for char, index in _chars(text or ""):
        if _is_format(char):
            continue
        for piece in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(piece) or _is_format(piece):
                continue
            if not piece.isascii():
                piece = table.get(piece) or _transliterated(piece)
            pairs.append((piece, index))
    pairs = _join_spaced(pairs)
    pairs = _undo_digit_swaps(pairs)
    return Folded("".join(char for char, _ in pairs), tuple(index for _, index in pairs))


def _join_spaced(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    text = "".join(char for char, _ in pairs)
    drop: set[int] = set()
    for match in _SPACED.finditer(text):
        separator = match.group(2)
        drop.update(i for i in range(match.start(), match.end()) if text[i] == separator)
    return [pair for i, pair in enumerate(pairs) if i not in drop] if drop else pairs


def _undo_digit_swaps(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """"B0t0x" -> "Botox": a swap character with a letter before it and a letter (or the word's end) after it."""
    text = "".join(char for char, _ in pairs)
    replace: dict[int, str] = {}
    for match in _WORDISH.finditer(text):
        word = match.group()
        if sum(char.isalpha() for char in word) < 2:
            continue
        if "@" in word and "." in text[match.end():match.end() + 64].split(" ")[0]:
            continue  # an e-mail address, not "Bot@x"
        for offset, char in enumerate(word):
            if char not in _SWAPS or offset == 0:
                continue
            before = word[offset - 1]
            after = word[offset + 1] if offset + 1 < len(word) else ""
            if before.isalpha() and (after.isalpha() or (not after and len(word) >= 4)):
                replace[match.start() + offset] = _SWAPS[char]
    if not replace:
        return pairs
    return [(replace.get(i, char), index) for i, (char, index) in enumerate(pairs)]
