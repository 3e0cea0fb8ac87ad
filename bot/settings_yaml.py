"""YAML as ``app.yaml`` is read: safe, without aliases, and without a key given twice.

A settings file has no need for anchors and aliases (``&name``, ``*name``, ``<<:``), and
a few hundred bytes of them expand to billions of values ("billion laughs"): any alias
is refused where it is read, before anything is expanded. A key given twice would
silently keep the last value: refused too, naming the key and both lines.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class SettingsYamlError(yaml.MarkedYAMLError):
    """A YAML document that is valid YAML but not a settings file we read."""


class _SettingsLoader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise SettingsYamlError(
                problem=f"alias *{event.anchor} is not allowed: a settings file needs no "
                        "anchors or aliases (&name, *name, <<:); write the value out",
                problem_mark=event.start_mark)
        # types-PyYAML says an int; PyYAML passes a mapping's key node (or None) there too.
        return super().compose_node(parent, index)  # type: ignore[arg-type]

    def get_single_node(self) -> Node | None:
        node = super().get_single_node()
        if node is not None:
            _no_key_twice(node, path="")
        return node


def load_settings(text: str) -> Any:
    """The document in ``text``; yaml.YAMLError (SettingsYamlError among them) if unusable."""
    return yaml.load(text, Loader=_SettingsLoader)  # a SafeLoader: no Python objects


def _no_key_twice(node: Node, *, path: str) -> None:
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _no_key_twice(item, path=f"{path}[{index}]")
    elif isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else "?"
            where = f"{path}.{name}" if path else name
            if isinstance(key, ScalarNode) and name in first_line:
                raise SettingsYamlError(
                    problem=f"{where} is given twice (first at line {first_line[name]}); "
                            "keep one",
                    problem_mark=key.start_mark)
            first_line[name] = key.start_mark.line + 1
            _no_key_twice(value, path=where)
