"""Turn pydantic validation errors into ConfigIssues that point at file, line and key."""
from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigIssue
from ..yamlsrc import KeyPath, format_path, line_of


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation may hold, looking through Optional, list, dict, Union."""
    origin = typing.get_origin(annotation)
    if origin is None:
        return [annotation]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    out: list[Any] = []
    args = typing.get_args(annotation)
    if origin in (dict, typing.Mapping) and args:
        args = args[1:]
    for arg in args:
        out.extend(_unwrap(arg))
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        return out
    return out or [annotation]


def _model_at(root: type[BaseModel], path: KeyPath) -> type[BaseModel] | None:
    models: list[Any] = [root]
    for part in path:
        if isinstance(part, int):
            continue
        nxt: list[Any] = []
        for model in models:
            if isinstance(model, type) and issubclass(model, BaseModel):
                field = model.model_fields.get(str(part))
                if field is not None:
                    nxt.extend(_unwrap(field.annotation))
                elif model.model_config.get("extra") == "allow":
                    nxt.append(model)
            else:
                nxt.append(model)  # a dict value position: key is free-form
        models = [m for m in nxt if isinstance(m, type) and issubclass(m, BaseModel)] or nxt
    for model in models:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model
    return None


def _clean_loc(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """Drop pydantic's internal loc parts (union branch names) that are not keys of the data."""
    path: list[str | int] = []
    cursor = data
    for part in loc:
        if isinstance(cursor, dict) and part in cursor:
            path.append(part)
            cursor = cursor[part]
        elif isinstance(cursor, list) and isinstance(part, int) and part < len(cursor):
            path.append(part)
            cursor = cursor[part]
        elif isinstance(cursor, dict) and not isinstance(part, int) and "[" not in str(part) and "-" not in str(part):
            path.append(part)  # a missing or unknown key: still worth naming
            cursor = None
    return tuple(path)


def issues_from_validation(exc: ValidationError, root: type[BaseModel], data: Any, file: str,
                           lines: dict[KeyPath, int]) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        path = _clean_loc(tuple(err["loc"]), data)
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = _model_at(root, path[:-1])
            known = sorted(f.alias or n for n, f in parent.model_fields.items()) if parent else []
            expected = "one of the known keys (" + ", ".join(known) + ")" if known else "a known key"
            found = f"unknown key {str(path[-1])!r}" if path else "an unknown key"
        elif kind == "missing":
            expected, found = "this required key", "it missing"
        else:
            msg = str(err["msg"])
            for prefix in ("Value error, ", "Assertion failed, ", "Input should be "):
                if msg.startswith(prefix):
                    msg = msg[len(prefix):]
            expected, found = msg, _describe(err.get("input"))
        key = format_path(path)
        if (key, expected) in seen:
            continue
        seen.add((key, expected))
        issues.append(ConfigIssue(file, line_of(lines, path), key, expected, found))
    return issues
