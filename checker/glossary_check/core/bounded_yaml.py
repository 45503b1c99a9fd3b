"""YAML composed with a budget for aliases.

A node an alias names is shared, not copied, so composing is cheap; but
whoever walks the tree (the glossary reader, the front matter reader) visits
it once per alias, and a few hundred bytes of nested aliases or merge keys
(a "billion laughs") come to billions of nodes. Each alias is counted as the
size of the tree it stands for, and the total may exceed the nodes written
out by at most `ALIAS_BUDGET`. An alias inside the node it names (a
recursive structure) is refused too: nothing in a glossary or front matter
needs one, and a walk would never end.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError

#: Nodes that aliases may add to a document beyond those written out.
ALIAS_BUDGET = 10_000


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


def compose(text: str) -> yaml.Node | None:
    """`yaml.compose(text, Loader=yaml.SafeLoader)`, raising AliasError past the budget."""
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()
