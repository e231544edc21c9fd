"""The YAML loader of the data files: it keeps the line of every mapping and key, refuses aliases, collects
duplicate keys and reads only true and false as booleans. Apart from ``chipshift.io.tables`` so that PyYAML
loads with the first YAML file read (``tables.parse_yaml``), not with every command."""

from __future__ import annotations

import re
from typing import Any

import yaml


class AliasRefused(yaml.YAMLError):
    """An alias (``*name``) met while composing: refused, with the place it was met."""

    def __init__(self, anchor: str, mark: yaml.Mark) -> None:
        super().__init__(anchor)
        self.anchor = anchor
        self.problem_mark = mark


def _refuse_aliases(loader: Any) -> None:
    """Raise ``AliasRefused`` when the next event is an alias (``*name``)."""
    if loader.check_event(yaml.AliasEvent):
        event = loader.peek_event()
        raise AliasRefused(str(getattr(event, "anchor", "")), event.start_mark)


class LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping and of each of its keys.

    It refuses aliases (``*name``): data files spell every value out, and refusing them keeps a small
    file from expanding into a huge document (the "billion laughs"). Duplicate keys are collected in
    ``duplicates`` (key, line, first line) instead of letting the last one silently win. Only true and
    false (any case) are booleans: YAML 1.1's yes/no/on/off stay text.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        _refuse_aliases(self)
        return super().compose_node(parent, index)


def construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        line = key_node.start_mark.line + 1
        if key in lines:
            loader.duplicates.append((key, line, lines[key]))
        else:
            lines[key] = line
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Keep dates as written ('2019-12' and '2019-12-01' alike) instead of turning some into date objects, and
# read only true/false as booleans.
LineLoader.yaml_implicit_resolvers = {
    k: [(tag, _TRUE_FALSE if tag == _BOOL_TAG else rx) for tag, rx in v
        if tag != "tag:yaml.org,2002:timestamp" and (tag != _BOOL_TAG or k in ("t", "T", "f", "F"))]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


#: ``LineLoader`` on libyaml's parser (when PyYAML has it): the same nodes, lines, constructors and resolvers,
#: with the scanning and parsing done in C, several times faster on the data files and episodes. It reads only
#: what it reads without complaint: a file it refuses, or in which it finds an alias or a duplicate key, is read
#: again by ``LineLoader``, whose messages are the ones the checks and the tests know.
FastLineLoader: type[LineLoader] | None = None
if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser
    from yaml.composer import Composer

    class _FastLineLoader(Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """Python's composer (for ``LineLoader``'s refusal of aliases) over libyaml's events."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.duplicates: list[tuple[str, int, int]] = []

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            _refuse_aliases(self)
            return Composer.compose_node(self, parent, index)

    _FastLineLoader.yaml_constructors = LineLoader.yaml_constructors
    _FastLineLoader.yaml_implicit_resolvers = LineLoader.yaml_implicit_resolvers
    FastLineLoader = _FastLineLoader  # type: ignore[assignment]
