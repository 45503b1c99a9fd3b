"""The matching engine: every glossary rendering found in one pass over the text.

The glossary is compiled once into a word trie keyed by case-folded,
NFC-normalised words and the separators between them. A document is
tokenised once; at each word the trie is walked as far as the text agrees,
so the cost per word does not depend on the glossary's size. Matching is
leftmost-longest, which makes `except` phrases ("Chicken Kiev") and longer
names ("Volodymyr Zelenskyy") win over the words inside them.
"""

from __future__ import annotations

import bisect
import enum
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import regex

from glossary_check.engine.glossary import PATTERN_TIMEOUT, Glossary

#: A word: letters, marks and digits, with apostrophes inside (O'Brien, Знам'янка, Kyiv's).
WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’ʼ][\p{L}\p{M}\p{N}]+)*")


def _apostrophes(text: str) -> str:
    """’ and ʼ as '. Two replaces: quicker than a translate table, which looks up each letter."""
    return text.replace("’", "'").replace("ʼ", "'")


#: WORD with its matches kept by `split`: [before, word, gap, word, ..., word, after].
_WORD_SPLIT = regex.compile("(" + WORD.pattern + ")")
#: The same on ASCII text, where WORD's letters, marks and digits are [A-Za-z0-9] and its
#: apostrophes ': the standard library's engine is quicker at this simple pattern.
_ASCII_WORD_SPLIT = re.compile(r"([A-Za-z0-9]+(?:'[A-Za-z0-9]+)*)")
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
class SourceHit:
    """A source-language form of an entry found in the view (exact or inflected)."""

    start: int
    end: int
    entry: int
    language: str
    form: str
    #: the grammatical cases the form can be in here (pymorphy3's names), where analysed
    cases: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, init=False)
class Target:
    entry: int
    kind: Kind
    form: str
    fix: str | None = None
    language: str | None = None

    def __init__(
        self, entry: int, kind: Kind, form: str, fix: str | None = None,
        language: str | None = None,
    ) -> None:
        # One per rendering of a glossary: the slots are set as the frozen dataclass's own
        # __init__ sets them, without looking up object.__setattr__ for each.
        _TARGET_SLOTS[0](self, entry)
        _TARGET_SLOTS[1](self, kind)
        _TARGET_SLOTS[2](self, form)
        _TARGET_SLOTS[3](self, fix)
        _TARGET_SLOTS[4](self, language)


@dataclass(frozen=True, slots=True, init=False)
class Token:
    start: int
    end: int
    text: str

    def __init__(self, start: int, end: int, text: str) -> None:
        # One per word of every document: set as Target's are.
        _TOKEN_SLOTS[0](self, start)
        _TOKEN_SLOTS[1](self, end)
        _TOKEN_SLOTS[2](self, text)


def _slot_setters(
    cls: type, names: tuple[str, ...]
) -> tuple[Callable[[object, object], None], ...]:
    """The slots' own setters: a frozen class's __setattr__ refuses, they do not."""
    return tuple(vars(cls)[name].__set__ for name in names)


_TARGET_SLOTS = _slot_setters(Target, ("entry", "kind", "form", "fix", "language"))
_TOKEN_SLOTS = _slot_setters(Token, ("start", "end", "text"))


@dataclass(frozen=True, slots=True)
class Match:
    """A stretch of the view that is some glossary rendering, in any letter case."""

    start: int
    end: int
    text: str
    targets: tuple[Target, ...]


def word_key(word: str) -> str:
    if word.isascii():  # casefold is lower there, and NFC and the apostrophes change nothing
        return word.lower()
    return unicodedata.normalize("NFC", word.casefold()).replace("’", "'").replace("ʼ", "'")


def split_words(text: str) -> list[str]:
    """The text as [before, word, gap, word, ..., word, after] (just [text] without a word)."""
    if text.isascii():
        return _ASCII_WORD_SPLIT.split(text)
    return _WORD_SPLIT.split(text)


def gap_key(gap: str) -> str | None:
    """Separators compare with white space folded; a paragraph break never matches."""
    if gap == " ":  # nearly every gap
        return gap
    gap = gap.replace("\r\n", "\n").replace("\r", "\n")
    if _PARAGRAPH.search(gap):
        return None
    return _apostrophes(_SPACES.sub(" ", gap))


def phrase_key(text: str) -> tuple[tuple[str, ...], str] | None:
    """(word, gap, word, ... word) keys and the trailing punctuation of a rendering."""
    if not text.isascii():
        return parts_key(split_words(text))
    # On ASCII text the key of every word is its lower case, which keeps every offset:
    # the whole text is lowered once, and the tail read from the text as written.
    parts = _ASCII_WORD_SPLIT.split(text.lower())
    if len(parts) < 3:
        return None
    key = parts[1:-1]
    if not _fold_gaps(key):
        return None
    return tuple(key), text[len(text) - len(parts[-1]) :].strip()


def _fold_gaps(key: list[str]) -> bool:
    """Fold the gaps (odd places) of a split key in place; False across a paragraph."""
    for i in range(1, len(key), 2):
        gap = key[i]
        if gap != " ":
            folded = gap_key(gap)
            if folded is None:
                return False
            key[i] = folded
    return True


def parts_key(parts: list[str]) -> tuple[tuple[str, ...], str] | None:
    """`phrase_key` of a text already split by `split_words`."""
    if len(parts) < 3:
        return None
    key = parts[1:-1]
    for i in range(0, len(key), 2):
        key[i] = word_key(key[i])
    if not _fold_gaps(key):
        return None
    return tuple(key), parts[-1].strip()


_UNSEEN = object()

# A trie node: {key: child}, with the targets ending here under the key "".
Node = dict[str, "Node | list[Target]"]


#: A trie's contents listed rather than built: (key, target) in the order they were added.
TrieItems = list[tuple[tuple[str, ...], Target]]


@dataclass(slots=True)
class Matcher:
    """A compiled glossary. Plain typed data, so the on-disk cache stores it (see `cachefile`)."""

    root: dict[str, object] = field(default_factory=dict)
    tails: dict[tuple[int, str], str] = field(default_factory=dict)
    patterns: tuple[tuple[int, regex.Pattern[str]], ...] = ()
    #: entries whose term starts with no capital: their variants match in any case
    uncased: frozenset[int] = frozenset()
    #: given-name entry -> the surnames (case-folded, Latin and source) of the `person`
    #: entries whose accepted full name starts with its term: only before one of them do
    #: its variants and source forms say whose name it is
    surnames: dict[int, frozenset[str]] = field(default_factory=dict)

    def add(
        self, text: str, target: Target,
        keys: dict[str, tuple[tuple[str, ...], str] | None] | None = None,
        into: TrieItems | None = None,
    ) -> None:
        """The rendering `text` as `target`. `keys`: the `phrase_key`s made so far, by text;
        the text's is taken from there, or made and put there. `into`: a list its (key,
        target) is added to instead of the trie (see `compile_glossary`)."""
        key = self.keyed(text, target, keys)
        if key is None:
            return
        if into is None:
            self.insert(key, target)
        else:
            into.append((key, target))

    def keyed(
        self, text: str, target: Target,
        keys: dict[str, tuple[tuple[str, ...], str] | None] | None = None,
    ) -> tuple[str, ...] | None:
        """The trie key of `text` rendered as `target` (None: it has no word), its trailing
        punctuation noted for the target."""
        if keys is None:
            parsed = phrase_key(text)
        else:
            found = keys.get(text, _UNSEEN)
            if found is _UNSEEN:
                found = keys[text] = phrase_key(text)
            parsed = found  # type: ignore[assignment]
        if parsed is None:
            return None
        key, tail = parsed
        if tail:
            self.tails[(target.entry, target.form)] = tail
        return key

    def insert(self, key: tuple[str, ...], target: Target) -> None:
        """`target` in the node at `key`, once, after the targets already there."""
        node: dict[str, object] = self.root
        for part in key:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child  # type: ignore[assignment]
        here = node.get("")
        if here is None:
            node[""] = [target]
        elif target not in here:  # type: ignore[operator]
            here.append(target)  # type: ignore[attr-defined]


def given_name_surnames(glossary: Glossary) -> dict[int, frozenset[str]]:
    """For each `given-name` entry, the surnames of the people the desk writes it for.

    A person is written with the given name when one of its accepted renderings
    is the given name's term (or alias) followed by a surname; its variants'
    and source forms' last words are that person's surname too (Aleksandr
    Syrsky, Олександр Сирський).
    """
    firsts: dict[str, list[int]] = {}
    out: dict[int, set[str]] = {}
    for index, entry in enumerate(glossary.entries):
        if entry.kind == "given-name":
            out[index] = set()
            for text in entry.accepted:
                firsts.setdefault(word_key(text), []).append(index)
    if not out:
        return {}
    for entry in glossary.entries:
        if entry.kind != "person":
            continue
        givens: set[int] = set()
        for text in entry.accepted:
            words = [m.group() for m in WORD.finditer(text)]
            if len(words) > 1:
                givens.update(firsts.get(word_key(words[0]), ()))
        if not givens:
            continue
        renderings = [*entry.accepted, *(v.wrong for v in entry.variants)]
        renderings += [form for forms in entry.sources.values() for form in forms]
        last = {word_key(w[-1].group()) for r in renderings if (w := list(WORD.finditer(r)))}
        for index in givens:
            out[index] |= last
    return {index: frozenset(keys) for index, keys in out.items()}


def _surname_follows(
    surnames: frozenset[str], view: str, tokens: list[Token], j: int,
    forms_at: Mapping[int, Iterable[str]] | None = None,
) -> bool:
    """Whether a surname of `surnames` comes after token j, in the same name.

    One capitalised word may stand between (a middle initial or a patronymic:
    Oleksandr S. Syrskyi, Oleksandr Stanislavovych Syrskyi); punctuation may not.
    `forms_at` gives the dictionary forms found at a token's start, so an
    inflected surname counts (Олександру Сирському).
    """
    for k in (j + 1, j + 2):
        if k >= len(tokens):
            return False
        gap = view[tokens[k - 1].end : tokens[k].start]
        if k == j + 2 and gap.startswith("."):  # an initial's full stop
            gap = gap[1:]
        if not gap or gap_key(gap) != " ":
            return False
        key = word_key(tokens[k].text)
        if key in surnames or _possessive_stem(key) in surnames:
            return True
        if forms_at is not None and any(
            (words := WORD.findall(form)) and word_key(words[-1]) in surnames
            for form in forms_at.get(tokens[k].start, ())
        ):
            return True
        if not tokens[k].text[:1].isupper():
            return False
    return False


def given_name_fits(
    matcher: Matcher, entry: int, view: str, tokens: list[Token], end: int,
    forms_at: Mapping[int, Iterable[str]] | None = None,
) -> bool:
    """False for a `given-name` entry's variant or source form ending at `end` that stands
    alone or before another surname than its people's: a first name alone says nothing
    about whose it is (Vladimir Nabokov, Olga Tokarczuk; Яну Полтеру is not Яна's). True
    for every other entry. `forms_at`: the source forms found, by start offset."""
    surnames = matcher.surnames.get(entry)
    if surnames is None:
        return True
    j = bisect.bisect_left(tokens, end, key=lambda t: t.end)
    return j < len(tokens) and _surname_follows(surnames, view, tokens, j, forms_at)


def _cased_ok(form: str, kind: Kind, tokens: list[Token], i: int) -> bool:
    """A proper noun's variant or except phrase, or a capitalised source form, matches
    text with a capital.

    The text must be capitalised where the rendering's name is: at the rendering's
    first capitalised word (`Luck` finds Luck and LUCK, not luck; `the Ukraine`
    finds the Ukraine, not the ukraine). An except phrase only withholds a
    finding, so any of its capitalised words will do (chicken Kiev).
    """
    words = [m.group() for m in WORD.finditer(form)]
    capital = [k for k, w in enumerate(words) if w[:1].isupper()]
    if not capital:  # a lower-case source form (коалиция желающих) says nothing of case
        if kind is Kind.SOURCE:
            return True
        capital = [0]
    if kind is Kind.EXCEPT:
        return any(i + k < len(tokens) and tokens[i + k].text[:1].isupper() for k in capital)
    k = capital[0]
    return i + k < len(tokens) and tokens[i + k].text[:1].isupper()


def _admissible(matcher: Matcher, view: str, tokens: list[Token], i: int, j: int,
                targets: list[Target]) -> list[Target]:
    """The targets a stretch of tokens i..j really is, by letter case and given-name context."""
    out = []
    for t in targets:
        if t.kind in (Kind.TERM, Kind.ALIAS):
            out.append(t)
            continue
        proper = t.kind is Kind.SOURCE or t.entry not in matcher.uncased
        if proper and not _cased_ok(t.form, t.kind, tokens, i):
            continue
        if t.kind is not Kind.EXCEPT and t.entry in matcher.surnames and not _surname_follows(
            matcher.surnames[t.entry], view, tokens, j
        ):
            continue
        out.append(t)
    return out


def compile_glossary(
    glossary: Glossary, keys: dict[str, tuple[tuple[str, ...], str] | None] | None = None,
    items: TrieItems | None = None,
) -> Matcher:
    """The glossary's trie. `keys`, where given, is filled with the `phrase_key` of every
    text compiled, for the caller to reuse (each text is keyed once however often listed).
    `items`, where given, is filled with the trie's (key, target) pairs instead, and the
    trie is left empty: a caller that writes it out and reads it back from the file never
    makes its nodes, a dict each (most of a large glossary's compiled memory); `nest`
    makes them should it need them after all."""
    matcher = Matcher()
    matcher.uncased = frozenset(
        i for i, e in enumerate(glossary.entries) if not e.term[:1].isupper()
    )
    matcher.surnames = given_name_surnames(glossary)
    if keys is None:
        keys = {}
    add = matcher.add
    patterns = []
    term, alias, variant_, except_, source = (
        Kind.TERM, Kind.ALIAS, Kind.VARIANT, Kind.EXCEPT, Kind.SOURCE
    )
    for index, entry in enumerate(glossary.entries):
        add(entry.term, Target(index, term, entry.term), keys, items)
        for text in entry.aliases:
            add(text, Target(index, alias, text), keys, items)
        for variant in entry.variants:
            add(variant.wrong, Target(index, variant_, variant.wrong, variant.right), keys, items)
        for text in entry.excepts:
            add(text, Target(index, except_, text), keys, items)
        for lang, forms in entry.sources.items():
            for text in forms:
                add(text, Target(index, source, text, entry.term, lang), keys, items)
        if entry.pattern is not None:
            patterns.append((index, entry.pattern))
    matcher.patterns = tuple(patterns)
    return matcher


def nest(matcher: Matcher, items: TrieItems) -> None:
    """The trie of `items` (see `compile_glossary`) made in `matcher`."""
    insert = matcher.insert
    for key, target in items:
        insert(key, target)


class Memo:
    """Answers about words, kept from one document to the next while the process checks
    with one glossary: articles repeat most of their words (names, bylines, rubrics),
    and a first look-up may read the on-disk cache.

    The answers are those of one owner (a trie, a compiled glossary), by identity: asked
    for another, the memo starts afresh, as it does once it holds `limit` answers (an
    archive's vocabulary would otherwise grow without end; a few megabytes at most). The
    owner and its answers are swapped in one assignment, so a thread never sees one
    owner's answers as another's. The owner must not change while its answers are kept:
    tries and compiled glossaries do not once built.
    """

    __slots__ = ("_kept", "limit")

    def __init__(self, limit: int = 50_000) -> None:
        self._kept: tuple[object, dict[Any, Any]] = (None, {})
        self.limit = limit

    def of(self, owner: object) -> dict[Any, Any]:
        """The answers kept for `owner` (an empty dict the first time), to read and fill."""
        kept = self._kept
        if kept[0] is not owner or len(kept[1]) >= self.limit:
            kept = self._kept = (owner, {})
        return kept[1]


def tokenize(view: str) -> list[Token]:
    """The words of a view (WORD's matches), with their offsets.

    From `split`: its strings come at once, where `finditer` makes a match object a word
    and three calls of it; offsets are the lengths before each word, added up.
    """
    parts = _WORD_SPLIT.split(view)
    out: list[Token] = []
    append = out.append
    end = 0
    for gap, word in zip(parts[0::2], parts[1::2], strict=False):  # the last gap has no word
        start = end + len(gap)
        end = start + len(word)
        append(Token(start, end, word))
    return out


def possessive(text: str) -> str:
    """A word as written without its possessive ending (Zelensky’s -> Zelensky)."""
    return text[:-2] if text[-2:] in ("'s", "’s", "ʼs") else text


def _possessive_stem(key: str) -> str | None:
    for suffix in _POSSESSIVE:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return None


#: Per distinct word of a view: its key, its possessive stem's (or None), and whether a
#: rendering can start with it.
_Keys = dict[str, tuple[str, str | None, bool]]
#: The longest admissible match found from one token: (end offset, last token index, targets).
_Best = tuple[int, int, list[Target]]


def find_matches(matcher: Matcher, view: str, tokens: list[Token]) -> list[Match]:
    """Leftmost-longest glossary matches over the tokens of a view.

    Keys are computed once per distinct word, and only words whose key or
    possessive stem starts some rendering are walked from: most words start
    none, and the trie may be read lazily from the on-disk cache.
    """
    keys = _starters(matcher.root, tokens)
    out: list[Match] = []
    resume = 0
    for i in [i for i, token in enumerate(tokens) if keys[token.text][2]]:
        if i < resume:
            continue
        best = _longest_from(matcher, view, tokens, keys, i)
        if best is None:
            continue
        end, last, targets = best
        end = _with_tail(matcher, view, end, targets)
        out.append(Match(tokens[i].start, end, view[tokens[i].start : end], tuple(targets)))
        resume = last + 1
    return out


#: Each word seen, by trie: its `_Keys` entry (the trie is asked once per process).
_SEEN = Memo()


def _starters(root: dict[str, object], tokens: list[Token]) -> _Keys:
    """For every distinct word (and more: those of earlier documents): its key, its
    possessive stem's, and whether a rendering can start with it.

    The trie is asked once per distinct key (Kyiv and KYIV are one), and of a possessive
    stem only when the word itself starts nothing: a look-up may read the on-disk cache.
    Words are remembered from document to document (see `Memo`).
    """
    keys: _Keys = _SEEN.of(root)
    for text in {token.text for token in tokens}:
        if text not in keys:
            keys[text] = _word_keys(root, text)
    return keys


def _word_keys(root: dict[str, object], text: str) -> tuple[str, str | None, bool]:
    key = word_key(text)
    stem = _possessive_stem(key)
    starts = isinstance(root.get(key), dict)
    if not starts and stem is not None:
        stem_node = root.get(stem)
        starts = isinstance(stem_node, dict) and "" in stem_node
    return key, stem, starts


def _longest_from(
    matcher: Matcher, view: str, tokens: list[Token], keys: _Keys, i: int
) -> _Best | None:
    """Walk the trie from token i as far as the text agrees; the longest admissible end.

    At each word a rendering may end on the word itself or on its possessive
    stem (Kyiv's), and the walk goes on only through the word and the gap after it.
    """
    best: _Best | None = None
    node = matcher.root
    last = len(tokens) - 1
    j = i
    while True:
        token = tokens[j]
        key, stem, _ = keys[token.text]
        if stem is not None:
            stem_node = node.get(stem)
            if isinstance(stem_node, dict) and "" in stem_node:
                found = _admissible(matcher, view, tokens, i, j, stem_node[""])
                if found:
                    best = (token.end - (len(key) - len(stem)), j, found)
        child = node.get(key)
        if not isinstance(child, dict):
            return best
        if "" in child:
            found = _admissible(matcher, view, tokens, i, j, child[""])
            if found:
                best = (token.end, j, found)
        if j == last:
            return best
        gap = gap_key(view[token.end : tokens[j + 1].start])
        after_gap = child.get(gap) if gap is not None else None
        if not isinstance(after_gap, dict):
            return best
        node = after_gap
        j += 1


def _with_tail(matcher: Matcher, view: str, end: int, targets: list[Target]) -> int:
    for target in targets:
        tail = matcher.tails.get((target.entry, target.form))
        if tail and view.startswith(tail, end):
            return end + len(tail)
    return end


#: Seconds all the patterns of a glossary may take on one document (each also has
#: PATTERN_TIMEOUT); both grow by their own size for every million characters.
PATTERN_BUDGET = 2.0


class PatternTimeout(Exception):
    """A pattern ran out of time on a document: its findings would be missing, so the
    document cannot be said to be checked. `entry` is the index of the entry whose
    pattern stopped; `budget` is True when the patterns' time together ran out."""

    def __init__(self, entry: int, seconds: float, budget: bool) -> None:
        self.entry, self.seconds, self.budget = entry, seconds, budget
        super().__init__(entry, seconds, budget)


def pattern_matches(matcher: Matcher, view: str) -> Iterator[tuple[int, int, int]]:
    """(entry index, start, end) for every entry `pattern` hit.

    A runaway pattern (catastrophic backtracking) raises PatternTimeout, as do
    patterns that are each within their time but together past the budget: many
    slow patterns cannot multiply a check's time.
    """
    scale = 1 + len(view) / 1_000_000
    budget = PATTERN_BUDGET * scale
    deadline = time.monotonic() + budget
    for index, pattern in matcher.patterns:
        left = deadline - time.monotonic()
        timeout = min(PATTERN_TIMEOUT * scale, left)
        if left <= 0:
            raise PatternTimeout(index, budget, budget=True)
        try:  # all at once: the timeout counts from the start of the search
            found = [m.span() for m in pattern.finditer(view, timeout=timeout)]
        except TimeoutError:
            raise PatternTimeout(index, timeout, budget=timeout < PATTERN_TIMEOUT * scale) from None
        for start, end in found:
            if end > start:
                yield index, start, end


def normalise_gaps(text: str) -> str:
    """A rendering as written with its separators folded, for exact comparison."""
    return _apostrophes(_SPACES.sub(" ", unicodedata.normalize("NFC", text)))


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
