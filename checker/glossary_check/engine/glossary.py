"""The glossary format (version 1): loading, validation and the typed entries.

Loading goes through PyYAML's composer so every node keeps its mark: every
error names file:line:column, and nothing is constructed beyond what
`yaml.safe_load` would build (no tags, no Python objects).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import yaml

from glossary_check.core import bounded_yaml
from glossary_check.core.errors import GlossaryCheckError, Location, display_path, undecodable
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


class GlossaryError(GlossaryCheckError):
    """A broken glossary; str() is the one-line message the CLI prints."""

    def __init__(self, location: Location | None, message: str) -> None:
        super().__init__(message, location)


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


class _Reader:
    """Walks composed YAML nodes, turning them into plain values with checks."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: yaml.Node, message: str) -> GlossaryError:
        return GlossaryError(_loc(self.path, node), message)

    def plain(self, node: yaml.Node) -> None:
        """Refuse what `yaml.safe_load` would refuse: tags naming Python objects or local types."""
        if node.tag not in _SAFE_TAGS:
            raise self.fail(node, f"YAML tag {node.tag!r} is not allowed in a glossary")

    def fields(
        self, node: yaml.Node, what: str, allowed: frozenset[str], unknown: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping whose keys must be among `allowed`; `unknown` words the error ({key!r})."""
        pairs = self.mapping(node, what)
        for key, key_node, _ in pairs:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(key_node, unknown.format(key=key) + f" (known: {known})")
        return {k: (kn, vn) for k, kn, vn in pairs}

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
            if key in seen:
                raise self.fail(key_node, f"duplicate key {key!r} in {what}")
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
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return [(self.string(node, what), node)]
        return [
            (self.string(item, f"an item of {what}"), item) for item in self.sequence(node, what)
        ]

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
        items = self.strings(node, what)
        return tuple(self.rendering(item, f"an item of {what}") for _, item in items)


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


def _entry(reader: _Reader, node: yaml.Node) -> Entry:
    values = reader.fields(node, "an entry", ENTRY_FIELDS, "unknown field {key!r} in an entry")
    if "term" not in values:
        raise reader.fail(node, "an entry needs a 'term'")
    term = reader.rendering(values["term"][1], "term")
    kw: dict[str, Any] = {}
    if "kind" in values:
        kind = reader.string(values["kind"][1], "kind")
        if kind not in KINDS:
            raise reader.fail(values["kind"][1], f"kind must be one of {', '.join(KINDS)}")
        kw["kind"] = kind
    if "aliases" in values:
        kw["aliases"] = reader.renderings(values["aliases"][1], "aliases")
    if "variants" in values:
        variants = []
        variants_node = values["variants"][1]
        items = (
            [variants_node]  # a single variant, like a single alias, is a list of one
            if isinstance(variants_node, yaml.ScalarNode)
            and variants_node.tag == "tag:yaml.org,2002:str"
            else reader.sequence(variants_node, "variants")
        )
        for item in items:
            if isinstance(item, yaml.MappingNode):
                pairs = reader.mapping(item, "a variant")
                if len(pairs) != 1:
                    raise reader.fail(item, "a variant mapping has exactly one 'wrong: right' pair")
                _, wrong_node, right_node = pairs[0]
                wrong = reader.rendering(wrong_node, "a variant")
                right = reader.visible(right_node, "a variant's fix")
                variants.append(Variant(wrong, right, _loc(reader.path, item)))
            else:
                wrong = reader.rendering(item, "a variant")
                variants.append(Variant(wrong, term, _loc(reader.path, item)))
        kw["variants"] = tuple(variants)
    if "except" in values:
        kw["excepts"] = reader.renderings(values["except"][1], "except")
    if "case" in values:
        case = reader.string(values["case"][1], "case")
        if case not in CASES:
            raise reader.fail(values["case"][1], "case must be 'exact' or 'any'")
        kw["case"] = case
    if "sources" in values:
        sources: dict[str, tuple[str, ...]] = {}
        for lang, _, forms_node in reader.mapping(values["sources"][1], "sources"):
            sources[lang] = reader.renderings(forms_node, f"sources.{lang}")
        kw["sources"] = sources
    if "pattern" in values:
        probes = (term, *kw.get("aliases", ()), *(v.wrong for v in kw.get("variants", ())))
        kw["pattern"] = _compile_pattern(reader, values["pattern"][1], probes)
    for name in ("note", "url"):
        if name in values:
            kw[name] = reader.string(values[name][1], name).strip()
    if "examples" in values:
        ex: dict[str, tuple[str, ...]] = {"bad": (), "good": ()}
        for key, key_node, value_node in reader.mapping(values["examples"][1], "examples"):
            if key not in ex:
                raise reader.fail(key_node, f"unknown field {key!r} in examples (bad, good)")
            ex[key] = tuple(s for s, _ in reader.strings(value_node, f"examples.{key}"))
        kw["examples"] = Examples(ex["bad"], ex["good"])
    return Entry(term=term, location=_loc(reader.path, node), **kw)


@dataclass(slots=True)
class _Loaded:
    entries: list[tuple[Entry, int]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)
    language: str | None = None
    transliteration: dict[str, str] = field(default_factory=dict)
    hasher: Any = field(default_factory=hashlib.sha256)
    #: compose with libyaml where it can (see `load_glossary`)
    fast: bool = True


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
    resolved = _resolve(path, shown)
    acc.seen.add(resolved)
    root, raw = _compose(path, shown, acc.fast)
    acc.files.append(shown)
    acc.hasher.update(shown.encode() + b"\0" + raw + b"\0")
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        raise GlossaryError(Location(shown, 1, 1), "the glossary is empty")
    reader = _Reader(shown)
    values = reader.fields(root, "the glossary", TOP_FIELDS, "unknown top-level field {key!r}")
    if "version" in values:
        vnode = values["version"][1]
        if not (isinstance(vnode, yaml.ScalarNode) and vnode.value == "1"):
            raise reader.fail(vnode, "unsupported glossary version (this checker reads version 1)")
    if "language" in values:
        language = reader.string(values["language"][1], "language")
        if not stack:
            acc.language = language
    if "transliteration" in values:
        for lang, _, system_node in reader.mapping(values["transliteration"][1], "transliteration"):
            system = reader.string(system_node, f"transliteration.{lang}")
            try:
                check_system(lang, system)
            except TransliterationError as exc:
                raise reader.fail(system_node, str(exc)) from None
            acc.transliteration.setdefault(lang, system)
    if "include" in values:
        for name, inode in reader.strings(values["include"][1], "include"):
            target = path.parent / name
            if not target.exists():
                raise reader.fail(inode, f"included file {name!r} does not exist")
            try:
                real = target.resolve()
            except (OSError, RuntimeError):
                raise reader.fail(
                    inode, f"included file {name!r} is a loop of symbolic links") from None
            chain = (*stack, resolved)
            if real in chain:
                cycle = " -> ".join(display_path(p) for p in (*chain, real))
                raise reader.fail(inode, f"include cycle: {cycle}")
            if real in acc.seen:
                continue  # included twice over different paths (a diamond): its entries once
            _load_into(target, display_path(target), acc, chain)
    if "entries" in values:
        for item in reader.sequence(values["entries"][1], "entries"):
            acc.entries.append((_entry(reader, item), len(stack)))


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
    for a, b, error in ties:
        if a is b or (id(a) not in dropped and id(b) not in dropped):
            raise error
    return [entry for entry, _ in loaded if id(entry) not in dropped]


def load_glossary(path: str | Path) -> Glossary:
    """Load a glossary and everything it includes, or raise GlossaryError.

    The YAML is composed by libyaml where it can; a glossary with an error is loaded again
    with PyYAML's own composer, whose marks locate every node the way errors have always
    been located (libyaml places an empty value elsewhere).
    """
    path = Path(path)
    acc = _Loaded()
    try:
        _load_into(path, display_path(path), acc, ())
    except GlossaryError:
        acc = _Loaded(fast=False)
        _load_into(path, display_path(path), acc, ())
    return Glossary(
        entries=tuple(resolve_conflicts(acc.entries)),
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
