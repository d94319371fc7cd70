"""YAML reading that remembers the line of every key, so errors can point at it."""
from __future__ import annotations

from typing import Any

import yaml

from .errors import ConfigError, ConfigIssue

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last."""


def _construct(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], loader: _Loader, file: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list):
                key = tuple(key)
            if key in result:
                raise ConfigError([ConfigIssue(file, key_node.start_mark.line + 1, format_path(path + (key,)),
                                               "each key once", "a duplicate key")])
            child = path + (key,)
            lines[child] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, child, lines, loader, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), lines, loader, file) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, file: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML text; return the data and a map from key path to 1-based line number."""
    lines: dict[KeyPath, int] = {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, lines
        return _construct(node, (), lines, loader, file), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or "malformed YAML").strip()
        raise ConfigError([ConfigIssue(file, line, "", "well-formed YAML", problem)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(file, None, "", "well-formed YAML", str(exc).splitlines()[0])]) from None
    finally:
        loader.dispose()


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """Line of the deepest known prefix of ``path`` (pydantic may point inside a value)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
