"""YAML composed with a budget for aliases: fast by libyaml, carefully by PyYAML's composer.

A node an alias names is shared, not copied, so composing is cheap; but
whoever walks the tree (the glossary reader, the front matter reader) visits
it once per alias, and a few hundred bytes of nested aliases or merge keys
(a "billion laughs") come to billions of nodes. Each alias is counted as the
size of the tree it stands for, and the total may exceed the nodes written
out by at most `ALIAS_BUDGET`. An alias inside the node it names (a
recursive structure) is refused too: nothing in a glossary or front matter
needs one, and a walk would never end.

With `fast=True` a document is composed first by libyaml (PyYAML's C parser, with a resolver
that does only what the safe loader's does), which is several times faster
than the composer written in Python and keeps each node's line and column.
What it composes is walked once: a document with a recursive alias, aliases
expanding beyond the budget, nesting deeper than FAST_DEPTH, or any error at
all is composed again by the careful composer below, which gives the verdict
and the error with its exact mark, as it always has: nothing the fast path
returns is past a limit, and every error is located as before.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

#: Nodes that aliases may add to a document beyond those written out.
ALIAS_BUDGET = 10_000
#: Nesting a document composed by libyaml may have; anything deeper goes the careful way, where
#: Python's recursion limit ends it ("nested too deeply"), as it always has.
FAST_DEPTH = 64


class AliasError(ComposerError):
    """Aliases that expand beyond the budget, or one inside the node it names."""


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.sizes: dict[int, int] = {}  # id(node) -> nodes in its tree, aliases expanded
        self.written = 0
        self.expanded = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            node = super().compose_node(parent, index)
            size = self.sizes.get(id(node))
            if size is None:
                raise AliasError(None, None, "an alias inside the node it refers to", mark)
            self.expanded += size
            if self.expanded > self.written + ALIAS_BUDGET:
                raise AliasError(
                    None, None,
                    f"aliases expand to more than {ALIAS_BUDGET} nodes beyond those written",
                    mark,
                )
            return node
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = []
        self.sizes[id(node)] = 1 + sum(self.sizes.get(id(child), 1) for child in children)
        self.written += 1
        return node


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_IMPLICIT: dict[Any, Any] = yaml.SafeLoader.yaml_implicit_resolvers
_FAST = (getattr(yaml, "CSafeLoader", None) is not None and not yaml.SafeLoader.yaml_path_resolvers
         and not _IMPLICIT.get(None))


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's composer with the safe loader's tags, resolved without path resolvers (the
    safe loader has none) and so without their bookkeeping per node."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _fits(root: yaml.Node | None) -> bool:
    """Whether a composed tree is within the careful composer's limits: no alias inside the
    node it names, aliases adding at most ALIAS_BUDGET nodes in all, nesting of at most
    FAST_DEPTH. (The careful composer allows the budget beyond the nodes written so far, so
    what fits here fits there.)"""
    if root is None:
        return True
    refs: dict[int, int] = {}
    nodes: dict[int, yaml.Node] = {}
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        key = id(node)
        refs[key] = refs.get(key, 0) + 1
        if refs[key] > 1:
            continue  # an alias: its children are counted where its anchor was written
        if depth > FAST_DEPTH:
            return False
        nodes[key] = node
        for child in _children(node):
            stack.append((child, depth + 1))
    if all(count == 1 for count in refs.values()):
        return True
    sizes = _sizes(root)
    if sizes is None:
        return False
    added = sum((count - 1) * sizes[key] for key, count in refs.items() if count > 1)
    return added <= ALIAS_BUDGET


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _sizes(root: yaml.Node) -> dict[int, int] | None:
    """Nodes in each node's tree, aliases expanded, as the careful composer counts them; None
    for a node inside itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in open_:
            return None
        open_.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes


def _fast(text: str) -> tuple[bool, yaml.Node | None]:
    """(True, the tree) if libyaml composed the document within the limits, else (False, None).

    A document with a tab goes the careful way: libyaml takes tabs where PyYAML does not
    (`key:<TAB>value`), and what is accepted must not depend on which composer read it.
    """
    if not _FAST or "\t" in text:
        return False, None
    loader = _FastLoader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    except Exception:  # any error at all: the careful composer gives it, with its mark
        return False, None
    finally:
        loader.dispose()
    # without an asterisk there is no alias, so nothing shared: only the nesting to check
    fits = _shallow(node) if "*" not in text else _fits(node)
    return (True, node) if fits else (False, None)


def _shallow(root: yaml.Node | None) -> bool:
    """Whether a tree without aliases nests at most FAST_DEPTH deep (scalars not visited)."""
    level = [root] if root is not None and isinstance(root.value, list) else []
    depth = 1
    while level:
        if depth > FAST_DEPTH:
            return False
        below: list[yaml.Node] = []
        for node in level:
            if type(node) is yaml.MappingNode:
                for key, value in node.value:
                    if type(key.value) is list:
                        below.append(key)
                    if type(value.value) is list:
                        below.append(value)
            else:
                below.extend(child for child in node.value if type(child.value) is list)
        level = below
        depth += 1
    return True


def compose(text: str, *, fast: bool = False) -> yaml.Node | None:
    """`yaml.compose(text, Loader=yaml.SafeLoader)`, raising AliasError past the budget.

    `fast` composes with libyaml where it can: the nodes, tags, values and start marks
    (line, column) are the same, but not an empty value's start mark, nor end marks, scalar
    styles or character indexes: a caller that reads those (the front matter reader) must
    not ask for it, and one that reports a node's place re-reads the text without it once
    it has found an error (`load_glossary`).
    """
    if fast:
        ok, node = _fast(text)
        if ok:
            return node
    return compose_carefully(text)


def compose_carefully(text: str) -> yaml.Node | None:
    """The composer written in Python, counting aliases as it goes; the one that locates errors."""
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()
