"""The matching engine: every glossary rendering found in one pass over the text.

The glossary is compiled once into a word trie keyed by case-folded,
NFC-normalised words and the separators between them. A document is
tokenised once; at each word the trie is walked as far as the text agrees,
so the cost per word does not depend on the glossary's size. Matching is
leftmost-longest, which makes `except` phrases ("Chicken Kiev") and longer
names ("Volodymyr Zelenskyy") win over the words inside them.
"""

from __future__ import annotations

import enum
import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from glossary_check.glossary import PATTERN_TIMEOUT, Glossary

#: A word: letters, marks and digits, with apostrophes inside (O'Brien, Знам'янка, Kyiv's).
WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’ʼ][\p{L}\p{M}\p{N}]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
_SPACES = regex.compile(r"\s+")
_PARAGRAPH = regex.compile(r"\n[^\S\n]*\n")
_POSSESSIVE = ("'s", "'")
OPENERS = "\"'“‘«„‚([{‹<*_"
#: Closing quotes and brackets that may stand between a sentence's end and the next one.
CLOSERS = "\"'”’»)]}›*_"
SENTENCE_ENDS = ".!?…\n\r"
#: A heading or list marker at the start of a line, with the space and openers after it.
_LINE_MARKER = regex.compile(
    r"[^\S\n\r]*(?:#{1,6}|[-+*•–—]|\d{1,3}[.)])[^\S\n\r]+[" + regex.escape(OPENERS) + r"\s]*"
)
_MARKER_REACH = 48


class Kind(enum.IntEnum):
    """What a glossary rendering is; lower values win when one text is several."""

    TERM = 0
    ALIAS = 1
    VARIANT = 2
    EXCEPT = 3
    SOURCE = 4


@dataclass(frozen=True, slots=True)
class Target:
    entry: int
    kind: Kind
    form: str
    fix: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """A stretch of the view that is some glossary rendering, in any letter case."""

    start: int
    end: int
    text: str
    targets: tuple[Target, ...]


def word_key(word: str) -> str:
    return unicodedata.normalize("NFC", word.casefold()).translate(_APOSTROPHES)


def gap_key(gap: str) -> str | None:
    """Separators compare with white space folded; a paragraph break never matches."""
    gap = gap.replace("\r\n", "\n").replace("\r", "\n")
    if _PARAGRAPH.search(gap):
        return None
    return _SPACES.sub(" ", gap).translate(_APOSTROPHES)


def phrase_key(text: str) -> tuple[tuple[str, ...], str] | None:
    """(word, gap, word, ... word) keys and the trailing punctuation of a rendering."""
    words = list(WORD.finditer(text))
    if not words:
        return None
    key: list[str] = [word_key(words[0].group())]
    for prev, cur in itertools.pairwise(words):
        gap = gap_key(text[prev.end() : cur.start()])
        if gap is None:
            return None
        key += [gap, word_key(cur.group())]
    tail = text[words[-1].end() :].strip()
    return tuple(key), tail


# A trie node: {key: child}, with the targets ending here under the key "".
Node = dict[str, "Node | list[Target]"]


@dataclass(slots=True)
class Matcher:
    """A compiled glossary. Plain typed data, so the on-disk cache stores it (see `cachefile`)."""

    root: dict[str, object] = field(default_factory=dict)
    tails: dict[tuple[int, str], str] = field(default_factory=dict)
    patterns: tuple[tuple[int, regex.Pattern[str]], ...] = ()

    def add(self, text: str, target: Target) -> None:
        parsed = phrase_key(text)
        if parsed is None:
            return
        key, tail = parsed
        node: dict[str, object] = self.root
        for part in key:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        here: list[Target] = node.setdefault("", [])  # type: ignore[assignment]
        if target not in here:
            here.append(target)
        if tail:
            self.tails[(target.entry, target.form)] = tail


def compile_glossary(glossary: Glossary) -> Matcher:
    matcher = Matcher()
    patterns = []
    for index, entry in enumerate(glossary.entries):
        matcher.add(entry.term, Target(index, Kind.TERM, entry.term))
        for alias in entry.aliases:
            matcher.add(alias, Target(index, Kind.ALIAS, alias))
        for variant in entry.variants:
            matcher.add(variant.wrong, Target(index, Kind.VARIANT, variant.wrong, variant.right))
        for phrase in entry.excepts:
            matcher.add(phrase, Target(index, Kind.EXCEPT, phrase))
        for lang, forms in entry.sources.items():
            for form in forms:
                matcher.add(form, Target(index, Kind.SOURCE, form, entry.term, lang))
        if entry.pattern is not None:
            patterns.append((index, entry.pattern))
    matcher.patterns = tuple(patterns)
    return matcher


def tokenize(view: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in WORD.finditer(view)]


def _possessive_stem(key: str) -> str | None:
    for suffix in _POSSESSIVE:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return None


def find_matches(matcher: Matcher, view: str, tokens: list[Token]) -> list[Match]:
    """Leftmost-longest glossary matches over the tokens of a view.

    Keys are computed once per distinct word, and only words whose key or
    possessive stem starts some rendering are walked from: most words start
    none, and the trie may be read lazily from the on-disk cache.
    """
    root = matcher.root
    keys: dict[str, tuple[str, str | None]] = {}
    starters: set[str] = set()
    for text in {token.text for token in tokens}:
        key = word_key(text)
        stem = _possessive_stem(key)
        keys[text] = (key, stem)
        first = root.get(key)
        stem_node = root.get(stem) if stem is not None else None
        if isinstance(first, dict) or (isinstance(stem_node, dict) and "" in stem_node):
            starters.add(text)

    out: list[Match] = []
    n = len(tokens)
    resume = 0
    for i in [i for i, token in enumerate(tokens) if token.text in starters]:
        if i < resume:
            continue
        best: tuple[int, int, list[Target]] | None = None  # (end offset, last token index, targets)
        node = root
        j = i
        while True:
            token = tokens[j]
            key, stem = keys[token.text]
            if stem is not None:
                stem_node = node.get(stem)
                if isinstance(stem_node, dict) and "" in stem_node:
                    best = (token.end - (len(key) - len(stem)), j, stem_node[""])
            child = node.get(key)
            if not isinstance(child, dict):
                break
            if "" in child:
                best = (token.end, j, child[""])
            if j + 1 >= n:
                break
            gap = gap_key(view[token.end : tokens[j + 1].start])
            after_gap = child.get(gap) if gap is not None else None
            if not isinstance(after_gap, dict):
                break
            node = after_gap
            j += 1
        if best is None:
            continue
        end, last, targets = best
        end = _with_tail(matcher, view, end, targets)
        out.append(Match(tokens[i].start, end, view[tokens[i].start : end], tuple(targets)))
        resume = last + 1
    return out


def _with_tail(matcher: Matcher, view: str, end: int, targets: list[Target]) -> int:
    for target in targets:
        tail = matcher.tails.get((target.entry, target.form))
        if tail and view.startswith(tail, end):
            return end + len(tail)
    return end


def pattern_matches(matcher: Matcher, view: str) -> Iterator[tuple[int, int, int]]:
    """(entry index, start, end) for every entry `pattern` hit; a runaway pattern is cut off."""
    for index, pattern in matcher.patterns:
        try:
            for m in pattern.finditer(view, timeout=PATTERN_TIMEOUT):
                if m.end() > m.start():
                    yield index, m.start(), m.end()
        except TimeoutError:
            continue


def normalise_gaps(text: str) -> str:
    """A rendering as written with its separators folded, for exact comparison."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).translate(_APOSTROPHES)


def at_sentence_start(view: str, start: int) -> bool:
    """True after `.`, `!`, `?`, a line break or the start, skipping opening quotes/brackets.

    Closing quotes after the stop (`“No.” Then`) and a heading or list marker at
    the start of a line (`# Title`, `- item`, `2. item`) do not hide the start.
    """
    i = start - 1
    while i >= 0 and (view[i] in OPENERS or (view[i].isspace() and view[i] not in "\n\r")):
        i -= 1
    if i < 0 or view[i] in SENTENCE_ENDS:
        return True
    # A marker and its indent are short: look back a little, not to a far line start.
    lo = max(0, start - _MARKER_REACH)
    line_break = max(view.rfind("\n", lo, start), view.rfind("\r", lo, start))
    if (line_break >= 0 or lo == 0) and _LINE_MARKER.fullmatch(view, line_break + 1, start):
        return True
    while i >= 0 and view[i] in CLOSERS:
        i -= 1
    return i >= 0 and view[i] in ".!?…"
