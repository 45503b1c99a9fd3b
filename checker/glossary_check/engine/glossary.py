"""The glossary format (version 1): loading, validation and the typed entries.

Loading goes through PyYAML's composer so every node keeps its mark: every
error names file:line:column, and nothing is constructed beyond what
`yaml.safe_load` would build (no tags, no Python objects).

A broken glossary is reported whole: the loader goes on past an error to the
next field, item and entry (and included file), and raises every error it
met at once, in reading order. Clashes between entries are looked for only
in a glossary whose entries all loaded, as an entry left out would change
which one overrides which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import regex
import yaml

from glossary_check.core import bounded_yaml
from glossary_check.core.errors import (
    ErrorList,
    GlossaryCheckError,
    Location,
    did_you_mean,
    display_path,
    hint,
    undecodable,
)
from glossary_check.core.inputs import InputRefused, read_bounded
from glossary_check.core.visible import hidden_char
from glossary_check.engine.transliteration import TransliterationError, check_system

KINDS = ("person", "given-name", "place", "organization", "publication", "term", "other")
CASES = ("exact", "any")
ENTRY_FIELDS = frozenset(
    {"term", "kind", "aliases", "variants", "except", "case", "sources", "pattern",
     "note", "url", "examples"}
)
TOP_FIELDS = frozenset({"version", "language", "include", "transliteration", "entries"})
PATTERN_TIMEOUT = 0.5  # seconds per document and pattern: a guard against catastrophic backtracking
#: The tags `yaml.safe_load` constructs; anything else (`!!python/object`, `!local`) is refused.
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set",
                 "str", "seq", "map")
)
#: A rendering must have something the word matcher can find.
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")


P = ParamSpec("P")
T = TypeVar("T")


class GlossaryError(GlossaryCheckError):
    """A broken glossary; str() is the one-line message the CLI prints."""

    def __init__(self, location: Location | None, message: str) -> None:
        super().__init__(message, location)


class GlossaryErrors(ErrorList, GlossaryError):
    """Every error of a broken glossary; the command line prints one line per error."""


def raise_all(errors: Sequence[GlossaryCheckError]) -> None:
    """Raise the one error as itself, several as GlossaryErrors; nothing if there are none."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise GlossaryErrors(errors)


@dataclass(frozen=True, slots=True)
class Variant:
    wrong: str
    right: str
    location: Location


@dataclass(frozen=True, slots=True)
class Examples:
    bad: tuple[str, ...] = ()
    good: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    term: str
    location: Location
    kind: str | None = None
    aliases: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    excepts: tuple[str, ...] = ()
    case: str = "exact"
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: regex.Pattern[str] | None = None
    note: str | None = None
    url: str | None = None
    examples: Examples = Examples()

    @property
    def accepted(self) -> tuple[str, ...]:
        """Renderings that are right as written: the term and its aliases."""
        return (self.term, *self.aliases)


@dataclass(frozen=True, slots=True)
class Glossary:
    entries: tuple[Entry, ...]
    path: str
    files: tuple[str, ...]
    digest: str
    language: str = "en"
    transliteration: Mapping[str, str] = field(default_factory=dict)

    def by_term(self) -> dict[str, Entry]:
        return {e.term: e for e in self.entries}

    @property
    def has_sources(self) -> bool:
        return any(e.sources for e in self.entries)


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _is_string(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


class _Reader:
    """Walks composed YAML nodes, turning them into plain values with checks.

    A check that fails raises GlossaryError; `attempt` and `each` record it in
    `errors` and go on, so that one pass finds every error of the file.
    """

    def __init__(self, path: str, errors: list[GlossaryError] | None = None) -> None:
        self.path = path
        self.errors: list[GlossaryError] = [] if errors is None else errors

    def fail(self, node: yaml.Node, message: str) -> GlossaryError:
        return GlossaryError(_loc(self.path, node), message)

    def attempt(self, parse: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T | None:
        """`parse(*args)`, or None with its error recorded."""
        try:
            return parse(*args, **kwargs)
        except GlossaryError as exc:
            self.errors.append(exc)
            return None

    def each(self, items: Sequence[yaml.Node], parse: Callable[[yaml.Node], T]) -> list[T]:
        """`parse` of every item that passes; the errors of the others recorded."""
        parsed = (self.attempt(parse, item) for item in items)
        return [value for value in parsed if value is not None]

    def choice(self, node: yaml.Node, what: str, allowed: Sequence[str], wrong: str) -> str:
        """A string among `allowed`; `wrong` words the error, with a near miss guessed."""
        value = self.string(node, what)
        if value not in allowed:
            guess = did_you_mean(value, allowed)
            raise self.fail(node, wrong + (f" (did you mean {guess!r}?)" if guess else ""))
        return value

    def plain(self, node: yaml.Node) -> None:
        """Refuse what `yaml.safe_load` would refuse: tags naming Python objects or local types."""
        if node.tag not in _SAFE_TAGS:
            raise self.fail(node, f"YAML tag {node.tag!r} is not allowed in a glossary")

    def fields(
        self, node: yaml.Node, what: str, allowed: frozenset[str], unknown: str
    ) -> dict[str, yaml.Node]:
        """The values of a mapping by key; a key not `allowed` is an error (`unknown` words
        it, {key!r}) recorded with a guess at the key meant, and left out."""
        known = {}
        for key, key_node, value_node in self.mapping(node, what):
            if key in allowed:
                known[key] = value_node
            else:
                message = f"{unknown.format(key=key)} ({hint(key, sorted(allowed))})"
                self.errors.append(self.fail(key_node, message))
        return known

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        self.plain(node)
        if not isinstance(node, yaml.MappingNode) or node.tag != "tag:yaml.org,2002:map":
            raise self.fail(node, f"{what} must be a mapping")
        seen: dict[str, yaml.Node] = {}
        out = []
        merged: list[tuple[str, yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *shared`, as safe_load merges
                bases = value_node.value if isinstance(value_node, yaml.SequenceNode) else [
                    value_node
                ]
                for base in bases:
                    merged += self.mapping(base, "a merged mapping")
                continue
            key = self.string(key_node, "a key")
            if key in seen:  # recorded; the first one written counts
                self.errors.append(self.fail(key_node, f"duplicate key {key!r} in {what}"))
                continue
            seen[key] = key_node
            out.append((key, key_node, value_node))
        for key, key_node, value_node in merged:  # keys written out win over merged ones
            if key not in seen:
                seen[key] = key_node
                out.append((key, key_node, value_node))
        return out

    def string(self, node: yaml.Node, what: str, *, allow_empty: bool = False) -> str:
        self.plain(node)
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        ):
            raise self.fail(node, f"{what} must be a string")
        value = str(node.value)
        if not allow_empty and not value.strip():
            raise self.fail(node, f"{what} must not be empty")
        return value

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        self.plain(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode) or node.tag != "tag:yaml.org,2002:seq":
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def strings(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        """A list of strings; a single string is accepted as a list of one."""
        if _is_string(node):
            return [(self.string(node, what), node)]
        item_what = f"an item of {what}"
        return self.each(self.sequence(node, what),
                         lambda item: (self.string(item, item_what), item))

    def visible(self, node: yaml.Node, what: str) -> str:
        """A text written into articles or shown as right: nothing in it may be invisible.

        A control, bidi or zero-width character would go unseen in review and
        `--fix` would copy it into every article it corrects.
        """
        text = self.string(node, what).strip()
        at = hidden_char(text)
        if at is not None:
            raise self.fail(node, f"{what} {text!r} holds U+{ord(text[at]):04X}, "
                            "a control or invisible character")
        return text

    def rendering(self, node: yaml.Node, what: str) -> str:
        """A text the matcher looks for: it needs a letter or digit, or it could never match."""
        text = self.visible(node, what)
        if not _WORDLIKE.search(text):
            raise self.fail(node, f"{what} {text!r} has no letter or digit to match")
        return text

    def renderings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        items = [item for _, item in self.strings(node, what)]
        item_what = f"an item of {what}"
        return tuple(self.each(items, lambda item: self.rendering(item, item_what)))


def _compile_pattern(
    reader: _Reader, node: yaml.Node, probes: tuple[str, ...]
) -> regex.Pattern[str]:
    """Compile an entry's pattern; refuse one that matches nothing-at-all somewhere.

    Whether a regex can match the empty string somewhere is undecidable in
    general (lookarounds), so it is tried on the empty text, a trivial text
    and the entry's own renderings, the texts it is written to sit beside.
    """
    source = reader.string(node, "pattern")
    try:
        compiled = regex.compile(source)
    except regex.error as exc:
        raise reader.fail(node, f"pattern does not compile: {exc}") from None
    if compiled.fullmatch("") is not None:
        raise reader.fail(node, "pattern can match the empty string")
    try:
        for probe in ("", "a b. A-B", *probes):
            for m in compiled.finditer(probe, timeout=PATTERN_TIMEOUT):
                if m.end() == m.start():
                    raise reader.fail(node, "pattern can match the empty string")
    except TimeoutError:
        raise reader.fail(node, "pattern takes too long on a trivial text") from None
    runs = _runs(source, probes)
    try:
        for _ in compiled.finditer(runs, timeout=PATTERN_TIMEOUT):
            pass
    except TimeoutError:
        raise reader.fail(node, "pattern takes too long on a run of one repeated character "
                          "(catastrophic backtracking: a repetition inside a repetition, or "
                          "alternatives that overlap under one)") from None
    return compiled


def _runs(source: str, probes: tuple[str, ...]) -> str:
    """Runs of each character the pattern or its entry has, each broken off by a stop.

    Text a pattern almost matches, over and over, is where backtracking explodes:
    `(a|aa)+c` on forty a's tries every way to split them before it fails.
    """
    chars = sorted({c for c in source + "".join(probes) + "a1 " if c.isalnum() or c == " "})
    return "\0".join(c * 40 for c in chars[:64]) + "\0"


def _variant(reader: _Reader, item: yaml.Node, term: str) -> Variant:
    """A string (fixed to the term) or a one-pair mapping `wrong: right`."""
    if not isinstance(item, yaml.MappingNode):
        return Variant(reader.rendering(item, "a variant"), term, _loc(reader.path, item))
    pairs = reader.mapping(item, "a variant")
    if len(pairs) != 1:
        raise reader.fail(item, "a variant mapping has exactly one 'wrong: right' pair")
    _, wrong_node, right_node = pairs[0]
    wrong = reader.rendering(wrong_node, "a variant")
    return Variant(wrong, reader.visible(right_node, "a variant's fix"), _loc(reader.path, item))


def _variants(reader: _Reader, node: yaml.Node, term: str) -> tuple[Variant, ...]:
    # a single variant, like a single alias, is a list of one
    items = [node] if _is_string(node) else reader.sequence(node, "variants")
    return tuple(reader.each(items, lambda item: _variant(reader, item, term)))


def _sources(reader: _Reader, node: yaml.Node) -> dict[str, tuple[str, ...]]:
    sources: dict[str, tuple[str, ...]] = {}
    for lang, _, forms_node in reader.mapping(node, "sources"):
        forms = reader.attempt(reader.renderings, forms_node, f"sources.{lang}")
        if forms is not None:
            sources[lang] = forms
    return sources


def _examples(reader: _Reader, node: yaml.Node) -> Examples:
    values = reader.fields(node, "examples", frozenset({"bad", "good"}),
                           "unknown field {key!r} in examples")

    def sentences(key: str) -> tuple[str, ...]:
        items = reader.attempt(reader.strings, values[key], f"examples.{key}") if (
            key in values) else None
        return tuple(text for text, _ in items or ())

    return Examples(sentences("bad"), sentences("good"))


#: How each optional field of an entry is read: (the Entry attribute, the reader of its node).
_OPTIONAL_FIELDS: dict[str, tuple[str, Callable[[_Reader, yaml.Node], Any]]] = {
    "kind": ("kind", lambda r, n: r.choice(n, "kind", KINDS,
                                           f"kind must be one of {', '.join(KINDS)}")),
    "aliases": ("aliases", lambda r, n: r.renderings(n, "aliases")),
    "except": ("excepts", lambda r, n: r.renderings(n, "except")),
    "case": ("case", lambda r, n: r.choice(n, "case", CASES, "case must be 'exact' or 'any'")),
    "sources": ("sources", _sources),
    "note": ("note", lambda r, n: r.string(n, "note").strip()),
    "url": ("url", lambda r, n: r.string(n, "url").strip()),
    "examples": ("examples", _examples),
}


def _entry(reader: _Reader, node: yaml.Node) -> Entry | None:
    """The entry, or None when any of its fields is wrong (each error recorded)."""
    errors_before = len(reader.errors)
    values = reader.fields(node, "an entry", ENTRY_FIELDS, "unknown field {key!r} in an entry")
    term = None
    if "term" not in values:
        reader.errors.append(reader.fail(node, "an entry needs a 'term'"))
    else:
        term = reader.attempt(reader.rendering, values["term"], "term")
    kw: dict[str, Any] = {}
    for name, (attribute, read) in _OPTIONAL_FIELDS.items():
        if name in values:
            kw[attribute] = reader.attempt(read, reader, values[name])
    if "variants" in values:
        kw["variants"] = reader.attempt(_variants, reader, values["variants"], term or "")
    if "pattern" in values:
        probes = (term or "", *(kw.get("aliases") or ()),
                  *(v.wrong for v in kw.get("variants") or ()))
        kw["pattern"] = reader.attempt(_compile_pattern, reader, values["pattern"], probes)
    if term is None or len(reader.errors) > errors_before:
        return None
    return Entry(term=term, location=_loc(reader.path, node), **kw)


@dataclass(slots=True)
class _Loaded:
    entries: list[tuple[Entry, int]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)
    language: str | None = None
    transliteration: dict[str, str] = field(default_factory=dict)
    hasher: Any = field(default_factory=hashlib.sha256)
    errors: list[GlossaryError] = field(default_factory=list)
    #: compose with libyaml where it can (see `load_glossary`)
    fast: bool = True

    def in_reading_order(self) -> list[GlossaryError]:
        """The errors by file (in the order the files were read), line and column."""
        rank = {shown: i for i, shown in enumerate(self.files)}

        def key(error: GlossaryError) -> tuple[int, int, int]:
            where = error.location
            if where is None:
                return (len(rank), 0, 0)
            return (rank.get(where.path, len(rank)), where.line or 0, where.column or 0)

        return sorted(self.errors, key=key)


def _compose(path: Path, shown: str, fast: bool = False) -> tuple[yaml.Node | None, bytes]:
    """The file's YAML node tree, and the bytes it was read from (hashed for the digest)."""
    try:
        raw = read_bounded(path)
    except FileNotFoundError:
        raise GlossaryError(None, f"{shown}: no such glossary file") from None
    except InputRefused as exc:
        raise GlossaryError(None, f"{shown}: {exc.strerror}") from None
    except OSError as exc:
        raise GlossaryError(None, f"{shown}: cannot read: {exc.strerror}") from None
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GlossaryError(
            undecodable(shown, data, exc), f"not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        ) from None
    try:
        return bounded_yaml.compose(text, fast=fast), raw
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(shown, mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "bad YAML"
        if exc.problem and exc.context:
            problem = f"{exc.problem} ({exc.context})"
        raise GlossaryError(where, f"bad YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        where = Location(shown, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        problem = f"{exc.reason} (character U+{exc.character:04X})"
        raise GlossaryError(where, f"bad YAML: {problem}") from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise GlossaryError(Location(shown, 1, 1), f"bad YAML: {problem}") from None
    except RecursionError:
        raise GlossaryError(Location(shown, 1, 1), "bad YAML: nested too deeply") from None


def _resolve(path: Path, shown: str) -> Path:
    """The real path; a symbolic link loop is a GlossaryError, not a traceback."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        raise GlossaryError(None, f"{shown}: cannot read: a loop of symbolic links") from None


def _load_into(path: Path, shown: str, acc: _Loaded, stack: tuple[Path, ...]) -> None:
    """Read one file into `acc`, its includes first; its errors go to `acc.errors`, but for
    one that leaves nothing to read (an unreadable, empty or unparsable file), raised."""
    resolved = _resolve(path, shown)
    acc.seen.add(resolved)
    root, raw = _compose(path, shown, acc.fast)
    acc.files.append(shown)
    acc.hasher.update(shown.encode() + b"\0" + raw + b"\0")
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        raise GlossaryError(Location(shown, 1, 1), "the glossary is empty")
    reader = _Reader(shown, acc.errors)
    values = reader.fields(root, "the glossary", TOP_FIELDS, "unknown top-level field {key!r}")
    if "version" in values:
        reader.attempt(_version, reader, values["version"])
    if "language" in values:
        language = reader.attempt(reader.string, values["language"], "language")
        if not stack and language is not None:
            acc.language = language
    if "transliteration" in values:
        reader.attempt(_transliteration, reader, values["transliteration"], acc)
    if "include" in values:
        reader.attempt(_includes, reader, values["include"], path, acc, (*stack, resolved))
    if "entries" in values:
        for item in reader.attempt(reader.sequence, values["entries"], "entries") or ():
            entry = reader.attempt(_entry, reader, item)
            if entry is not None:
                acc.entries.append((entry, len(stack)))


def _version(reader: _Reader, node: yaml.Node) -> None:
    if not (isinstance(node, yaml.ScalarNode) and node.value == "1"):
        raise reader.fail(node, "unsupported glossary version (this checker reads version 1)")


def _transliteration(reader: _Reader, node: yaml.Node, acc: _Loaded) -> None:
    for lang, _, system_node in reader.mapping(node, "transliteration"):
        system = reader.attempt(reader.string, system_node, f"transliteration.{lang}")
        if system is None:
            continue
        try:
            check_system(lang, system)
        except TransliterationError as exc:
            reader.errors.append(reader.fail(system_node, str(exc)))
            continue
        acc.transliteration.setdefault(lang, system)


def _includes(
    reader: _Reader, node: yaml.Node, path: Path, acc: _Loaded, chain: tuple[Path, ...]
) -> None:
    for name, inode in reader.strings(node, "include"):
        reader.attempt(_include, reader, name, inode, path.parent / name, acc, chain)


def _include(
    reader: _Reader, name: str, inode: yaml.Node, target: Path, acc: _Loaded,
    chain: tuple[Path, ...],
) -> None:
    """One included file, unless it is missing, closes a cycle or was read already."""
    if not target.exists():
        raise reader.fail(inode, f"included file {name!r} does not exist")
    try:
        real = target.resolve()
    except (OSError, RuntimeError):
        raise reader.fail(inode, f"included file {name!r} is a loop of symbolic links") from None
    if real in chain:
        cycle = " -> ".join(display_path(p) for p in (*chain, real))
        raise reader.fail(inode, f"include cycle: {cycle}")
    if real in acc.seen:
        return  # included twice over different paths (a diamond): its entries once
    _load_into(target, display_path(target), acc, chain)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def resolve_conflicts(loaded: list[tuple[Entry, int]]) -> list[Entry]:
    """Refuse duplicate terms, a text right for one entry and wrong for another, and one
    wrong text listed under two entries (which fix would be meant?).

    Entries of an including file override the included entries they clash
    with (a desk glossary overriding a bundled list's house style); a clash
    between entries at the same include depth is an error naming both places,
    unless a shallower entry has already overridden one of the two.
    """
    depth = {id(entry): d for entry, d in loaded}
    dropped: set[int] = set()
    ties: list[tuple[Entry, Entry, GlossaryError]] = []

    def clash(held: Entry, other: Entry, error: GlossaryError) -> None:
        if held is other or depth[id(held)] == depth[id(other)]:
            ties.append((held, other, error))
        else:
            dropped.add(id(held) if depth[id(held)] > depth[id(other)] else id(other))

    owners: dict[str, list[Entry]] = {}
    for entry, _ in loaded:
        for text in entry.accepted:
            held = owners.setdefault(text, [])
            for previous in held:
                if previous is not entry:
                    clash(previous, entry, GlossaryError(entry.location, (
                        f"{text!r} is already the term or an alias of '{previous.term}' "
                        f"at {previous.location}"
                    )))
            if not any(e is entry for e in held):
                held.append(entry)
    folded: dict[str, list[Entry]] = {}
    for text, held in owners.items():
        folded.setdefault(_key(text), []).extend(held)
    wrongs: dict[str, tuple[Entry, Variant]] = {}
    for entry, _ in loaded:
        for variant in entry.variants:
            for hit in folded.get(_key(variant.wrong), ()):
                clash(hit, entry, GlossaryError(variant.location, (
                    f"variant {variant.wrong!r} of '{entry.term}' is the term or an alias "
                    f"of '{hit.term}' at {hit.location}"
                )))
            first = wrongs.setdefault(_key(variant.wrong), (entry, variant))
            if first[0] is not entry:  # one wrong text, two fixes: which one is meant?
                clash(first[0], entry, GlossaryError(variant.location, (
                    f"variant {variant.wrong!r} of '{entry.term}' is already a variant "
                    f"of '{first[0].term}' at {first[1].location}"
                )))
    errors = {  # by text: a clash found from both sides is one error
        str(error): error for a, b, error in ties
        if a is b or (id(a) not in dropped and id(b) not in dropped)
    }
    raise_all(list(errors.values()))
    return [entry for entry, _ in loaded if id(entry) not in dropped]


def _read(path: Path, fast: bool) -> tuple[_Loaded, list[Entry]]:
    """The files read and their entries, conflicts resolved; every error raised at once."""
    acc = _Loaded(fast=fast)
    _load_into(path, display_path(path), acc, ())
    raise_all(acc.in_reading_order())
    return acc, resolve_conflicts(acc.entries)


def load_glossary(path: str | Path) -> Glossary:
    """Load a glossary and everything it includes, or raise GlossaryError.

    The YAML is composed by libyaml where it can; a glossary with an error is loaded again
    with PyYAML's own composer, whose marks locate every node the way errors have always
    been located (libyaml places an empty value elsewhere).
    """
    path = Path(path)
    try:
        acc, entries = _read(path, fast=True)
    except GlossaryError:
        acc, entries = _read(path, fast=False)
    return Glossary(
        entries=tuple(entries),
        path=display_path(path),
        files=tuple(acc.files),
        digest=acc.hasher.hexdigest(),
        language=acc.language or "en",
        transliteration=dict(acc.transliteration),
    )


def load_glossaries(paths: Sequence[str | Path]) -> Glossary:
    """One glossary, or several merged as if one file included the others (same conflict rules)."""
    if len(paths) == 1:
        return load_glossary(paths[0])
    errors: list[GlossaryCheckError] = []
    loaded = []
    for path in paths:  # every file's errors, not just the first broken file's
        try:
            loaded.append(load_glossary(path))
        except GlossaryErrors as exc:
            errors += exc.errors
        except GlossaryError as exc:
            errors.append(exc)
    raise_all(errors)
    return merge_glossaries([load_glossary(p) for p in paths])


def merge_glossaries(loaded: Sequence[Glossary]) -> Glossary:
    """Glossaries loaded apart, merged as `load_glossaries` merges them; the digest is of
    their digests, so whoever kept each one's files can tell whether any of them changed."""
    if len(loaded) == 1:
        return loaded[0]
    entries = resolve_conflicts([(entry, 0) for g in loaded for entry in g.entries])
    digest = hashlib.sha256("\0".join(g.digest for g in loaded).encode()).hexdigest()
    transliteration: dict[str, str] = {}
    for g in loaded:
        for lang, system in g.transliteration.items():
            transliteration.setdefault(lang, system)
    return Glossary(
        entries=tuple(entries), path=" + ".join(g.path for g in loaded),
        files=tuple(f for g in loaded for f in g.files), digest=digest,
        language=loaded[0].language, transliteration=transliteration,
    )
