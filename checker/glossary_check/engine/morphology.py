"""Inflected source forms: every case of a glossary's Russian and Ukrainian names.

A glossary lists dictionary forms (Киев, Новая газета Европа); articles hold
any inflected form (в Киеве, «Новой газеты Европа», Зеленського). The index
is compiled once per glossary: each source word is analysed with pymorphy3
(every parse, so uk `Києві` is found although its first parse is `кий`) and
kept as the readings it has in its dictionary form: lemma, part of speech and
gender. Two words are forms of one another only when they share lemma, part
of speech and gender: derived words (Киевский, киевлянин) and other people of
a shared stem (Зеленская) are other lexemes, not forms.

The dictionary form's own structure says which words inflect: an adjective
and its head noun agree and inflect together; a personal name inflects as a
whole; everything after the head (a genitive complement, коалиция желающих;
a title in apposition, Новая газета «Европа») keeps the form as written, and
so do indeclinables (Фигаро, Кличко, abbreviations, foreign titles such as
Le Monde). In a document, the inflecting words of a match must agree in
case, number and gender.

Matching is leftmost-longest over the tokens of a view. Each distinct word is
analysed once per run (the `cache` dict), and only when its first letters
are those of some indexed form, so the cost grows with the vocabulary of the
document, not its length.

A run analyses only the source forms its documents' words can reach
(`LazySourceIndex`), and keeps what it analysed, its words' analyses too, for
later runs (`Analysed`): no run analyses the whole glossary, and none analyses
a form or a word an earlier run kept.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import math
import os
import types
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from glossary_check.engine.glossary import Glossary
from glossary_check.engine.matching import WORD, SourceHit, Token, gap_key
from glossary_check.engine.remembered import remembered, texts

#: Bump when the layout of a compiled index changes (part of `fingerprint()`).
FORMAT = 2
#: Languages pymorphy3 has dictionaries for; forms in other languages match only as written.
ANALYSED = ("ru", "uk")
#: Letters that rule a word out of one of the analysed languages.
_NOT_IN = {"ru": frozenset("іїєґ"), "uk": frozenset("ыэъё")}
_CASES = {"gen1": "gent", "gen2": "gent", "acc2": "accs", "loc1": "loct", "loc2": "loct"}
_GENDERS = frozenset({"masc", "femn", "neut"})
_INFLECTING = frozenset({"NOUN", "ADJF", "PRTF"})
_PERSON_TAGS = ("Name", "Surn", "Patr")
#: Tags of a proper-noun parse: a name, a place, an organisation, a trade mark.
PROPER_TAGS = (*_PERSON_TAGS, "Geox", "Orgn", "Trad")
#: Parts of speech of a common word a capitalised name may also be (слава, белое, мирно).
_COMMON_POS = frozenset({"NOUN", "ADJF", "ADJS", "COMP", "ADVB", "PRED", "PRTF"})
_ATTRIBUTES = frozenset({"ADJF", "PRTF"})
#: Articles that mark a publication or organisation title as foreign, hence indeclinable.
_ARTICLES = frozenset({"le", "la", "les", "l", "the", "der", "die", "das", "el", "los", "las",
                       "il", "lo", "gli", "de", "het"})
_CONSONANT_END = regex.compile(r"[бвгґджзйклмнпрстфхцчшщь]$")
_CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")
_STRESS = regex.compile("[\u0300\u0301]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
_QUOTES = str.maketrans(dict.fromkeys("«»“”„‟\"‹›", None))
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
_SPACE_RUN = regex.compile(r"\s+")
#: Letters of a form's start used to decide whether a document word is worth analysing.
PREFIX = 3


#: Characters that normalisation leaves as they are and that carry no stress mark.
_PLAIN = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюяёєіїґ"
                   "abcdefghijklmnopqrstuvwxyz0123456789-'’ʼ`")


def spelling(word: str) -> str:
    """A word as the analyser wants it: lower case, stress marks off, ASCII apostrophe."""
    lower = word.lower()
    if _PLAIN.issuperset(lower):
        return lower.translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFD", lower)
    return unicodedata.normalize("NFC", _STRESS.sub("", decomposed)).translate(_APOSTROPHES)


def fold(word: str) -> str:
    """Comparison key of a word: its spelling, case-folded, with ё as е (texts seldom write ё)."""
    return spelling(word).casefold().replace("ё", "е")


def _gap(text: str) -> str | None:
    """Separators compare with quotes dropped and white space folded; None across paragraphs."""
    key = gap_key(text)
    if key is None:
        return None
    folded: str = _SPACE_RUN.sub(" ", key.translate(_QUOTES).translate(_HYPHENS))
    return folded


@functools.cache
def analyzer(language: str) -> Any | None:
    """The process's one pymorphy3 analyser for `language`, or None where there is none.

    Loading a dictionary takes a fraction of a second and some 15 MB, so each
    is loaded once, on first use; this cache is the module's only state.
    """
    if language not in ANALYSED:
        return None
    try:
        import pymorphy3
    except ImportError:
        return None
    try:
        return pymorphy3.MorphAnalyzer(path=_dictionary(language, pymorphy3), lang=language)
    except (ValueError, OSError, KeyError):
        return None


def _dictionary(language: str, pymorphy3: Any) -> str | None:
    """The folder of the language's dictionary package, as pymorphy3 would find it, without
    its search of every installed package's entry points (a fiftieth of a second each
    language); None, for pymorphy3 to look itself, where its variable names a folder or
    the package is not where this expects it."""
    from importlib.util import find_spec

    if pymorphy3.MorphAnalyzer.DICT_PATH_ENV_VARIABLE in os.environ:
        return None
    try:
        spec = find_spec(f"pymorphy3_dicts_{language}")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(spec.submodule_search_locations[0], "data")
    return path if os.path.isfile(os.path.join(path, "meta.json")) else None


@functools.cache
def fingerprint() -> str:
    """What a compiled index depends on besides the glossary: a disk cache keys on it too.
    Asked once per process (the installed versions do not change under it)."""
    parts = [f"format={FORMAT}"]
    for name in ("pymorphy3", "pymorphy3-dicts-ru", "pymorphy3-dicts-uk"):
        parts.append(f"{name}={installed_version(name)}")
    return ";".join(parts)


def installed_version(name: str, package: str | None = None) -> str:
    """`importlib.metadata.version(name)` ("none" if not installed), read from the package's
    `.dist-info` beside it where there is one (`package`: the name it is imported by, where
    that is not the distribution's): importlib.metadata's import (the email package's
    parser) costs a run more than the rest of what keys the index."""
    import glob
    from importlib.util import find_spec

    module = name.replace("-", "_")
    try:
        spec = find_spec(package or module)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        folder = os.path.dirname(os.path.abspath(spec.submodule_search_locations[0]))
        found = glob.glob(os.path.join(glob.escape(folder), f"{module}-*.dist-info"))
        if len(found) == 1:  # one installed version, as importlib.metadata would find
            try:
                with open(os.path.join(found[0], "METADATA"), encoding="utf-8") as f:
                    head = f.read(4096)
            except OSError:
                head = ""
            names = [line[5:].strip() for line in head.splitlines() if line.startswith("Name:")]
            versions = [line[8:].strip() for line in head.splitlines()
                        if line.startswith("Version:")]
            if (len(names) == 1 and len(versions) == 1 and names[0].replace("-", "_").lower()
                    == module.lower()):
                return versions[0]
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


@dataclass(frozen=True, slots=True)
class Reading:
    """A lexeme a dictionary-form word can be: text words must share all of it."""

    lemma: str
    pos: str
    #: the lexeme's (or, for an adjective, the form's) gender; None matches any
    gender: str | None = None
    #: voice and tense of a participle, which pymorphy3 files under the verb's lemma
    extra: str = ""
    #: a man's name that declines as a noun whatever the dictionary guesses (Мастерс)
    declines: bool = False


@dataclass(frozen=True, slots=True)
class Analysis:
    """One parse of a document word, reduced to what matching compares."""

    lemma: str
    pos: str
    gender: str | None
    case: str
    number: str
    extra: str
    #: an indeclinable reading: the same form stands for every case
    fixd: bool = False
    #: tagged as a name, surname, place, organisation or trade mark
    proper: bool = False
    #: from the dictionary, not guessed from the word's ending
    known: bool = True
    #: the analyser's estimate of this parse's likelihood (Ukrainian has none: all 1.0)
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class WordSpec:
    """One word of a source form: inflecting (readings) or fixed (surface only)."""

    surface: str
    capital: bool
    readings: frozenset[Reading] = frozenset()


@dataclass(frozen=True, slots=True)
class Pattern:
    entry: int
    language: str
    form: str
    words: tuple[WordSpec, ...]
    gaps: tuple[str, ...]
    #: a person's name: its plural (the Zakharovs) loses the gender that tells people apart
    singular: bool = False
    #: a place named by an adjective alone (Белое, Южное, Золоте): before a noun it agrees
    #: with, the word is that noun's attribute (Белого дома), not the name
    adjectival: bool = False


@dataclass(slots=True)
class SourceIndex:
    """A glossary's source forms compiled for inflected matching. Plain typed data, so the
    on-disk cache stores it (see `cachefile`)."""

    patterns: tuple[Pattern, ...] = ()
    #: (language, lemma of an inflecting first word) -> numbers of one-word patterns
    by_lemma: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    #: (language, lemma of an inflecting first word, lemma or surface of the second word)
    #: -> numbers of longer patterns: a first name that starts hundreds of names is looked up
    #: with the word after it, so a run tries a handful of patterns, not all of them
    by_pair: dict[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)
    #: folded surface of a fixed first word -> pattern numbers
    by_surface: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: language -> first letters of every form of an inflecting first word -> needs a capital
    starts: dict[str, dict[str, bool]] = field(default_factory=dict)
    fingerprint: str = ""
    #: (entry, language, form) -> pattern number, to judge exact hits by their pattern
    numbers: dict[tuple[int, str, str], int] = field(default_factory=dict)

    @classmethod
    def compile(
        cls,
        forms: Iterable[tuple[int, str, str]],
        about: Mapping[int, tuple[str | None, str]] | None = None,
    ) -> SourceIndex:
        """Index (entry index, language, form) triples; `about` gives an entry's kind and term."""
        about = about or {}
        tables = _Tables()
        count = 0
        for entry, language, form in forms:
            kind, term = about.get(entry, (None, ""))
            if tables.add(count, entry, language, form, kind, term) is not None:
                count += 1
        return cls(
            tuple(tables.patterns.values()),
            {k: tuple(v) for k, v in tables.by_lemma.items()},
            {k: tuple(v) for k, v in tables.by_pair.items()},
            {k: tuple(v) for k, v in tables.by_surface.items()},
            tables.starts,
            fingerprint(),
            tables.numbers,
        )


@dataclass(slots=True)
class _Tables:
    """An index's look-up tables while forms are added, in the order of their numbers."""

    patterns: dict[int, Pattern] = field(default_factory=dict)
    by_lemma: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    by_pair: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    by_surface: dict[str, list[int]] = field(default_factory=dict)
    starts: dict[str, dict[str, bool]] = field(default_factory=dict)
    numbers: dict[tuple[int, str, str], int] = field(default_factory=dict)
    memo: _Memo = field(default_factory=dict)
    #: (language, lemma) of the first word of some form of several words (see `by_pair`)
    pair_firsts: set[tuple[str, str]] = field(default_factory=set)
    #: bumped whenever a table changes: what was looked up in them before is stale
    version: int = 0

    def add(self, number: int, entry: int, language: str, form: str, kind: str | None,
            term: str) -> Pattern | None:
        """Analyse one form and file it under `number`; None if it has no word to match."""
        built = _pattern(entry, language, form, kind, term, self.memo)
        if built is None:
            return None
        pattern, prefixes = built
        self.file(number, pattern)
        if pattern.words[0].readings:
            table = self.starts.setdefault(language, {})
            for prefix in prefixes:
                table[prefix] = table.get(prefix, True) and pattern.words[0].capital
        self.version += 1
        return pattern

    def file(self, number: int, pattern: Pattern) -> None:
        """File an analysed form under `number` in every table but `starts` (which needs the
        first letters of its word's forms: `add` has them, a kept index keeps the table)."""
        language = pattern.language
        self.version += 1
        self.patterns[number] = pattern
        self.numbers.setdefault((pattern.entry, language, pattern.form), number)
        first = pattern.words[0]
        if not first.readings:
            self.by_surface.setdefault(first.surface, []).append(number)
            return
        seconds = _second_keys(pattern)
        for lemma in {r.lemma for r in first.readings}:
            if seconds is None:
                self.by_lemma.setdefault((language, lemma), []).append(number)
                continue
            self.pair_firsts.add((language, lemma))
            for second in seconds:
                self.by_pair.setdefault((language, lemma, second), []).append(number)


def _second_keys(pattern: Pattern) -> frozenset[str] | None:
    """What a document word must have (a lemma, or its folded surface) to be the second word."""
    if len(pattern.words) < 2:
        return None
    second = pattern.words[1]
    if not second.readings:
        return frozenset({second.surface})
    return frozenset({r.lemma for r in second.readings})


def build_source_index(glossary: Glossary) -> SourceIndex:
    """The compiled index of every source form of a glossary."""
    forms = [
        (index, language, form)
        for index, entry in enumerate(glossary.entries)
        for language, listed in entry.sources.items()
        for form in listed
    ]
    about = {i: (e.kind, e.term) for i, e in enumerate(glossary.entries)}
    return SourceIndex.compile(forms, about)


# --- the index built lazily: only the forms a run's documents can reach --------------

#: Letters of a word that key it (see `FormKeys`).
KEY = 4
#: Marks a key that is a whole word or lemma, not a start (see `FormKeys`).
EXACT = "="
#: Letters at a word's end that a guessed analysis may rewrite in its dictionary form: a word
#: the dictionary does not know is keyed by the letters before them.
_REWRITTEN = 4


def key_text(word: str) -> str:
    """A word folded for keys: ґ as г too (the Ukrainian dictionary spells some lemmas with ґ)."""
    return fold(word).replace("ґ", "г")


@dataclass(slots=True)
class FormKeys:
    """Every source form of a glossary under cheap keys, so that a run analyses only the forms
    its documents' words can reach. Plain typed data, so the on-disk cache stores it.

    A document word can be a form of a glossary word only if they share a lemma (or, for a
    word kept as written, the spelling), so a word is keyed whole where its lemmas are at
    hand: a word kept as written by its spelling (EXACT + the word folded), a word the
    dictionary knows by its spelling and every lemma of every parse (Люди: люди, человек).
    Reading those would take analysing a word the dictionary does not know, which is what
    the keys are to spare, so such a word is keyed by its start, which its lemmas share:
    the letters before the last _REWRITTEN (at least one, at most KEY), which the
    analyser's guess at a lemma keeps (Руцачук, Хеичи -> хеевич). A document word reaches
    its own spelling and its lemmas whole, and every start of them up to KEY letters
    (`LazySourceIndex.reach`). A start reached has the words it keys examined: each is
    read by the analyser (no more) and filed under its whole keys, its spelling and its
    guessed lemmas; only a form whose word a document word reaches whole is analysed. A
    start that keys hundreds of short names (х) costs a parse of each name, not the
    analysis of each form (its structure, the first letters of all its word's forms).

    A one-word form is analysed once its word is reached whole. A longer form matches only
    where a document word is a form of its first word and the next one of its second (the
    pair `SourceIndex.by_pair` looks it up by), so it is analysed once keys of both are
    reached: a first name shared by hundreds of people (Андрій) brings in only the names
    whose surname the documents have too.
    """

    #: (entry, language, form) in glossary order: a form's number is its place here
    forms: tuple[tuple[int, str, str], ...] = ()
    #: key -> numbers of the forms whose first word it keys
    keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: the analysed languages some form is in
    languages: tuple[str, ...] = ()
    fingerprint: str = ""
    #: key -> numbers of the forms of several words whose second word it keys
    seconds: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _form_keys(word: str, language: str) -> set[str]:
    spelled = spelling(word)
    text = spelled.casefold().replace("ё", "е").replace("ґ", "г")  # key_text(word)
    if not _CYRILLIC.search(word) or (len(word) > 1 and word.isupper()):
        return {EXACT + text}  # kept as written (see `_examine`): found by its spelling alone
    morph = analyzer(language)
    if morph is None:
        return {EXACT + text}
    if _known(morph, spelled):
        # every lemma it can be read as is at hand, and its spelling (it may stay as
        # written, or decline as a name): those whole, not their starts
        return {EXACT + text, *(EXACT + key_text(p.normal_form) for p in morph.parse(spelled))}
    # a guess at a lemma keeps the letters before the last _REWRITTEN (at least one)
    return {text[: max(1, min(KEY, len(text) - _REWRITTEN))]}


@functools.cache
def _substituted(morph: Any) -> frozenset[str]:
    """Letters the analyser also reads as another (ru е as ё, uk г as ґ)."""
    return frozenset(k.decode() if isinstance(k, bytes) else k for k in morph.char_substitutes)


def _known(morph: Any, spelled: str) -> bool:
    """`morph.word_is_known`, by one look-up where no letter of the word has a substitute."""
    if _substituted(morph).isdisjoint(spelled):
        return spelled in morph.dictionary.words
    return bool(morph.word_is_known(spelled))


def build_form_keys(glossary: Glossary) -> FormKeys:
    """The keys of every source form of a glossary; only some words are analysed (see
    `FormKeys`). Each distinct word is keyed once, for all the forms it starts or follows."""
    forms = tuple(
        (index, language, form)
        for index, entry in enumerate(glossary.entries)
        for language, listed in entry.sources.items()
        for form in listed
    )
    firsts: dict[tuple[str, str], list[int]] = {}
    seconds: dict[tuple[str, str], list[int]] = {}
    finditer = WORD.finditer
    for number, (_, language, form) in enumerate(forms):
        words = finditer(form)
        first = next(words, None)
        if first is None:
            continue
        firsts.setdefault((language, first.group()), []).append(number)
        second = next(words, None)
        if second is not None:
            seconds.setdefault((language, second.group()), []).append(number)
    memo: dict[tuple[str, str], set[str]] = {}
    languages = tuple(sorted({language for _, language, _ in forms} & set(ANALYSED)))
    return FormKeys(forms, _by_key(firsts, memo), languages, fingerprint(),
                    _by_key(seconds, memo))


def _by_key(words: Mapping[tuple[str, str], list[int]], memo: dict[tuple[str, str], set[str]]
            ) -> dict[str, tuple[int, ...]]:
    """(language, word) -> form numbers, filed under each key of the word (in an order
    no string hashing decides: a compiled glossary holds these, byte for byte the same
    from every process)."""
    table: dict[str, list[int]] = {}
    for word, numbers in words.items():
        keys = memo.get(word)
        if keys is None:
            keys = memo[word] = _form_keys(word[1], word[0])
        for key in sorted(keys):
            found = table.get(key)
            if found is None:
                table[key] = list(numbers)
            else:
                found.extend(numbers)
    return {k: tuple(v) for k, v in table.items()}


@dataclass(slots=True)
class Analysed:
    """What a lazily built index has analysed, kept between runs and sent back by a run's
    worker processes, so that no form is analysed twice (see `LazySourceIndex.absorb`).
    Plain typed data, so the on-disk cache stores it."""

    #: numbers of the forms analysed (their places in `FormKeys.forms`), and their patterns
    numbers: tuple[int, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    #: the `starts` table of those forms
    starts: dict[str, dict[str, bool]] = field(default_factory=dict)
    #: the whole keys reached: each form they key is analysed, or waits for its other word
    done: tuple[str, ...] = ()
    #: forms of several words whose first word's key, and whose second word's key, was built
    firsts: tuple[int, ...] = ()
    seconds: tuple[int, ...] = ()
    #: document words whose every key was built
    words: tuple[str, ...] = ()
    fingerprint: str = ""
    #: the analyses of document words (`MorphCache`), which cost a run more than the rest
    analyses: Mapping[tuple[str, str], tuple[Analysis, ...]] = field(default_factory=dict)


#: No analyses of document words kept yet.
_NONE_KNOWN: Mapping[tuple[str, str], tuple[Analysis, ...]] = types.MappingProxyType({})


@dataclass(slots=True)
class _Added:
    """What an index added since it was made or last taken (see `Analysed`)."""

    numbers: list[int] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    firsts: list[int] = field(default_factory=list)
    seconds: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    analyses: dict[tuple[str, str], tuple[Analysis, ...]] = field(default_factory=dict)


class LazySourceIndex:
    """A `SourceIndex` whose forms are analysed as documents reach them (see `FormKeys`).

    Matching reads the same tables as from a `SourceIndex`; the pattern numbers are the
    forms' places in the glossary, so candidates come in the same order and the hits are
    the same as the whole index gives. What it analyses is kept (`kept`, `take`) and
    taken in by another index of the same glossary (`absorb`): a later run, or the run's
    parent process, then analyses only forms no run has reached yet.
    """

    __slots__ = ("_done", "_entries", "_examined", "_firsts", "_keys", "_looked_up", "_new",
                 "_paired", "_passing", "_reached", "_seconds", "_tables", "_waiting_firsts",
                 "_waiting_seconds", "analysed", "by_lemma", "by_pair",
                 "by_surface", "known", "numbers", "patterns", "starts", "words")

    def __init__(self, keys: FormKeys, entries: Sequence[Any]) -> None:
        self._keys = keys
        self._entries = entries
        self._done: set[str] = set()
        self._reached: set[str] = set()
        #: starts whose words this process has examined (`_examine_start`), and the forms
        #: that wait for a whole key of such a word to be reached
        self._examined: set[str] = set()
        #: whole keys reached by words that are not kept (`_build_exact`)
        self._passing: set[str] = set()
        self._waiting_firsts: dict[str, list[int]] = {}
        self._waiting_seconds: dict[str, list[int]] = {}
        #: forms of several words: those whose first word's key, and those whose second
        #: word's key, has been reached (a form is analysed once it is in both)
        self._paired: set[int] | None = None
        self._firsts: set[int] = set()
        self._seconds: set[int] = set()
        self._tables = _Tables()
        #: what was added since the index was made or last `take`n
        self._new = _Added()
        #: what documents' words were found to start (see `_Run.first`), for a version of
        #: the tables
        self._looked_up: tuple[int, dict[str, Any]] = (-1, {})
        #: analyses of document words kept by earlier runs (read as needed), and those
        #: made or taken in since
        self.known: Mapping[tuple[str, str], tuple[Analysis, ...]] = _NONE_KNOWN
        self.words: dict[tuple[str, str], tuple[Analysis, ...]] = {}
        self._bind()
        #: forms this index analysed itself (with pymorphy3), not taken in: a count to watch
        self.analysed = 0

    def _bind(self) -> None:
        t = self._tables
        self.patterns, self.by_lemma, self.by_pair = t.patterns, t.by_lemma, t.by_pair
        self.by_surface, self.starts, self.numbers = t.by_surface, t.starts, t.numbers

    def __bool__(self) -> bool:
        return bool(self._keys.forms)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (for a spawned worker) with the forms analysed so far, without the
        analyser's parses kept to analyse more (they do not pickle)."""
        tables = dataclasses.replace(self._tables, memo={})
        return _restore, (self._keys, self._entries, tables, set(self._done), set(self._reached),
                          set(self._firsts), set(self._seconds), set(self._passing))

    def _pairs(self) -> set[int]:
        if self._paired is None:
            self._paired = {n for numbers in self._keys.seconds.values() for n in numbers}
        return self._paired

    def _build(self, key: str) -> None:
        if key.startswith(EXACT):
            self._build_exact(key)
            return
        if key not in self._examined:
            self._examine_start(key)

    def _examine_start(self, key: str) -> None:
        """File the forms whose first or second word a start keys (a word the dictionary
        does not know) under that word's whole keys: its spelling and the lemmas the
        analyser guesses for it. A form is reached once a document word reaches one."""
        self._examined.add(key)
        forms, done = self._keys.forms, self._done
        wholes: dict[tuple[str, str], frozenset[str]] = {}
        ready: list[int] = []
        for numbers, place, waiting, reached in (
                (self._keys.keys.get(key, ()), 0, self._waiting_firsts, self._first),
                (self._keys.seconds.get(key, ()), 1, self._waiting_seconds, self._second)):
            for number in numbers:
                _, language, form = forms[number]
                found = next(itertools.islice(WORD.finditer(form), place, None), None)
                if found is None:
                    continue  # keys of a form it does not fit (a forged cache file)
                word = found.group()
                whole = wholes.get((language, word))
                if whole is None:
                    whole = wholes[(language, word)] = _whole_keys(language, word)
                if not (done.isdisjoint(whole) and self._passing.isdisjoint(whole)):
                    reached(number, ready)
                else:
                    for exact in whole:
                        waiting.setdefault(exact, []).append(number)
        self._analyse(ready)

    def _build_exact(self, key: str, keep: bool = True) -> None:
        """Reach a whole key; `keep`: it is kept for later runs (not for a word that is not
        kept, which a later run reaches again: see `_worth_keeping`)."""
        if key in self._done or key in self._passing:
            return
        if keep:
            self._done.add(key)
            self._new.done.append(key)
        else:
            self._passing.add(key)
        ready: list[int] = []
        for number in itertools.chain(self._keys.keys.get(key, ()),
                                      self._waiting_firsts.pop(key, ())):
            self._first(number, ready)
        for number in itertools.chain(self._keys.seconds.get(key, ()),
                                      self._waiting_seconds.pop(key, ())):
            self._second(number, ready)
        self._analyse(ready)

    def _first(self, number: int, ready: list[int]) -> None:
        """A document word can be the form's first word: ready, or waiting for its second."""
        if not self._keys.seconds or number not in self._pairs() or number in self._seconds:
            ready.append(number)
        elif number not in self._firsts:
            self._firsts.add(number)
            self._new.firsts.append(number)

    def _second(self, number: int, ready: list[int]) -> None:
        if number not in self._seconds:
            self._seconds.add(number)
            self._new.seconds.append(number)
        if number in self._firsts:
            ready.append(number)

    def _analyse(self, ready: Iterable[int]) -> None:
        added: list[int] = []
        for number in sorted(ready):
            if number in self.patterns:
                continue
            entry, language, form = self._keys.forms[number]
            about = self._entries[entry]
            if self._tables.add(number, entry, language, form, about.kind, about.term):
                added.append(number)
        self.analysed += len(added)
        self._new.numbers.extend(added)

    def reach(self, run: _Run) -> None:
        """Analyse every form the words of the run's view can be a form of."""
        reached = self._reached
        for token in run.tokens:
            text = token.text
            if text in reached:
                continue
            reached.add(text)
            if not _CYRILLIC.search(text):
                # not kept: reaching it again costs a few look-ups (`_worth_keeping`)
                self._starts(key_text(text), keep=False)
                continue
            self._starts(key_text(text))
            self._new.words.append(text)
            for language in self._keys.languages:
                for a in run.analyses(text, language):
                    self._starts(a.lemma.replace("ґ", "г"))

    def _starts(self, text: str, keep: bool = True) -> None:
        """Build the keys a word or lemma reaches: its starts, and itself whole."""
        for length in range(1, min(KEY, len(text)) + 1):
            self._build(text[:length])
        self._build_exact(EXACT + text, keep)

    def form(self, entry: int, language: str, form: str) -> None:
        """Make sure one form is analysed (an exact hit is judged by its pattern)."""
        if (entry, language, form) in self.numbers:
            return
        forms = self._keys.forms  # in glossary order: an entry's forms are together
        at = bisect.bisect_left(forms, (entry,))
        while at < len(forms) and forms[at][0] == entry:
            if forms[at][1] == language and forms[at][2] == form:
                self._analyse((at,))
                return
            at += 1

    def looked_up(self) -> dict[str, Any]:
        """Words' look-ups in the tables as they are now, shared by a run's documents."""
        version = self._tables.version
        if self._looked_up[0] != version:
            self._looked_up = (version, {})
        return self._looked_up[1]

    @property
    def pair_firsts(self) -> set[tuple[str, str]]:
        return self._tables.pair_firsts

    def analysis(self, key: tuple[str, str]) -> tuple[Analysis, ...] | None:
        """A document word's analyses, if a run made them before."""
        found = self.words.get(key)
        return self.known.get(key) if found is None else found

    def note(self, key: tuple[str, str], analyses: tuple[Analysis, ...]) -> None:
        """A document word's analyses, made now: kept with the rest."""
        self.words[key] = self._new.analyses[key] = analyses

    @property
    def grew(self) -> bool:
        """Whether anything was added since the index was made or last `take`n."""
        new = self._new
        return bool(new.numbers or new.done or new.words or new.firsts or new.seconds
                    or new.analyses)

    def kept(self) -> Analysed:
        """Everything analysed and reached, to keep for later runs."""
        numbers = tuple(sorted(self.patterns))
        words, analyses = _worth_keeping(self._reached), {**self.known, **self.words}
        done = tuple(sorted(self._done))
        if max(len(words), len(analyses), len(done)) > KEPT_WORDS:
            # the forms stay: only the words start afresh, and the keys they reached
            words, analyses, done = (), {}, ()
        return Analysed(numbers, tuple(self.patterns[n] for n in numbers),
                        {lang: dict(table) for lang, table in self.starts.items()},
                        done, tuple(sorted(self._firsts)),
                        tuple(sorted(self._seconds)), words, fingerprint(),
                        analyses)

    def take(self) -> Analysed | None:
        """What was added since the index was made or last taken (a worker's share of the
        run, for its parent to `absorb`), or None if nothing was."""
        if not self.grew:
            return None
        new, self._new = self._new, _Added()
        numbers = tuple(sorted(set(new.numbers)))
        return Analysed(numbers, tuple(self.patterns[n] for n in numbers),
                        {lang: dict(table) for lang, table in self.starts.items()},
                        tuple(new.done), tuple(new.firsts), tuple(new.seconds),
                        _worth_keeping(new.words), fingerprint(), new.analyses)

    def absorb(self, other: Analysed, *, new: bool = True) -> None:
        """Take in what another index of this glossary analysed and reached, analysing only
        the forms of several words whose first word one of them reached and whose second
        word the other did. ValueError, and nothing taken in, where `other` does not fit
        this glossary's forms (a stale or forged cache file); `new`: it counts as `grew`."""
        forms = self._keys.forms
        size = len(forms)
        if other.fingerprint != fingerprint() or len(other.numbers) != len(other.patterns):
            raise ValueError("kept analyses of another kind")
        fresh: list[tuple[int, Pattern]] = []
        for number, pattern in zip(other.numbers, other.patterns, strict=True):
            if not 0 <= number < size:
                raise ValueError("a form the glossary does not have")
            if number in self.patterns:
                continue
            entry, language, form = forms[number]
            if (pattern.entry, pattern.language, pattern.form) != (entry, language, form) or (
                    not pattern.words or len(pattern.gaps) != len(pattern.words) - 1):
                raise ValueError("an analysis of another form")
            fresh.append((number, pattern))
        if not all(0 <= n < size for n in itertools.chain(other.firsts, other.seconds)):
            raise ValueError("a form the glossary does not have")
        for number, pattern in fresh:
            self._tables.file(number, pattern)
        for language, table in other.starts.items():
            mine = self.starts.setdefault(language, {})
            for prefix, capital in table.items():
                mine[prefix] = mine.get(prefix, True) and capital
        self._tables.version += 1
        self._done.update(other.done)
        self._firsts.update(other.firsts)
        self._seconds.update(other.seconds)
        self._reached.update(other.words)
        if not new and self.known is _NONE_KNOWN:
            self.known = other.analyses  # read as needed: a run looks up few of them
        else:
            for key, analyses in other.analyses.items():
                self.words.setdefault(key, analyses)
                if new:
                    self._new.analyses.setdefault(key, analyses)
        if new:
            added = self._new
            added.numbers.extend(n for n, _ in fresh)
            added.done.extend(other.done)
            added.firsts.extend(other.firsts)
            added.seconds.extend(other.seconds)
            added.words.extend(other.words)
        # forms of words this index examined that wait for a whole key the other built
        ready: list[int] = []
        for built in other.done:
            for number in self._waiting_firsts.pop(built, ()):
                self._first(number, ready)
            for number in self._waiting_seconds.pop(built, ()):
                self._second(number, ready)
        # a form whose first word's key one index built and whose second word's the other did
        self._analyse({*ready, *((self._firsts & self._seconds) - self.patterns.keys())})


def _whole_keys(language: str, word: str) -> frozenset[str]:
    """The whole keys of a word the dictionary does not know (see `_form_keys`): its
    spelling, and every lemma the analyser reads it as."""
    morph = analyzer(language)
    parses = morph.parse(spelling(word)) if morph is not None else ()
    return frozenset({EXACT + key_text(word), *(EXACT + key_text(p.normal_form) for p in parses)})


#: Document words kept between runs with their analyses, at most: a cache a desk shares for
#: months would otherwise grow with every new word, and each run that adds one rewrites it
#: whole. Past this they start afresh (a word met again is analysed again); the glossary's
#: analysed forms are always kept.
KEPT_WORDS = 100_000


def _worth_keeping(words: Iterable[str]) -> tuple[str, ...]:
    """The reached words worth keeping: Cyrillic ones, whose reach analyses them (a Latin
    word's costs a few look-ups, and an English article has thousands)."""
    return tuple(sorted(w for w in words if _CYRILLIC.search(w)))


def _restore(keys: FormKeys, entries: Sequence[Any], tables: _Tables, done: set[str],
             reached: set[str], firsts: set[int], seconds: set[int], passing: set[str]
             ) -> LazySourceIndex:
    index = LazySourceIndex(keys, entries)
    index._tables, index._done, index._reached = tables, done, reached
    index._firsts, index._seconds, index._passing = firsts, seconds, passing
    index._bind()
    return index


#: Either index: matching reads the same tables from both.
AnyIndex = SourceIndex | LazySourceIndex


# --- compiling one form -------------------------------------------------------------


@dataclass(slots=True)
class _Word:
    """A dictionary-form word while its structure is worked out."""

    text: str
    known: bool = False
    #: nominative, declinable parses as (reading, number, gender, person-name tag, parse)
    options: list[tuple[Reading, str, str | None, bool, Any]] = field(default_factory=list)
    fixd: bool = False
    #: kept as written whatever its structure: not Cyrillic, no analyser, an abbreviation
    as_written: bool = False
    genders: frozenset[str] = frozenset()


def _is_known(parse: Any) -> bool:
    """A parse straight from the dictionary, not a guess from the word's ending or prefix."""
    stack = parse.methods_stack
    return len(stack) == 1 and type(stack[0][0]).__name__ == "DictionaryAnalyzer"


def _extra(tag: Any) -> str:
    return f"{tag.voice},{tag.tense}" if tag.POS == "PRTF" else ""


def _number_gender(tag: Any) -> tuple[str, str | None]:
    """A parse's number, and its gender where it is singular and has one of the three."""
    number = "plur" if tag.number == "plur" else "sing"
    return number, str(tag.gender) if number == "sing" and tag.gender in _GENDERS else None


def _nominatives(pool: Sequence[Any], own: str) -> list[Any]:
    """The declinable nominative parses; where one is a noun spelled as the word, the nouns
    that are not go (Сумы is the town, not the plural of сума; Нова keeps its adjective
    reading)."""
    nominative = [p for p in pool if p.tag.case == "nomn" and p.tag.POS in _INFLECTING]
    if any(p.tag.POS == "NOUN" and fold(p.normal_form) == own for p in nominative):
        nominative = [p for p in nominative
                      if p.tag.POS != "NOUN" or fold(p.normal_form) == own]
    return nominative


def _option(p: Any) -> tuple[Reading, str, str | None, bool, Any]:
    tag = p.tag
    number, gender = _number_gender(tag)
    reading = Reading(fold(p.normal_form), str(tag.POS), gender, _extra(tag))
    return reading, number, gender, any(t in tag for t in _PERSON_TAGS), p


def _examine(text: str, morph: Any | None) -> _Word:
    word = _Word(text)
    if morph is None or not _CYRILLIC.search(text) or (len(text) > 1 and text.isupper()):
        word.as_written = True  # no analyser, not Cyrillic, or an abbreviation (ТАСС, МИД)
        return word
    parses = morph.parse(spelling(text))
    word.known = any(_is_known(p) for p in parses)
    pool = [p for p in parses if _is_known(p)] if word.known else parses
    nominative = _nominatives(pool, fold(text))
    word.fixd = bool(nominative) and all("Fixd" in p.tag for p in nominative)
    word.options = [_option(p) for p in nominative if "Fixd" not in p.tag]
    word.genders = frozenset(o[2] for o in word.options if o[2] is not None)
    return word


def _merge(feasible: set[tuple[str, str | None]], options: Sequence[tuple[str, str | None]]
           ) -> set[tuple[str, str | None]]:
    """Number and gender a group can still have once a word with these options joins."""
    out: set[tuple[str, str | None]] = set()
    for number, gender in feasible:
        for n, g in options:
            if n == number and (gender is None or g is None or gender == g):
                out.add((number, gender or g))
    return out


def _fits(option: tuple[str, str | None], feasible: set[tuple[str, str | None]]) -> bool:
    return bool(_merge(feasible, [option]))


def _person_gender(words: Sequence[_Word]) -> str | None:
    """The gender a person's name words agree on, from the words the dictionary knows."""
    common: set[str] | None = None
    for w in words:
        if w.known and w.genders:
            common = set(w.genders) if common is None else common & w.genders
    return next(iter(common)) if common is not None and len(common) == 1 else None


def _foreign_title(kind: str | None, term: str) -> bool:
    """Le Monde, The Times: a title cited with its foreign article is not declined."""
    if kind not in ("publication", "organization"):
        return False
    first = WORD.search(term)
    return first is not None and _is_article(first.group())


def _is_article(word: str) -> bool:
    """Le, The, Die ... and the elided l' of L'Express."""
    return word.casefold().translate(_APOSTROPHES).split("'")[0] in _ARTICLES


#: One reading a word of a form may inflect in, with its number and gender.
_Option = tuple[Reading, str, str | None]


def _structure(words: list[_Word], gaps: Sequence[str], kind: str | None, term: str
               ) -> tuple[list[frozenset[Reading]], bool]:
    """Which words inflect (their readings) and which stay as written (empty); a person?"""
    fixed: list[frozenset[Reading]] = [frozenset()] * len(words)
    if _foreign_title(kind, term):
        return fixed, False
    if _is_person(words, kind):
        return _person(words), True
    group, feasible = _agreeing_group(words, _inflecting_start(words, gaps))
    for position, (i, options) in enumerate(group):
        fixed[i] = _kept(options, feasible, before_head=position < len(group) - 1)
    return fixed, False


def _is_person(words: Sequence[_Word], kind: str | None) -> bool:
    """A person's name: so entered or, unkinded, several words that start with a person's
    name, each with a declinable reading or unknown to the dictionary."""
    return kind == "person" or (
        kind in (None, "other") and len(words) > 1
        and any(o[3] for o in words[0].options) and all(w.options or not w.known for w in words)
    )


def _inflecting_start(words: Sequence[_Word], gaps: Sequence[str]) -> int:
    """Нью-Йорк, Санкт-Петербург: the first part stays, the last inflects."""
    start = 0
    while start < len(words) - 1 and not words[start].options and gaps[start] == "-":
        start += 1
    return start


def _agreeing_group(words: Sequence[_Word], start: int
                    ) -> tuple[list[tuple[int, list[_Option]]], set[tuple[str, str | None]]]:
    """The words from `start` that agree, up to the head noun (complements and appositions
    after it stay as written), each with its readings; and the number and gender they share."""
    group: list[tuple[int, list[_Option]]] = []
    feasible: set[tuple[str, str | None]] = {("sing", None), ("plur", None)}
    for i in range(start, len(words)):
        options = [(r, num, g) for r, num, g, _, _ in words[i].options if _fits((num, g), feasible)]
        if not options:
            break
        group.append((i, options))
        feasible = _merge(feasible, [(num, g) for _, num, g in options])
        if all(r.pos == "NOUN" for r, _, _ in options):
            break
    return group, feasible


def _kept(options: Sequence[_Option], feasible: set[tuple[str, str | None]], before_head: bool
          ) -> frozenset[Reading]:
    """A group word's readings in the number and gender the group shares; before the head,
    its attribute readings where it has any."""
    keep = [o for o in options if _fits((o[1], o[2]), feasible)]
    if before_head and any(r.pos != "NOUN" for r, _, _ in keep):
        keep = [o for o in keep if o[0].pos != "NOUN"]  # attributes before their head
    return frozenset(r for r, _, _ in keep)


def _person(words: list[_Word]) -> list[frozenset[Reading]]:
    """A personal name: every word that declines does, agreeing with the others.

    Russian and Ukrainian decline a man's consonant-final names (Мастерс,
    Эммануэль: the dictionary may only know them as a woman's, or not at
    all) and leave a woman's as they are; vowel-final foreign names follow
    the dictionary. Where the other words do not tell the gender, such a
    name is taken to decline.
    """
    gender = _person_gender(words)
    out: list[frozenset[Reading]] = []
    for w in words:
        options = frozenset(o[0] for o in w.options if gender is None or o[2] in (None, gender))
        if w.as_written or options or (w.known and not w.fixd):
            out.append(options)
        elif _CONSONANT_END.search(fold(w.text)) and gender != "femn":
            out.append(frozenset({Reading(fold(w.text), "NOUN", declines=True)}))
        else:
            out.append(frozenset())
    return out


def _prefixes(word: str, readings: frozenset[Reading], parses: Iterable[Any]) -> set[str]:
    """First letters of every form a first word takes, for the cheap pre-check."""
    out = {fold(word)[:PREFIX]}
    lemmas = {r.lemma for r in readings}
    for p in parses:
        if fold(p.normal_form) in lemmas:
            out.update(fold(form.word)[:PREFIX] for form in p.lexeme)
    return out


#: Words already examined, and the first letters of their forms, per index being built: first
#: names and surnames recur in many forms.
_Memo = dict[tuple[Any, ...], Any]


def _pattern(entry: int, language: str, form: str, kind: str | None, term: str,
             memo: _Memo | None = None) -> tuple[Pattern, set[str]] | None:
    matches = list(WORD.finditer(form))
    if not matches:
        return None
    gaps: list[str] = []
    for prev, cur in itertools.pairwise(matches):
        gap = _gap(form[prev.end() : cur.start()])
        if gap is None:
            return None
        gaps.append(gap)
    morph = analyzer(language)
    memo = {} if memo is None else memo
    words: list[_Word] = []
    for m in matches:
        word = memo.get((language, m.group()))
        if word is None:
            word = memo[(language, m.group())] = _examine(m.group(), morph)
        words.append(word)
    readings, person = _structure(words, gaps, kind, term)
    specs = tuple(
        WordSpec(fold(w.text), w.text[:1].isupper(), r)
        for w, r in zip(words, readings, strict=True)
    )
    prefixes: set[str] = set()
    if specs[0].readings:
        key = (language, words[0].text, specs[0].readings)
        found = memo.get(key)
        if found is None:
            found = memo[key] = frozenset(_prefixes(words[0].text, specs[0].readings,
                                                    (o[4] for o in words[0].options)))
        prefixes = set(found)
    last = specs[-1].readings
    adjectival = (not person and any(r.pos in _ATTRIBUTES for r in last)
                  and not any(s.readings and all(r.pos == "NOUN" for r in s.readings)
                              for s in specs))
    return Pattern(entry, language, form, specs, tuple(gaps), person, adjectival), prefixes


# --- matching a document ------------------------------------------------------------

#: Per-run cache: (language, word as spelled for the analyser) -> its parses.
MorphCache = dict[tuple[str, str], tuple[Analysis, ...]]


def _analyse(morph: Any, spelled: str) -> tuple[Analysis, ...]:
    """Every parse; those without case (adverbs, verbs) only to tell common words apart."""
    out: dict[Analysis, None] = {}
    for p in morph.parse(spelled):
        tag = p.tag
        case = "" if tag.case is None else str(tag.case)
        number = "plur" if tag.number == "plur" else "sing"
        gender = str(tag.gender) if number == "sing" and tag.gender in _GENDERS else None
        proper = not tag.grammemes.isdisjoint(PROPER_TAGS)
        out[Analysis(fold(p.normal_form), str(tag.POS), gender, _CASES.get(case, case), number,
                     _extra(tag), "Fixd" in tag, proper, _is_known(p), float(p.score))] = None
    return tuple(out)


Keys = set[tuple[str, str, str | None]]
#: What a word can start (see `_Run.first`).
_First = tuple[tuple[int, ...], tuple[tuple[str, tuple[str, ...], tuple[int, ...], bool], ...]]


def _agreement(groups: list[Keys]) -> Keys | None:
    """The (case, number, gender) the inflecting words share, or None where they do not agree."""
    if not groups:
        return set()
    current = groups[0]
    for keys in groups[1:]:
        merged = set()
        for case, number, gender in current:
            for c, n, g in keys:
                if c == case and n == number and (gender is None or g is None or g == gender):
                    merged.add((case, number, gender or g))
        current = merged
        if not current:
            return None
    return current


class _Run:
    """One document against an index: the parses of its words, looked up once each."""

    def __init__(self, index: AnyIndex, view: str, tokens: Sequence[Token], cache: MorphCache):
        self.index = index
        self.view = view
        self.tokens = tokens
        self.cache = cache
        #: where analyses of words are kept between runs
        self.kept = index if isinstance(index, LazySourceIndex) else None
        self.folded: dict[str, str] = {}
        self.spelled: dict[str, str] = {}
        self.seconds: dict[tuple[str, str], frozenset[str]] = {}
        self._firsts: dict[str, _First] | None = None
        self._pair_firsts: set[tuple[str, str]] | None = None

    def fold(self, text: str) -> str:
        key = self.folded.get(text)
        if key is None:
            key = self.folded[text] = fold(text)
        return key

    def analyses(self, text: str, language: str) -> tuple[Analysis, ...]:
        spelled = self.spelled.get(text)
        if spelled is None:
            spelled = self.spelled[text] = spelling(text)
        key = (language, spelled)
        found = self.cache.get(key)
        if found is None and self.kept is not None:
            found = self.kept.analysis(key)
            if found is not None:
                self.cache[key] = found
                return found
        if found is None:
            excluded = _NOT_IN.get(language, frozenset())
            # the analyser (a tenth of a second to load) only for a word it may know
            morph = analyzer(language) if _CYRILLIC.search(spelled) and excluded.isdisjoint(
                spelled) else None
            if morph is None:
                found = ()
            else:
                found = _analyse(morph, spelled)
                if self.kept is not None:
                    self.kept.note(key, found)
            self.cache[key] = found
        return found

    def second_keys(self, token: Token, language: str) -> frozenset[str]:
        """Every key a word can meet as a pattern's second word: its folded surface, its lemmas."""
        key = (token.text, language)
        found = self.seconds.get(key)
        if found is None:
            found = self.seconds[key] = frozenset(
                {self.fold(token.text), *(a.lemma for a in self.analyses(token.text, language))}
            )
        return found

    def first(self, text: str) -> _First:
        """What a word can be the first word of: the patterns whose first word is fixed and
        spelled so, and by language, its lemmas that start some pattern, the one-word
        patterns they are forms of, and whether any starts a pattern of several words."""
        index, firsts = self.index, self._firsts
        if firsts is None:
            if isinstance(index, LazySourceIndex):
                firsts, self._pair_firsts = index.looked_up(), index.pair_firsts
            else:
                firsts = {}  # the whole index: any lemma may start a pattern of several words
            self._firsts = firsts
        found = firsts.get(text)
        if found is not None:
            return found
        folded = self.fold(text)
        surface = tuple(index.by_surface.get(folded, ()))
        languages: list[tuple[str, tuple[str, ...], tuple[int, ...], bool]] = []
        if _CYRILLIC.search(text):
            capital = text[:1].isupper()
            prefix = folded[:PREFIX]
            pair_firsts = self._pair_firsts
            for language, table in index.starts.items():
                needs_capital = table.get(prefix)
                if needs_capital is None or (needs_capital and not capital):
                    continue
                lemmas = tuple(dict.fromkeys(a.lemma for a in self.analyses(text, language)))
                singles = tuple(n for lemma in lemmas
                                for n in index.by_lemma.get((language, lemma), ()))
                paired = pair_firsts is None or any((language, lemma) in pair_firsts
                                                    for lemma in lemmas)
                if singles or paired:
                    languages.append((language, lemmas, singles, paired))
        found = firsts[text] = (surface, tuple(languages))
        return found

    def candidates(self, i: int) -> tuple[int, ...]:
        """Patterns that may start at word i, in index order."""
        surface, languages = self.first(self.tokens[i].text)
        if not languages:
            return tuple(sorted(set(surface))) if len(surface) > 1 else surface
        out = set(surface)
        after = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        by_pair = self.index.by_pair
        for language, lemmas, singles, paired in languages:
            out.update(singles)
            if not paired or after is None:
                continue
            for second in self.second_keys(after, language):
                for lemma in lemmas:
                    out.update(by_pair.get((language, lemma, second), ()))
        return tuple(sorted(out))

    def keys(self, token: Token, spec: WordSpec, language: str) -> Keys:
        """(case, number, gender) a document word can have as a form of this pattern word."""
        out: Keys = set()
        analyses = [a for a in self.analyses(token.text, language) if a.case]
        for r in spec.readings:
            if r.declines:
                # the dictionary's gender and indeclinability are wrong for this name
                out.update((a.case, a.number, None) for a in analyses
                           if a.lemma == r.lemma and a.pos == "NOUN" and not a.fixd)
                if self.fold(token.text) == r.lemma:
                    out.add(("nomn", "sing", None))
                continue
            out.update(
                (a.case, a.number, a.gender if r.gender is not None else None)
                for a in analyses
                if a.lemma == r.lemma and a.pos == r.pos and a.extra == r.extra
                and (r.gender is None or a.gender is None or a.gender == r.gender)
            )
        return out

    def match(self, pattern: Pattern, i: int) -> tuple[int, frozenset[str]] | None:
        """Index of the last token of `pattern` read from token i and the cases it is in."""
        tokens = self.tokens
        if i + len(pattern.words) > len(tokens):
            return None
        groups: list[Keys] = []
        for k, spec in enumerate(pattern.words):
            token = tokens[i + k]
            if k and _gap(self.view[tokens[i + k - 1].end : token.start]) != pattern.gaps[k - 1]:
                return None
            if spec.capital and not token.text[:1].isupper():
                return None
            if not spec.readings:
                if self.fold(token.text) != spec.surface:
                    return None
                continue
            keys = self.keys(token, spec, pattern.language)
            if pattern.singular:
                keys = {k for k in keys if k[1] == "sing"}
            if not keys:
                return None
            groups.append(keys)
        shared = _agreement(groups)
        if shared is None:
            return None
        return i + len(pattern.words) - 1, frozenset(c for c, _, _ in shared)

    def hits(self) -> Iterator[SourceHit]:
        tokens, patterns = self.tokens, self.index.patterns
        if not tokens:
            return
        first = self.first
        first(tokens[0].text)  # sets up self._firsts, which `first` then fills
        firsts = self._firsts
        assert firsts is not None
        count = len(tokens)
        i = 0
        while i < count:
            # most words start no pattern: their (known) answer is read here, without a call
            starts = firsts.get(tokens[i].text) or first(tokens[i].text)
            if not starts[0] and not starts[1]:
                i += 1
                continue
            best_last, best = -1, list[tuple[Pattern, frozenset[str]]]()
            for number in self.candidates(i):
                found = self.match(patterns[number], i)
                if found is None or found[0] < best_last:
                    continue
                if found[0] > best_last:
                    best_last, best = found[0], []
                best.append((patterns[number], found[1]))
            if not best:
                i += 1
                continue
            start, end = tokens[i].start, _closed(self.view, tokens[i].start, tokens[best_last].end)
            yield from _pick(best, self.view, start, end)
            i = best_last + 1


_PAIRS = {"«": "»", "„": "“”", "“": "”", "‹": "›"}


def _closed(view: str, start: int, end: int) -> int:
    """The end of a match, past the closing quote of a quote opened inside it (газеты «Европа»)."""
    inside, after = view[start:end], view[end : end + 1]
    for opener, closers in _PAIRS.items():
        at = inside.rfind(opener)
        if after and after in closers and at >= 0 and not any(c in inside[at:] for c in closers):
            return end + 1
    return end


#: Characters either side of a match read for a hint of its language.
CONTEXT = 80


def _hint(view: str, start: int, end: int) -> str | None:
    """Russian or Ukrainian by the letters only one has: in the match, else in its paragraph."""
    lo = max(start - CONTEXT, view.rfind("\n\n", 0, start) + 1)
    hi = view.find("\n\n", end)
    hi = end + CONTEXT if hi < 0 else min(hi, end + CONTEXT)
    for text in (view[start:end].lower(), view[lo:hi].lower()):
        uk = sum(c in _NOT_IN["ru"] for c in text)
        ru = sum(c in _NOT_IN["uk"] for c in text)
        if uk != ru:
            return "uk" if uk > ru else "ru"
    return None


def _pick(found: list[tuple[Pattern, frozenset[str]]], view: str, start: int, end: int
          ) -> Iterator[SourceHit]:
    """One hit per entry; where forms of several languages matched, letters decide."""
    by_entry: dict[int, list[tuple[Pattern, frozenset[str]]]] = {}
    for p, cases in found:
        by_entry.setdefault(p.entry, []).append((p, cases))
    hint: str | None = None
    for entry in sorted(by_entry):
        options = by_entry[entry]
        chosen = options[0]
        if len({p.language for p, _ in options}) > 1:
            hint = hint or _hint(view, start, end)
            chosen = next((o for o in options if o[0].language == hint), chosen)
        yield SourceHit(start, end, entry, chosen[0].language, chosen[0].form, chosen[1])


def find_source_forms(
    index: AnyIndex, view: str, tokens: Sequence[Token], cache: MorphCache | None = None
) -> list[SourceHit]:
    """Every source form, inflected or not, in a view: leftmost-longest, one hit per entry.

    Pass one `cache` dict to every call of a run so each distinct word is
    analysed once for the whole run.
    """
    if (not index.patterns and not isinstance(index, LazySourceIndex)) or not tokens:
        return []
    run = _Run(index, view, tokens, {} if cache is None else cache)
    if isinstance(index, LazySourceIndex):
        if not index:
            return []
        index.reach(run)
    return list(run.hits())


def merge_hits(exact: Iterable[SourceHit], inflected: Iterable[SourceHit]) -> list[SourceHit]:
    """Both lists in one, leftmost-longest; where both found a span for an entry, one hit."""
    ranked = sorted(
        [(h.start, -(h.end - h.start), 0, h) for h in exact]
        + [(h.start, -(h.end - h.start), 1, h) for h in inflected],
        key=lambda item: item[:3],
    )
    out: list[SourceHit] = []
    span: tuple[int, int] | None = None
    entries: dict[int, int] = {}  # entry -> its place in `out`, for the current span
    for start, _, _, hit in ranked:
        if span is not None and start < span[1]:
            if (hit.start, hit.end) != span:
                continue
            if hit.entry not in entries:
                entries[hit.entry] = len(out)
                out.append(hit)
            elif not out[entries[hit.entry]].cases and hit.cases:
                # the exact hit stays; the analysis adds the cases it can be in (в Киев: accs)
                out[entries[hit.entry]] = dataclasses.replace(out[entries[hit.entry]],
                                                              cases=hit.cases)
            continue
        span, entries = (hit.start, hit.end), {hit.entry: len(out)}
        out.append(hit)
    return out


# --- judging hits -------------------------------------------------------------------

#: What may stand between an adjective and the noun it qualifies.
_ATTRIBUTE_GAP = regex.compile(r"[^\S\n\r]+|[^\S\n\r]*[\n\r][^\S\n\r]*")
#: Agreeing adjectives and participles read past on the way to the noun.
_ATTRIBUTE_REACH = 3


def _agrees(a: Analysis, keys: Keys) -> bool:
    return any(
        a.case == c and a.number == n and (n == "plur" or a.gender is None or g is None
                                           or a.gender == g)
        for c, n, g in keys
    )


def _quoted_after_colon(view: str, start: int) -> bool:
    """A quotation a colon introduces starts a sentence too: сказал: «Слава ...»."""
    from glossary_check.engine.matching import OPENERS

    i, quoted = start - 1, False
    while i >= 0 and (view[i] in OPENERS or view[i] in " \u00a0"):
        quoted = quoted or view[i] in OPENERS
        i -= 1
    return quoted and i >= 0 and view[i] == ":"


class _Judge:
    """Decides, hit by hit, whether a capitalised source form is the name or a common word."""

    def __init__(self, run: _Run, hit: SourceHit, pattern: Pattern, first: int) -> None:
        self.run, self.hit, self.pattern, self.first = run, hit, pattern, first

    def languages(self) -> tuple[str, ...]:
        """The hit's language first: a word the other language spells alike is read in it too."""
        own = self.hit.language
        return (own, *(lang for lang in ANALYSED if lang != own)) if own in ANALYSED else ()

    def attributive(self) -> bool:
        """An adjective-named place before a noun it agrees with: Белого дома, Южного порта."""
        if not self.pattern.adjectival:
            return False
        run, tokens = self.run, self.run.tokens
        last = self.first + len(self.pattern.words) - 1
        lemmas = {r.lemma for r in self.pattern.words[-1].readings if r.pos in _ATTRIBUTES}
        for language in self.languages():
            own: Keys = {(a.case, a.number, a.gender)
                         for a in run.analyses(tokens[last].text, language)
                         if a.pos in _ATTRIBUTES and a.lemma in lemmas and a.case}
            if not own:
                continue
            k = last + 1
            while k < len(tokens) and k - last <= _ATTRIBUTE_REACH:
                if not _ATTRIBUTE_GAP.fullmatch(run.view, tokens[k - 1].end, tokens[k].start):
                    break
                analyses = run.analyses(tokens[k].text, language)
                if any(a.pos == "NOUN" and _agrees(a, own) for a in analyses):
                    return True
                if not any(a.pos in _ATTRIBUTES and _agrees(a, own) for a in analyses):
                    break
                k += 1
        return False

    def weak(self) -> bool:
        """A one-word form whose capital says nothing: at a sentence start, or in capitals."""
        from glossary_check.engine.matching import at_sentence_start

        if len(self.pattern.words) != 1 or not self.pattern.words[0].capital:
            return False
        if len(self.pattern.form) > 1 and self.pattern.form.isupper():
            return False  # an abbreviation (ЄС, МИД) is in capitals wherever it stands
        token = self.run.tokens[self.first]
        return (len(token.text) > 1 and token.text.isupper()) or at_sentence_start(
            self.run.view, token.start
        ) or _quoted_after_colon(self.run.view, token.start)

    def common(self) -> bool:
        """Whether the word may be a common word: the morphology does not rule it out.

        It does where the word has no common parse, or where a name parse of the form
        ranks at least as high as every common one (Роза; not Света, the genitive of
        свет). Where the dictionary tags no name parse of the form (uk Київ, Мирное), it
        cannot, and the word stays in doubt.
        """
        lemmas = {r.lemma for r in self.pattern.words[0].readings}
        analyses = self.run.analyses(self.run.tokens[self.first].text, self.hit.language)
        common = [a.score for a in analyses if a.known and not a.proper and a.pos in _COMMON_POS]
        if not common:
            return False
        names = [a.score for a in analyses if a.proper and a.lemma in lemmas]
        return not names or max(common) > max(names)


def judge_hits(
    index: AnyIndex,
    view: str,
    tokens: Sequence[Token],
    hits: Sequence[SourceHit],
    cache: MorphCache | None = None,
) -> list[SourceHit]:
    """The hits that name the entry, not a common word that shares its letters.

    Out go a place named by an adjective that qualifies the noun after it (Белого
    дома), and a one-word name at a sentence start (or in capitals) that reads first
    as a common word (Слава, Вера) or that the dictionary cannot tell from one
    (Мирное), unless the article names the entry where its capital is evidence. (A
    capitalised form met in lower case is no hit at all: синего света is not Света.)
    """
    if not hits:
        return []
    run = _Run(index, view, tokens, {} if cache is None else cache)
    if isinstance(index, LazySourceIndex):
        index.reach(run)
        for hit in hits:
            index.form(hit.entry, hit.language, hit.form)
    kept: list[tuple[SourceHit, bool]] = []  # (hit, whether it needs another mention)
    named: set[int] = set()
    for hit in hits:
        number = index.numbers.get((hit.entry, hit.language, hit.form))
        first = bisect.bisect_left(tokens, hit.start, key=lambda t: t.start)
        if number is None or first >= len(tokens) or tokens[first].start != hit.start:
            kept.append((hit, False))
            named.add(hit.entry)
            continue
        judge = _Judge(run, hit, index.patterns[number], first)
        if judge.attributive():
            continue
        doubtful = judge.weak() and judge.common()
        kept.append((hit, doubtful))
        if not doubtful:
            named.add(hit.entry)
    return [hit for hit, doubtful in kept if not doubtful or hit.entry in named]


# --- a name in its dictionary form ---------------------------------------------------

NameKey = tuple[str, str, str | None]
#: Steps of word frequency, in Zipf units (half an order of magnitude): dictionary forms
#: within one step are about as common, and the name tag decides (uk Буданова: the surname
#: Буданов, not the village Буданів, a word as rare).
_FREQUENCY_STEP = 0.5


@dataclass(frozen=True, slots=True)
class _NameParse:
    """One parse a word of a name may have, with what ranks it among the others."""

    key: NameKey
    #: how common the dictionary form is as a word of the language, in steps (Київ 5.0: 5.49
    #: on the Zipf scale; кий 3.0: 3.23)
    frequency: float
    proper: bool
    score: float
    #: the analyser's order, negated: of parses alike in all the rest, its first (uk Гейгера:
    #: гейгер before ґейгер), the same in every process
    order: int
    parse: Any

    def rank(self) -> tuple[float, bool, float, int]:
        return self.frequency, self.proper, self.score, self.order


def _name_parses(morph: Any, word: str, language: str) -> list[_NameParse]:
    """The dictionary's parses a word of a name may have: every one tagged as a name and,
    for a capitalised word, every noun, adjective or participle one (uk Києві is кий, a name,
    in the dictionary's first parse, and Київ, untagged, in another). Not the vocative: a
    name is mentioned, not addressed (Густаво is not густава's vocative)."""
    from glossary_check.engine.english import frequency

    if not _CYRILLIC.search(word):
        return []
    capital = word[:1].isupper()
    out = []
    for place, p in enumerate(morph.parse(spelling(word))):
        tag = p.tag
        proper = not tag.grammemes.isdisjoint(PROPER_TAGS)
        if not _is_known(p) or tag.case in (None, "voct") or not (
                proper or (capital and tag.POS in _INFLECTING)):
            continue
        number, gender = _number_gender(tag)
        key = (_CASES.get(str(tag.case), str(tag.case)), number, gender)
        common = math.floor(frequency(p.normal_form, language) / _FREQUENCY_STEP) * _FREQUENCY_STEP
        out.append(_NameParse(key, common, proper, float(p.score), -place, p))
    return out


def _name_words(morph: Any, words: Sequence[str], language: str) -> list[list[_NameParse]]:
    """Each word's parses as a name's: an untagged adjective or participle not alone (Нижнем
    Новгороде, Юлии Навальной; not Хорошего), and, where every word may be a person's name
    and they agree as one (Родом Розенштейном), those parses alone (Род, not рід)."""
    parses = [_name_parses(morph, w, language) for w in words]
    if sum(1 for options in parses if options) < 2:
        parses = [[o for o in options if o.proper or o.parse.tag.POS == "NOUN"]
                  for options in parses]
    people = [[o for o in options if not o.parse.tag.grammemes.isdisjoint(_PERSON_TAGS)]
              for options in parses]
    present = [i for i, options in enumerate(parses) if options]
    if len(present) > 1 and all(people[i] for i in present) and _agreement(
            [{o.key for o in people[i]} for i in present]):
        return people
    return parses


def _best_fit(options: Sequence[_NameParse], chosen: NameKey) -> _NameParse | None:
    fitting = [o for o in options if _fits_key(o.key, chosen)]
    return max(fitting, key=_NameParse.rank) if fitting else None


def _reading_rank(key: NameKey, words: Sequence[Sequence[_NameParse]]
                  ) -> tuple[bool, float, int, bool, float, bool]:
    """How likely a name's words are in this case, number and gender. First, the nominative
    singular where the dictionary's likeliest parse of every word is a name in it (ru
    Терехова alone, a woman; uk Ден, not дно's genitive; but uk Марії is Марія's genitive,
    not a plural). Then by how common the dictionary forms of their
    likeliest parses in it are as words, how many of them the dictionary has as a name in
    it, the singular, the analyser's scores; the nominative (the words as written) where
    all that is alike."""
    present = [options for options in words if options]
    fitting = [[o for o in options if _fits_key(o.key, key)] for options in present]
    best = [max(f, key=_NameParse.rank) for f in fitting if f]
    named = key[:2] == ("nomn", "sing") and all(
        any(o.proper and o.score >= max(p.score for p in options) for o in f)
        for f, options in zip(fitting, present, strict=True))
    return (named, sum(b.frequency for b in best), sum(any(o.proper for o in f) for f in fitting),
            key[1] == "sing", sum(b.score for b in best), key[0] == "nomn")


def _restore_case(form: str, word: str) -> str:
    """The nominative in the capitals of the word as written, part by part where both have
    as many parts (Ростове-на-Дону -> Ростов-на-Дону)."""
    parts, written = form.split("-"), word.split("-")
    if len(parts) != len(written):
        parts, written = [form], [word]
    out = []
    for part, model in zip(parts, written, strict=True):
        if len(model) > 1 and model.isupper():
            part = part.upper()
        elif model[:1].isupper():
            part = part[:1].upper() + part[1:]
        out.append(part)
    return "-".join(out)


@remembered("dictionary-forms", __file__, texts)
def dictionary_forms(words: Sequence[str], language: str) -> list[str]:
    """A name's words in their nominative (Игоря Терехова -> Игорь Терехов), else as written.

    The dictionary's first parse is not always the right one, so every parse counts: those
    tagged as names (Name, Surn, Patr, Geox ...) and, for a capitalised word, every noun,
    adjective or participle one but the vocative (the uk dictionary tags Києві as кий, a
    name, and has Київ, its other parse, untagged; see `_name_words`). The words of one
    name take the case, number and gender they share (Терехова is a man's genitive after
    Игоря, a woman's nominative alone; Кривому Розі is Кривий Ріг), ranked by
    `_reading_rank`; in the reading chosen, each word's parse whose dictionary form is the
    more common word of the language (Київ over кий, Львів over Лев), then a name's, then
    the analyser's likelier. A woman's surname keeps its gender (Ахматовой -> Ахматова). A
    word with no such parse, a run whose words do not agree (Встреча Трампа), or a name
    whose best reading is the nominative, stays as written.
    """
    morph = analyzer(language)
    if morph is None:
        return list(words)
    parses = _name_words(morph, words, language)
    shared = _agreement([{o.key for o in options} for options in parses if options])
    if not shared:
        return list(words)
    # in a fixed order: of readings that rank alike, the same one in every process (a set's
    # order follows the string hash, which differs between processes)
    ordered = sorted(shared, key=lambda k: (k[0], k[1], k[2] or ""))
    chosen = max(ordered, key=lambda k: _reading_rank(k, parses))
    if chosen[0] == "nomn":
        return list(words)
    out = []
    for word, options in zip(words, parses, strict=True):
        best = _best_fit(options, chosen)
        inflected = best.parse.inflect({"nomn"}) if best is not None else None
        out.append(word if inflected is None else _restore_case(str(inflected.word), word))
    return out


def _fits_key(key: NameKey, chosen: NameKey) -> bool:
    return key[:2] == chosen[:2] and (chosen[2] is None or key[2] in (None, chosen[2]))
