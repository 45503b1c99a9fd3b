"""The glossary format (version 1): loading, validation and the typed entries.

Loading goes through PyYAML's composer so every node keeps its mark: every
error names file:line:column, and nothing is constructed beyond what
`yaml.safe_load` would build (no tags, no Python objects). A long file is first
read to plain data by yaml_rs (`_PlainReader`, the same checks), which hands
anything it is not sure of, and any error, to the composer.

A broken glossary is reported whole: the loader goes on past an error to the
next field, item and entry (and included file), and raises every error it
met at once, in reading order. Clashes between entries are looked for only
in a glossary whose entries all loaded, as an entry left out would change
which one overrides which.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import regex

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


class _Deferred:
    """A module imported where first used, then put in this one's globals under `bound` in
    its place: a run whose glossary comes from the cache reads no YAML, and PyYAML with its
    loaders is a hundredth of a second of every start."""

    def __init__(self, name: str, bound: str) -> None:
        self._name, self._bound = name, bound

    def __getattr__(self, attr: str) -> Any:
        import importlib

        module = importlib.import_module(self._name)
        globals()[self._bound] = module
        return getattr(module, attr)


if TYPE_CHECKING:
    import yaml

    from glossary_check.core import bounded_yaml, plain_yaml
else:
    yaml = _Deferred("yaml", "yaml")
    bounded_yaml = _Deferred("glossary_check.core.bounded_yaml", "bounded_yaml")
    plain_yaml = _Deferred("glossary_check.core.plain_yaml", "plain_yaml")

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
#: A file this long (in characters) or longer is read to plain data by yaml_rs first
#: (`_PlainReader`); a shorter one is composed by libyaml at once, quicker than importing
#: yaml_rs. Where the fast reader is not sure, or finds any error, libyaml and PyYAML's
#: composer read the glossary again as they always have.
PLAIN_FROM = 50_000
#: A node: a yaml.Node for `_Reader`, a plain value (dict, list, str) for `_PlainReader`.
Node = Any


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

    The checks are written once, here, over a few primitives (`text`, `mapping`,
    `sequence`, `is_string`, `is_mapping`, `location`, `variant_places`, `version_one`);
    `_PlainReader` gives the same checks over plain data by giving those primitives.
    """

    def __init__(self, path: str, errors: list[GlossaryError] | None = None) -> None:
        self.path = path
        self.errors: list[GlossaryError] = [] if errors is None else errors

    def fail(self, node: Node, message: str) -> GlossaryError:
        return GlossaryError(_loc(self.path, node), message)

    def record(self, error: GlossaryError) -> None:
        """Keep an error and go on reading."""
        self.errors.append(error)

    def attempt(self, parse: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T | None:
        """`parse(*args)`, or None with its error recorded."""
        try:
            return parse(*args, **kwargs)
        except GlossaryError as exc:
            self.errors.append(exc)
            return None

    def each(self, items: Sequence[Node], parse: Callable[[Node], T]) -> list[T]:
        """`parse` of every item that passes; the errors of the others recorded."""
        parsed = (self.attempt(parse, item) for item in items)
        return [value for value in parsed if value is not None]

    # the primitives: what a node is, where it is

    def plain(self, node: yaml.Node) -> None:
        """Refuse what `yaml.safe_load` would refuse: tags naming Python objects or local types."""
        if node.tag not in _SAFE_TAGS:
            raise self.fail(node, f"YAML tag {node.tag!r} is not allowed in a glossary")

    def is_string(self, node: Node) -> bool:
        return _is_string(node)

    def is_mapping(self, node: Node) -> bool:
        return isinstance(node, yaml.MappingNode)

    def is_empty(self, root: Node) -> bool:
        return root is None or (
            isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null")

    def location(self, node: Node) -> Location:
        return _loc(self.path, node)

    def variant_places(self, entry: Node, node: Node, items: Sequence[Node]) -> list[Location]:
        """Where each of an entry's variants (the `items` of its `variants` node) starts."""
        return [_loc(self.path, item) for item in items]

    def version_one(self, node: Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.value == "1"

    def text(self, node: Node, what: str) -> str:
        """A scalar's text as written, for a string, an integer or a float."""
        self.plain(node)
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        ):
            raise self.fail(node, f"{what} must be a string")
        return str(node.value)

    def mapping(self, node: Node, what: str) -> list[tuple[str, Node, Node]]:
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
                self.record(self.fail(key_node, f"duplicate key {key!r} in {what}"))
                continue
            seen[key] = key_node
            out.append((key, key_node, value_node))
        for key, key_node, value_node in merged:  # keys written out win over merged ones
            if key not in seen:
                seen[key] = key_node
                out.append((key, key_node, value_node))
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        self.plain(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode) or node.tag != "tag:yaml.org,2002:seq":
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    # the checks, over the primitives

    def choice(self, node: Node, what: str, allowed: Sequence[str], wrong: str) -> str:
        """A string among `allowed`; `wrong` words the error, with a near miss guessed."""
        value = self.string(node, what)
        if value not in allowed:
            guess = did_you_mean(value, allowed)
            raise self.fail(node, wrong + (f" (did you mean {guess!r}?)" if guess else ""))
        return value

    def fields(
        self, node: Node, what: str, allowed: frozenset[str], unknown: str
    ) -> dict[str, Node]:
        """The values of a mapping by key; a key not `allowed` is an error (`unknown` words
        it, {key!r}) recorded with a guess at the key meant, and left out."""
        known = {}
        for key, key_node, value_node in self.mapping(node, what):
            if key in allowed:
                known[key] = value_node
            else:
                message = f"{unknown.format(key=key)} ({hint(key, sorted(allowed))})"
                self.record(self.fail(key_node, message))
        return known

    def string(self, node: Node, what: str, *, allow_empty: bool = False) -> str:
        value = self.text(node, what)
        if not allow_empty and not value.strip():
            raise self.fail(node, f"{what} must not be empty")
        return value

    def strings(self, node: Node, what: str) -> list[tuple[str, Node]]:
        """A list of strings; a single string is accepted as a list of one."""
        if self.is_string(node):
            return [(self.string(node, what), node)]
        item_what = f"an item of {what}"
        return self.each(self.sequence(node, what),
                         lambda item: (self.string(item, item_what), item))

    def visible(self, node: Node, what: str) -> str:
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

    def rendering(self, node: Node, what: str) -> str:
        """A text the matcher looks for: it needs a letter or digit, or it could never match."""
        text = self.visible(node, what)
        if not _WORDLIKE.search(text):
            raise self.fail(node, f"{what} {text!r} has no letter or digit to match")
        return text

    def renderings(self, node: Node, what: str) -> tuple[str, ...]:
        items = [item for _, item in self.strings(node, what)]
        item_what = f"an item of {what}"
        return tuple(self.each(items, lambda item: self.rendering(item, item_what)))


class _Unsure(Exception):
    """The fast reader cannot vouch for reading this file as PyYAML's safe loader would."""


_ENTRIES_KEY = re.compile(r"^entries:", re.MULTILINE)
#: the `entries:` line with nothing after it, then blank or comment lines, then the first item
_FIRST_ITEM = re.compile(r"entries:[ ]*(?:#[^\n]*)?\n(?:[ ]*(?:#[^\n]*)?\n)*( *)- ")
_VERSION_KEY = re.compile(r"^version:", re.MULTILINE)
_VERSION_ONE = re.compile(r"^version:[ ]*1[ ]*(?:#[^\n]*)?$", re.MULTILINE)


def _plain_rendering(node: Node) -> str | None:
    """What `_Reader.rendering` makes of a plain string that passes all its checks, at once
    (a string, not empty, one PyYAML reads as a string, nothing invisible, a letter or
    digit); None for anything else, which is read by the checks themselves."""
    if type(node) is not str or plain_yaml.resolves_to_other(node):
        return None
    text = node.strip()
    if not text or hidden_char(text) is not None or not _WORDLIKE.search(text):
        return None
    return text


class _PlainReader(_Reader):
    """The same checks over the plain data yaml_rs reads, for a glossary without errors.

    It stops at the first thing it cannot vouch for (any error, a value that may have been
    read otherwise by PyYAML, a place it cannot find) by raising: the glossary is then read
    again by `_Reader`, which gives the verdict and the marks. The places of entries and
    variants come from a scan of the text's block layout (`- ` items under `entries:`,
    `variants:` inside an entry), each checked against the data: the number of items, and
    the key or value written where each is said to start.
    """

    def __init__(self, path: str, text: str, root: Any) -> None:
        super().__init__(path)
        self.source = text.replace("\r\n", "\n") if "\r" in text else text
        #: id(entry) -> (line index, column, offset of its first character, offset of its end)
        self.places: dict[int, tuple[int, int, int, int]] = {}
        self.root = root
        self._variants_key: dict[int, re.Pattern[str]] = {}
        entries = root.get("entries") if type(root) is dict else None
        if type(entries) is list and entries:
            self._find_entries(entries)

    def _find_entries(self, entries: list[Any]) -> None:
        source = self.source
        keys = [m.start() for m in _ENTRIES_KEY.finditer(source)]
        first = _FIRST_ITEM.match(source, keys[0]) if len(keys) == 1 else None
        if first is None:
            raise _Unsure("no block sequence under entries:")
        indent = len(first.group(1))
        item = re.compile(rf"^ {{{indent}}}-(?:( +)([^\n]*))?$", re.MULTILINE)
        ends = rf"^(?: {{{indent}}}(?:[^ \n#-]|-[^ \n])"
        ends += rf"| {{0,{indent - 1}}}[^ \n#])" if indent else ")"
        stop = re.compile(ends, re.MULTILINE).search(source, first.start(1))
        block_end = stop.start() if stop else len(source)
        found = list(item.finditer(source, first.start(1), block_end))
        if len(found) != len(entries):
            raise _Unsure("the entries found are not the entries read")
        line = source.count("\n", 0, first.start(1))
        offset = first.start(1)
        for index, (match, entry) in enumerate(zip(found, entries, strict=True)):
            line += source.count("\n", offset, match.start())
            offset = match.start()
            written = match.group(2)
            if type(entry) is not dict or not entry or not written:
                raise _Unsure("an entry written otherwise")
            key, value = next(iter(entry.items()))
            if not (written.startswith(key) and written[len(key):len(key) + 1] == ":"
                    and (type(value) is not str
                         or _shows(written[len(key) + 1:].lstrip(" "), value))):
                raise _Unsure("an entry's first key is not where it was looked for")
            end = found[index + 1].start() if index + 1 < len(found) else block_end
            column = indent + 1 + len(match.group(1))
            self.places[id(entry)] = (line, column, match.start(), end)

    def fail(self, node: Node, message: str) -> GlossaryError:
        return GlossaryError(None, message)

    def record(self, error: GlossaryError) -> None:
        raise error

    def attempt(self, parse: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T | None:
        return parse(*args, **kwargs)

    def each(self, items: Sequence[Node], parse: Callable[[Node], T]) -> list[T]:
        return [parse(item) for item in items]

    def is_string(self, node: Node) -> bool:
        return type(node) is str

    def is_mapping(self, node: Node) -> bool:
        return type(node) is dict

    def is_empty(self, root: Node) -> bool:
        return root is None

    def location(self, node: Node) -> Location:
        line, column, _, _ = self.places[id(node)]
        return Location(self.path, line + 1, column + 1)

    def version_one(self, node: Node) -> bool:
        if type(node) is str:  # quoted (a plain 1 is an int here): PyYAML's node holds it too
            return node == "1"
        if not (type(node) is int and node == 1 and len(_VERSION_KEY.findall(self.source)) == 1
                and _VERSION_ONE.search(self.source)):
            raise _Unsure("a version not plainly written as 1")
        return True

    def string(self, node: Node, what: str, *, allow_empty: bool = False) -> str:
        if type(node) is str and node.strip() and not plain_yaml.resolves_to_other(node):
            return node  # the common case, at once; anything else through the check itself
        return super().string(node, what, allow_empty=allow_empty)

    def rendering(self, node: Node, what: str) -> str:
        text = _plain_rendering(node)
        return super().rendering(node, what) if text is None else text

    def renderings(self, node: Node, what: str) -> tuple[str, ...]:
        # the common case, a list of plain renderings, in one pass; else item by item
        if type(node) is list:
            texts = [_plain_rendering(item) for item in node]
            if None not in texts:
                return tuple(cast(list[str], texts))
        return super().renderings(node, what)

    def text(self, node: Node, what: str) -> str:
        if type(node) is not str or plain_yaml.resolves_to_other(node):
            raise _Unsure(f"{what}: a value PyYAML may read otherwise")
        return node

    def mapping(self, node: Node, what: str) -> list[tuple[str, Node, Node]]:
        if type(node) is not dict:
            raise _Unsure(f"{what} is not a mapping")
        return [(self.string(key, "a key"), key, value) for key, value in node.items()]

    def sequence(self, node: Node, what: str) -> list[Node]:
        if type(node) is not list:
            raise _Unsure(f"{what} is not a list")
        return node

    def variant_places(self, entry: Node, node: Node, items: Sequence[Node]) -> list[Location]:
        line, column, start, end = self.places[id(entry)]
        source = self.source
        key = self._variants_key.get(column)
        if key is None:
            key = self._variants_key[column] = re.compile(
                rf"^ {{{column}}}variants:(?=[ \n]|$)", re.MULTILINE)
        at = [m.start() for m in key.finditer(source, start, end)]
        if source.startswith("variants:", start + column) and source[
                start + column + 9:start + column + 10] in ("", " ", "\n"):
            at.insert(0, start)  # the entry's first key, after its `- `
        if len(at) != 1:
            raise _Unsure("variants: not found once in its entry")
        line += source.count("\n", start, at[0])
        stop = source.find("\n", at[0], end)
        first = source[at[0]:stop if stop >= 0 else end]
        written = first[column + 9:].lstrip(" ")
        where = len(first) - len(written)
        if written.startswith("["):  # a flow sequence on one line, of strings only
            starts = plain_yaml.flow_items(first, where)
            if starts is None or len(starts) != len(items) or not all(
                type(item) is str and _shows(first[col:], item)
                for col, item in zip(starts, items, strict=True)
            ):
                raise _Unsure("a flow sequence of variants written otherwise")
            return [Location(self.path, line + 1, col + 1) for col in starts]
        if written and not written.startswith("#"):
            if not (type(node) is str and _shows(written, node)):
                raise _Unsure("a variant written otherwise")
            return [Location(self.path, line + 1, where + 1)]
        block = source[at[0]:end].split("\n")
        found = plain_yaml.block_items(block, 1, len(block), column)
        if found is None or len(found[0]) != len(items):
            raise _Unsure("the variants found are not the variants read")
        places = []
        for (index, item_column), item in zip(found[0], items, strict=True):
            shown = block[index][item_column:]
            if type(item) is dict and len(item) == 1:
                item = next(iter(item))
            if type(item) is not str or not _shows(shown, item):
                raise _Unsure("a variant written otherwise")
            places.append(Location(self.path, line + index + 1, item_column + 1))
        return places


def _shows(written: str, value: str) -> bool:
    """Whether text written from a node's start (to the end of its line) begins with its
    value, plain or in quotes: a check that a place found is the node's."""
    if not value:
        return False
    if written[:1] == "'":
        return written.startswith(value.replace("'", "''"), 1)
    return written.startswith(value, 1 if written[:1] == '"' else 0)


def _compile_pattern(
    reader: _Reader, node: Node, probes: tuple[str, ...]
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


def _variant(reader: _Reader, item: Node, term: str, where: Location) -> Variant:
    """A string (fixed to the term) or a one-pair mapping `wrong: right`."""
    if not reader.is_mapping(item):
        return Variant(reader.rendering(item, "a variant"), term, where)
    pairs = reader.mapping(item, "a variant")
    if len(pairs) != 1:
        raise reader.fail(item, "a variant mapping has exactly one 'wrong: right' pair")
    _, wrong_node, right_node = pairs[0]
    wrong = reader.rendering(wrong_node, "a variant")
    return Variant(wrong, reader.visible(right_node, "a variant's fix"), where)


def _variants(reader: _Reader, node: Node, term: str, entry: Node) -> tuple[Variant, ...]:
    # a single variant, like a single alias, is a list of one
    items = [node] if reader.is_string(node) else reader.sequence(node, "variants")
    places = reader.variant_places(entry, node, items)
    return tuple(reader.each(range(len(items)),
                             lambda i: _variant(reader, items[i], term, places[i])))


def _sources(reader: _Reader, node: Node) -> dict[str, tuple[str, ...]]:
    sources: dict[str, tuple[str, ...]] = {}
    for lang, _, forms_node in reader.mapping(node, "sources"):
        forms = reader.attempt(reader.renderings, forms_node, f"sources.{lang}")
        if forms is not None:
            sources[lang] = forms
    return sources


def _examples(reader: _Reader, node: Node) -> Examples:
    values = reader.fields(node, "examples", frozenset({"bad", "good"}),
                           "unknown field {key!r} in examples")

    def sentences(key: str) -> tuple[str, ...]:
        items = reader.attempt(reader.strings, values[key], f"examples.{key}") if (
            key in values) else None
        return tuple(text for text, _ in items or ())

    return Examples(sentences("bad"), sentences("good"))


#: How each optional field of an entry is read: (the Entry attribute, the reader of its node).
_OPTIONAL_FIELDS: dict[str, tuple[str, Callable[[_Reader, Node], Any]]] = {
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


def _entry(reader: _Reader, node: Node) -> Entry | None:
    """The entry, or None when any of its fields is wrong (each error recorded)."""
    errors_before = len(reader.errors)
    values = reader.fields(node, "an entry", ENTRY_FIELDS, "unknown field {key!r} in an entry")
    term = None
    if "term" not in values:
        reader.record(reader.fail(node, "an entry needs a 'term'"))
    else:
        term = reader.attempt(reader.rendering, values["term"], "term")
    kw: dict[str, Any] = {}
    for name, (attribute, read) in _OPTIONAL_FIELDS.items():
        if name in values:
            kw[attribute] = reader.attempt(read, reader, values[name])
    if "variants" in values:
        kw["variants"] = reader.attempt(_variants, reader, values["variants"], term or "", node)
    if "pattern" in values:
        probes = (term or "", *(kw.get("aliases") or ()),
                  *(v.wrong for v in kw.get("variants") or ()))
        kw["pattern"] = reader.attempt(_compile_pattern, reader, values["pattern"], probes)
    if term is None or len(reader.errors) > errors_before:
        return None
    return Entry(term=term, location=reader.location(node), **kw)


@dataclass(slots=True)
class _Loaded:
    entries: list[tuple[Entry, int]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)
    language: str | None = None
    transliteration: dict[str, str] = field(default_factory=dict)
    hasher: Any = field(default_factory=hashlib.sha256)
    errors: list[GlossaryError] = field(default_factory=list)
    #: how files are read: "plain" (yaml_rs for a long file, libyaml for a short one),
    #: "libyaml", "careful" (PyYAML's composer); see `load_glossary`
    mode: str = "plain"

    def in_reading_order(self) -> list[GlossaryError]:
        """The errors by file (in the order the files were read), line and column."""
        rank = {shown: i for i, shown in enumerate(self.files)}

        def key(error: GlossaryError) -> tuple[int, int, int]:
            where = error.location
            if where is None:
                return (len(rank), 0, 0)
            return (rank.get(where.path, len(rank)), where.line or 0, where.column or 0)

        return sorted(self.errors, key=key)


def _read_text(path: Path, shown: str) -> tuple[str, bytes]:
    """The file's text, and the bytes it was read from (hashed for the digest)."""
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
        return data.decode("utf-8"), raw
    except UnicodeDecodeError as exc:
        raise GlossaryError(
            undecodable(shown, data, exc), f"not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        ) from None


def _compose(text: str, shown: str, fast: bool = False) -> yaml.Node | None:
    """The text's YAML node tree; a YAML error as a GlossaryError at its mark."""
    try:
        return bounded_yaml.compose(text, fast=fast)
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


def _reader(text: str, raw: bytes, shown: str, acc: _Loaded) -> tuple[_Reader, Node]:
    """The reader for a file's text and the root it reads from, as `acc.mode` says."""
    if acc.mode == "plain" and len(text) >= PLAIN_FROM:
        try:
            root = plain_yaml.load(text, raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
        except plain_yaml.Unsure as exc:
            raise _Unsure(str(exc)) from None
        return _PlainReader(shown, text, root), root
    return _Reader(shown, acc.errors), _compose(text, shown, acc.mode != "careful")


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
    text, raw = _read_text(path, shown)
    reader, root = _reader(text, raw, shown, acc)
    acc.files.append(shown)
    acc.hasher.update(shown.encode() + b"\0" + raw + b"\0")
    if reader.is_empty(root):
        raise GlossaryError(Location(shown, 1, 1), "the glossary is empty")
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
        items = reader.attempt(reader.sequence, values["entries"], "entries") or []
        # An entry's plain data (yaml_rs's dicts and lists) is let go once it is read: the
        # entries made next take its place instead of memory of their own.
        release = isinstance(reader, _PlainReader) and type(items) is list
        for index, item in enumerate(items):
            entry = reader.attempt(_entry, reader, item)
            if release:
                items[index] = None
            if entry is not None:
                acc.entries.append((entry, len(stack)))


def _version(reader: _Reader, node: Node) -> None:
    if not reader.version_one(node):
        raise reader.fail(node, "unsupported glossary version (this checker reads version 1)")


def _transliteration(reader: _Reader, node: Node, acc: _Loaded) -> None:
    for lang, _, system_node in reader.mapping(node, "transliteration"):
        system = reader.attempt(reader.string, system_node, f"transliteration.{lang}")
        if system is None:
            continue
        try:
            check_system(lang, system)
        except TransliterationError as exc:
            reader.record(reader.fail(system_node, str(exc)))
            continue
        acc.transliteration.setdefault(lang, system)


def _includes(
    reader: _Reader, node: Node, path: Path, acc: _Loaded, chain: tuple[Path, ...]
) -> None:
    for name, inode in reader.strings(node, "include"):
        reader.attempt(_include, reader, name, inode, path.parent / name, acc, chain)


def _include(
    reader: _Reader, name: str, inode: Node, target: Path, acc: _Loaded,
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


def _read(path: Path, mode: str) -> tuple[_Loaded, list[Entry]]:
    """The files read and their entries, conflicts resolved; every error raised at once."""
    acc = _Loaded(mode=mode)
    _load_into(path, display_path(path), acc, ())
    raise_all(acc.in_reading_order())
    return acc, resolve_conflicts(acc.entries)


def _read_fast(path: Path) -> tuple[_Loaded, list[Entry]] | None:
    """The glossary read by yaml_rs where a file is long (and by libyaml where it is short),
    or None where that reader is not sure, or meets any error at all."""
    try:
        return _read(path, "plain")
    except (GlossaryError, _Unsure, KeyError):  # KeyError: a place the scan did not find
        return None


def load_glossary(path: str | Path) -> Glossary:
    """Load a glossary and everything it includes, or raise GlossaryError.

    A long file is read to plain data by yaml_rs and checked by `_PlainReader`; a short one
    is composed by libyaml. Whatever that first reading is not sure of, or finds wrong, is
    read again from the start: composed by libyaml, and where that finds an error, by
    PyYAML's own composer, whose marks locate every node the way errors have always been
    located (libyaml places an empty value elsewhere).
    """
    path = Path(path)
    read = _read_fast(path)
    if read is None:
        try:
            read = _read(path, "libyaml")
        except GlossaryError:
            read = _read(path, "careful")
    acc, entries = read
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
